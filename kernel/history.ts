/**
 * The kernel's input history, kept in memory for the life of the kernel, answering
 * `history_request` like IPython's HistoryManager (tail, range and glob search).
 */

export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  /** `text/plain` of the cell's execute_result, null when it had none. */
  output: string | null;
}

/** One row of a `history_reply`: `[session, line, input]` or `[session, line, [input, output]]`. */
export type HistoryRow = [number, number, string | [string, string | null]];

export interface HistoryQuery {
  hist_access_type: 'tail' | 'range' | 'search';
  output?: boolean;
  n?: number | null;
  session?: number;
  start?: number;
  stop?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** SQLite's GLOB, as IPython searches with it: `*`, `?` and `[...]` over the whole input, case-sensitive. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') {
      // a ']' right after '[' is a member of the set, not its end
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      let negate = '';
      if (body.startsWith('^')) {
        negate = '^';
        body = body.slice(1);
      }
      re += `[${negate}${body.replace(/[\\\][]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A history_request's content, checked: unknown or ill-typed fields fall back to IPython's defaults. */
export function parseHistoryQuery(c: Record<string, unknown>): HistoryQuery {
  const type = c.hist_access_type;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const q: HistoryQuery = { hist_access_type: type === 'range' || type === 'search' ? type : 'tail', output: c.output === true, unique: c.unique === true };
  const n = num(c.n);
  if (n !== undefined) q.n = n;
  const session = num(c.session);
  if (session !== undefined) q.session = session;
  const start = num(c.start);
  if (start !== undefined) q.start = start;
  const stop = num(c.stop);
  if (stop !== undefined) q.stop = stop;
  if (typeof c.pattern === 'string') q.pattern = c.pattern;
  return q;
}

export class History {
  private readonly entries: HistoryEntry[] = [];

  constructor(readonly session = 1) {}

  add(line: number, input: string): void {
    this.entries.push({ session: this.session, line, input, output: null });
  }

  setOutput(line: number, output: string): void {
    const e = this.entries.findLast((x) => x.line === line);
    if (e) e.output = output;
  }

  get length(): number {
    return this.entries.length;
  }

  /** The rows answering `q`, oldest first. */
  query(q: HistoryQuery): HistoryRow[] {
    const row = (e: HistoryEntry): HistoryRow =>
      [e.session, e.line, q.output ? [e.input, e.output] : e.input];
    const n = typeof q.n === 'number' && q.n >= 0 ? q.n : null;
    switch (q.hist_access_type) {
      case 'tail':
        return (n === null ? this.entries : n === 0 ? [] : this.entries.slice(-n)).map(row);
      case 'range': {
        const session = q.session ?? 0;
        // IPython numbers sessions from 1; zero and below count back from the current one
        if (session !== this.session && session !== 0) return [];
        const start = q.start ?? 0;
        const stop = q.stop ?? null;
        return this.entries.filter((e) => e.line >= start && (stop === null || e.line < stop)).map(row);
      }
      case 'search': {
        const re = globToRegExp(q.pattern ?? '*');
        let hits = this.entries.filter((e) => re.test(e.input));
        if (q.unique) {
          const seen = new Set<string>();
          hits = hits.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input) !== undefined).reverse();
        }
        if (n !== null) hits = n === 0 ? [] : hits.slice(-n);
        return hits.map(row);
      }
    }
  }
}
