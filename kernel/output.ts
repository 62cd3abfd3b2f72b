/**
 * Captures what cells write to process.stdout / process.stderr (console.log included) and hands
 * it to the socket thread at once, as `stream` output of the cell that is running (or that ran
 * last, as in ipykernel). The socket thread batches it: a cell that prints and then computes for a
 * long time without yielding still shows its output while it computes.
 *
 * Each cell may print `limit` characters (stdout and stderr together); the rest is dropped and the
 * cell ends with a notice saying how much, like the Jupyter server's iopub data rate limit. A cell
 * printing 100 MB would otherwise be held in memory several times over on its way out and then
 * freeze the frontend that has to render it.
 */

import { TextDecoder } from 'node:util';
import type { ToWorker } from './bridge.js';
import type { Header } from './protocol.js';

type StreamName = 'stdout' | 'stderr';

/** Characters of stream output a cell may send by default (`TORCHLAB_MAX_OUTPUT_CHARS` overrides it). */
export const DEFAULT_OUTPUT_LIMIT = 10_000_000;

/** The limit from `TORCHLAB_MAX_OUTPUT_CHARS` (a positive integer), else the default. */
export function outputLimit(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.TORCHLAB_MAX_OUTPUT_CHARS);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_OUTPUT_LIMIT;
}

/** The notice that ends a cell whose output went over the limit. */
export function truncationNotice(dropped: number, limit: number): string {
  return `\n[torchlab] Output truncated: ${dropped.toLocaleString('en-US')} more characters were dropped; a cell may print ` +
    `${limit.toLocaleString('en-US')} characters (set TORCHLAB_MAX_OUTPUT_CHARS to change the limit).\n`;
}

export class OutputCapture {
  private parent: Header | Record<string, never> = {};
  private silent = false;
  /** Characters sent for the current parent, and characters dropped since the last notice. */
  private sent = 0;
  private dropped = 0;
  private readonly decoder = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  private originals: { stdout: typeof process.stdout.write; stderr: typeof process.stderr.write } | null = null;

  constructor(private readonly post: (m: ToWorker) => void, readonly limit = outputLimit()) {}

  /** Replaces the write methods of process.stdout and process.stderr. */
  install(): void {
    if (this.originals !== null) return;
    this.originals = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = this.writer('stdout');
    process.stderr.write = this.writer('stderr');
  }

  uninstall(): void {
    if (this.originals === null) return;
    process.stdout.write = this.originals.stdout;
    process.stderr.write = this.originals.stderr;
    this.originals = null;
  }

  /** Routes output to `parent` from now on; `silent` drops it (a silent execute broadcasts nothing). */
  setParent(parent: Header, silent: boolean): void {
    this.finish();
    this.parent = parent;
    this.silent = silent;
    this.sent = 0;
  }

  /**
   * Ends the current cell's output: says how much was dropped, if anything. Output that comes
   * later for the same cell (from its timers) stays under the same limit and gets its own notice.
   */
  finish(): void {
    if (this.dropped === 0) return;
    const notice = truncationNotice(this.dropped, this.limit);
    this.dropped = 0;
    this.post({ type: 'stream', name: 'stderr', text: notice, parent: this.parent });
  }

  private writer(name: StreamName): typeof process.stdout.write {
    const write = (chunk: Uint8Array | string, encodingOrCb?: BufferEncoding | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): boolean => {
      const text = typeof chunk === 'string' ? chunk : this.decoder[name].decode(chunk, { stream: true });
      this.write(name, text);
      const done = typeof encodingOrCb === 'function' ? encodingOrCb : cb;
      if (done) queueMicrotask(() => done(null));
      return true;
    };
    return write as typeof process.stdout.write;
  }

  /** Sends `text` on stream `name`. */
  write(name: StreamName, text: string): void {
    if (this.silent || text === '') return;
    const room = this.limit - this.sent;
    if (text.length > room) {
      // never split a surrogate pair
      const cut = room <= 0 ? 0 : /[\uD800-\uDBFF]/.test(text[room - 1]!) ? room - 1 : room;
      this.dropped += text.length - cut;
      if (cut === 0) return;
      text = text.slice(0, cut);
    }
    this.sent += text.length;
    this.post({ type: 'stream', name, text, parent: this.parent });
  }
}
