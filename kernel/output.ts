/**
 * Captures what cells write to process.stdout / process.stderr (console.log included) and hands
 * it to the socket thread at once, as `stream` output of the cell that is running (or that ran
 * last, as in ipykernel). The socket thread batches it: a cell that prints and then computes for a
 * long time without yielding still shows its output while it computes.
 */

import { TextDecoder } from 'node:util';
import type { ToWorker } from './bridge.js';
import type { Header } from './protocol.js';

type StreamName = 'stdout' | 'stderr';

export class OutputCapture {
  private parent: Header | Record<string, never> = {};
  private silent = false;
  private readonly decoder = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  private originals: { stdout: typeof process.stdout.write; stderr: typeof process.stderr.write } | null = null;

  constructor(private readonly post: (m: ToWorker) => void) {}

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
    this.parent = parent;
    this.silent = silent;
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
    this.post({ type: 'stream', name, text, parent: this.parent });
  }
}
