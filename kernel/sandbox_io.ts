/**
 * The IO thread of a sandbox connection (see sandbox_rpc.ts). It owns the socket, so that
 * messages keep arriving while the main thread is blocked in a call: it frames outgoing messages,
 * and posts each incoming one to the main thread and bumps the shared signal word.
 *
 * In the test process (`parent`) it also starts the sandbox process, forwards its stdout and
 * stderr within a byte budget per test, and reports its exit with the end of its stderr. In the
 * sandbox (`child`) it reads fd 3, and kills its own process when the test process goes away,
 * even while the main thread is stuck in a loop.
 */

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { deserialize, serialize } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { FromIo, ToIo } from './sandbox_rpc.js';

/** The sandbox process to start, for `parent` mode. */
export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
}

export interface IoData {
  mode: 'parent' | 'child';
  port: MessagePort;
  signal: SharedArrayBuffer;
  spawn?: SpawnSpec;
  /** Bytes of the sandbox's output passed on per test (`parent` mode). */
  outputLimit?: number;
  /** The sandbox's own folder, removed when the test process goes away (`child` mode). */
  workdir?: string;
}

/** The largest message that crosses (a serialised value); beyond it the connection ends. */
const MAX_MESSAGE = 512 * 2 ** 20;
/** How much of the sandbox's stderr is kept to explain its exit. */
const STDERR_TAIL = 16 * 1024;

function run(data: IoData): void {
  const signal = new Int32Array(data.signal);
  const post = (m: FromIo): void => {
    data.port.postMessage(m);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  const frames = (socket: Socket, tooBig: (n: number) => void): void => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const n = pending.readUInt32BE(0);
        if (n > MAX_MESSAGE) {
          socket.destroy();
          tooBig(n);
          return;
        }
        if (pending.length < 4 + n) break;
        post({ t: 'msg', m: deserialize(pending.subarray(4, 4 + n)) as never });
        pending = pending.subarray(4 + n);
      }
    });
  };
  const frame = (m: unknown): Buffer => {
    const body = serialize(m);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    return Buffer.concat([head, body]);
  };

  if (data.mode === 'child') {
    const socket = new Socket({ fd: 3, readable: true, writable: true });
    frames(socket, () => undefined);
    const die = (): void => {
      // the test process is gone, and with it whoever would have removed this folder
      if (data.workdir !== undefined) rmSync(data.workdir, { recursive: true, force: true });
      process.kill(process.pid, 'SIGKILL');
    };
    socket.on('close', die);
    socket.on('error', die);
    parentPort!.on('message', (m: ToIo) => {
      if (m.t === 'send') socket.write(frame(m.m));
    });
    return;
  }

  const spec = data.spawn!;
  const limit = data.outputLimit ?? 64 * 1024;
  let used = 0;
  let dropped = 0;
  let stderrTail = '';
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      ...(spec.uid === undefined ? {} : { uid: spec.uid }),
      ...(spec.gid === undefined ? {} : { gid: spec.gid }),
    });
  } catch (e) {
    post({ t: 'exit', code: null, signal: null, stderr: '', error: `the sandbox could not be started: ${e instanceof Error ? e.message : String(e)}` });
    return;
  }
  if (child.pid !== undefined) post({ t: 'spawned', pid: child.pid });
  const socket = child.stdio[3] as Socket;
  /** Why the process ended, when this thread knows better than its exit status. */
  let spawnError: string | undefined;
  frames(socket, (n) => {
    // the test process would have to hold it: the notebook is stopped instead
    spawnError = `the notebook sent a value of ${Math.round(n / 2 ** 20)} MB, over the limit of ${MAX_MESSAGE / 2 ** 20} MB`;
    child.kill('SIGKILL');
  });
  socket.on('error', () => undefined);
  const droppedNote = (): string => `\n[... ${dropped} bytes of the notebook's output dropped: at most ${limit} bytes per test are shown]\n`;
  const forward = (fd: 1 | 2, decoder: StringDecoder) => (chunk: Buffer): void => {
    if (fd === 2) stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    const room = Math.max(limit - used, 0);
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    used += part.length;
    let text = part.length > 0 ? decoder.write(part) : '';
    if (part.length < chunk.length) {
      if (dropped === 0) text += `${decoder.end()}\n[... the notebook's output passed ${limit} bytes in this test; the rest of it is dropped]\n`;
      dropped += chunk.length - part.length;
    }
    if (text !== '') post({ t: 'out', fd, text });
  };
  child.stdout!.on('data', forward(1, new StringDecoder('utf8')));
  child.stderr!.on('data', forward(2, new StringDecoder('utf8')));
  child.on('error', (e) => {
    spawnError = `the sandbox could not be started: ${e.message}`;
  });
  child.on('close', (code, sig) => {
    if (dropped > 0) post({ t: 'out', fd: 2, text: droppedNote() });
    post({ t: 'exit', code, signal: sig, stderr: stderrTail, ...(spawnError === undefined ? {} : { error: spawnError }) });
  });
  parentPort!.on('message', (m: ToIo) => {
    if (m.t === 'send') {
      if (socket.writable) socket.write(frame(m.m));
    } else if (m.t === 'reset-output') {
      if (dropped > 0) post({ t: 'out', fd: 2, text: droppedNote() });
      used = 0;
      dropped = 0;
    }
  });
}

run(workerData as IoData);
