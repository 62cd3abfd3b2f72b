/**
 * The sandbox process (started by sandbox.ts, never by hand): runs a notebook's code cells with the
 * kernel's semantics in its own folder, tells the test process whether they loaded, then answers
 * the test process's requests on fd 3 until it is killed or the test process goes away.
 * Argument: the configuration as JSON (`SandboxConfig`).
 */

import { dirname } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { NotebookError, runNotebook } from './notebook_loader.js';
import type { IoData } from './sandbox_io.js';
import { Channel, Peer, type LoadFailure } from './sandbox_rpc.js';

export interface SandboxConfig {
  /** The notebook's copy, in the sandbox's own folder (removed when the test process goes away). */
  notebook: string;
  skipTags: string[];
  lib: string;
  /** For the messages of errors that mean the memory ran out. */
  memoryLimit: number;
}

/** Allocation failures outside the JavaScript heap (tensor buffers, WebAssembly memory). */
const OUT_OF_MEMORY = /Array buffer allocation failed|Unable to grow instance memory|Cannot allocate Wasm memory|\bOut of memory\b/i;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as SandboxConfig;
  // the notebook's stray async errors are its own business: report them, keep serving
  process.on('uncaughtException', (e) => process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`Unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));

  const signal = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const data: IoData = { mode: 'child', port: port2, signal, workdir: dirname(config.notebook) };
  const worker = new Worker(new URL('./sandbox_io.js', import.meta.url), { workerData: data, transferList: [port2] });
  let frames: ((e: Error) => string[]) | undefined;
  const peer = new Peer(new Channel(worker, port1, signal), {
    deadline: () => Number.POSITIVE_INFINITY,
    timedOut: () => new Error('unreachable: the sandbox waits without a deadline'),
    other: () => undefined,
    frames: (e) => frames?.(e) ?? (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)),
    message: (e) => (OUT_OF_MEMORY.test(String(e.message)) ? `the notebook ran out of memory (limit ${config.memoryLimit} MB): ${e.message}` : String(e.message)),
  }, 'data');
  peer.listen(true);
  try {
    const { exports, errorContent } = await runNotebook(config.notebook, { skipTags: config.skipTags, lib: config.lib, sandbox: false });
    frames = (e) => {
      const content = errorContent(e);
      const head = (content.evalue === '' ? content.ename : `${content.ename}: ${content.evalue}`).split('\n').length;
      return content.traceback.slice(head);
    };
    peer.send({ t: 'ready', ok: true, exports: peer.encodeExports(exports) });
  } catch (e) {
    const failure: LoadFailure = e instanceof NotebookError
      ? { cellIndex: e.cellIndex, ename: e.ename, evalue: e.evalue, traceback: [...e.traceback] }
      : { cellIndex: null, ename: e instanceof Error ? e.name : 'Error', evalue: e instanceof Error ? e.message : String(e), traceback: [] };
    peer.send({ t: 'ready', ok: false, failure });
  }
}

void main();
