/**
 * Turning values into MIME bundles and exceptions into Jupyter `error` content.
 */

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { isObject, type JsonObject } from './protocol.js';

/** The JavaScript convention for rich output (also used by Deno's kernel): a method returning a MIME bundle. */
export const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

export interface MimeBundle {
  data: JsonObject;
  metadata: JsonObject;
}

/** `text/plain` as the REPL shows it: util.inspect, which honours `nodejs.util.inspect.custom`. */
export function plainText(value: unknown): string {
  return inspect(value);
}

/** Normalises one representation: binary data is base64 encoded, JSON and strings pass through. */
function encode(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

/**
 * The bundle for `value`: its `[Symbol.for('Jupyter.display')]()` representations (when it has the
 * method) plus `text/plain`, which every bundle carries. A display method that throws or returns
 * garbage falls back to `text/plain` and reports the problem in `warning`.
 */
export async function mimeBundle(value: unknown): Promise<MimeBundle & { warning?: string }> {
  const data: JsonObject = {};
  const metadata: JsonObject = {};
  let warning: string | undefined;
  const hook = (typeof value === 'object' || typeof value === 'function') && value !== null
    ? (value as { [JUPYTER_DISPLAY]?: unknown })[JUPYTER_DISPLAY]
    : undefined;
  if (typeof hook === 'function') {
    try {
      let bundle: unknown = hook.call(value);
      if (isObject(bundle) && typeof bundle.then === 'function') bundle = await bundle;
      if (isObject(bundle)) {
        for (const [mime, rep] of Object.entries(bundle)) {
          if (mime.includes('/')) data[mime] = encode(rep);
        }
      } else {
        warning = `[Symbol.for('Jupyter.display')]() returned ${plainText(bundle)}, not a MIME bundle`;
      }
    } catch (e) {
      warning = `[Symbol.for('Jupyter.display')]() failed: ${e instanceof Error ? e.message : plainText(e)}`;
    }
  }
  if (typeof data['text/plain'] !== 'string') data['text/plain'] = plainText(value);
  return warning === undefined ? { data, metadata } : { data, metadata, warning };
}

/**
 * A bundle that fits in `limit` characters and survives JSON: a `text/plain` over the limit is cut
 * with a notice; other representations over the limit, or that JSON cannot encode (BigInt,
 * cycles), are dropped, largest first, and `warning` says which. A 100 MB result would otherwise
 * go to the frontend whole and freeze it.
 */
export function limitBundle(data: JsonObject, limit: number): { data: JsonObject; warning?: string } {
  const sizes = new Map<string, number>();
  const problems: string[] = [];
  const out: JsonObject = {};
  for (const [mime, rep] of Object.entries(data)) {
    if (typeof rep === 'string') {
      out[mime] = rep;
      sizes.set(mime, rep.length);
      continue;
    }
    // a JSON copy: what reaches the socket thread must be plain data (functions cannot be posted)
    let json: string | undefined;
    try {
      json = JSON.stringify(rep) as string | undefined;
    } catch (e) {
      problems.push(`${mime} was dropped: it cannot be sent as JSON (${e instanceof Error ? e.message : plainText(e)})`);
      continue;
    }
    if (json === undefined) {
      problems.push(`${mime} was dropped: ${plainText(rep)} cannot be sent as JSON`);
      continue;
    }
    out[mime] = json.length > limit ? null : (JSON.parse(json) as unknown);
    sizes.set(mime, json.length);
  }
  let text = out['text/plain'];
  if (typeof text === 'string' && text.length > limit) {
    const dropped = text.length - limit;
    text = `${text.slice(0, limit)}\n[torchlab] Output truncated: ${dropped.toLocaleString('en-US')} more characters were dropped; ` +
      `a result may have ${limit.toLocaleString('en-US')} characters (set TORCHLAB_MAX_OUTPUT_CHARS to change the limit).`;
    out['text/plain'] = text;
    sizes.set('text/plain', limit);
  }
  const rich = [...sizes.entries()].filter(([mime]) => mime !== 'text/plain').sort((a, b) => b[1] - a[1]);
  let total = [...sizes.values()].reduce((a, b) => a + b, 0);
  for (const [mime, size] of rich) {
    if (total <= limit) break;
    delete out[mime];
    total -= size;
    problems.push(`${mime} was dropped: ${size.toLocaleString('en-US')} characters, over the limit of ${limit.toLocaleString('en-US')} per output`);
  }
  return problems.length === 0 ? { data: out } : { data: out, warning: problems.join('\n') };
}

/** The content of an `error` message (and of an error `execute_reply`). */
export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** This kernel's own directory: its frames are noise in a cell's traceback. */
const KERNEL_DIR = dirname(fileURLToPath(import.meta.url));

/** Stack frames that belong to the kernel, tslab or Node's internals rather than to the user's code. */
function isInternalFrame(line: string): boolean {
  return line.includes(KERNEL_DIR) || /\bnode:(vm|internal|async_hooks)\b|[\\/]tslab[\\/]dist[\\/]/.test(line);
}

/**
 * Error content for a thrown value: its class name, message and the stack without kernel frames.
 * `mapFrame` may replace a frame of compiled cell code by lines that point into the user's cell.
 */
export function errorContent(e: unknown, mapFrame?: (frame: string) => string[] | null): ErrorContent {
  if (e instanceof Error || (isObject(e) && typeof e.message === 'string' && typeof e.stack === 'string')) {
    const err = e as Error;
    const ename = typeof err.name === 'string' && err.name !== '' ? err.name : (err.constructor?.name ?? 'Error');
    const evalue = String(err.message);
    const stack = typeof err.stack === 'string' ? err.stack : '';
    // vm prefixes the stack with the offending source line; the message is taken from the error
    const frames = stack.split('\n').filter((l) => /^\s+at /.test(l) && !isInternalFrame(l));
    return {
      ename,
      evalue,
      traceback: [
        ...(evalue === '' ? ename : `${ename}: ${evalue}`).split('\n'),
        ...frames.flatMap((l) => mapFrame?.(l) ?? [l.replace(/evalmachine\.<anonymous>/g, '<compiled cell>')]),
      ],
    };
  }
  const evalue = plainText(e);
  return { ename: 'Error', evalue, traceback: [`Uncaught ${evalue}`] };
}

/** Error content within `limit` characters: the message and traceback lines of a huge error are cut. */
export function limitError(error: ErrorContent, limit: number): ErrorContent {
  const cut = (text: string, room: number): string =>
    text.length <= room ? text : `${text.slice(0, Math.max(room, 0))}… [${(text.length - Math.max(room, 0)).toLocaleString('en-US')} more characters]`;
  let room = limit;
  const traceback: string[] = [];
  for (const line of error.traceback) {
    if (room <= 0) break;
    traceback.push(cut(line, room));
    room -= line.length;
  }
  return { ename: cut(error.ename, limit), evalue: cut(error.evalue, limit), traceback };
}

/** A TypeScript diagnostic of a cell, positions zero-based as tslab reports them. */
export interface CellDiagnostic {
  line: number;
  character: number;
  messageText: string;
  code: number;
  fileName?: string;
}

/**
 * Error content for a cell that does not compile. Parse errors (TS1xxx) are SyntaxErrors, unknown
 * names NameErrors, everything else TypeErrors: the Python class a student would expect. The
 * traceback shows each diagnostic under the line it points at.
 */
export function diagnosticsContent(all: readonly CellDiagnostic[], code: string): ErrorContent {
  // a syntax error explains the errors that follow from it, so it comes first (as in Python)
  const isSyntax = (d: CellDiagnostic): boolean => d.code >= 1000 && d.code < 2000;
  const diags = [...all.filter(isSyntax), ...all.filter((d) => !isSyntax(d))];
  const first = diags[0]!;
  const ename = isSyntax(first) ? 'SyntaxError'
    : first.code === 2304 || first.code === 2552 || first.code === 2582 ? 'NameError'
    : 'TypeError';
  const lines = code.split('\n');
  const traceback: string[] = [];
  for (const d of diags) {
    const where = `${d.fileName ? `${d.fileName}:` : 'cell:'}${d.line + 1}:${d.character + 1}`;
    traceback.push(`${where} - error TS${d.code}: ${d.messageText}`);
    const src = d.fileName ? undefined : lines[d.line];
    if (src !== undefined) {
      traceback.push(`    ${src}`);
      traceback.push(`    ${' '.repeat(d.character)}^`);
    }
  }
  traceback.push(`${ename}: ${first.messageText}`);
  return { ename, evalue: first.messageText, traceback };
}
