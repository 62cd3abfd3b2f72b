/**
 * `torchvision.datasets.utils`: md5 checks and `download_url`. A download runs in a worker thread
 * (Node's fetch) while the calling thread waits for it, so a dataset constructor can download
 * synchronously, as torchvision's does, with a progress bar and the kernel's interrupt honoured.
 * The file is written under a temporary name in the target folder and renamed only once its md5
 * is checked, so a failed or interrupted download never leaves a half-written file behind.
 */

import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { RuntimeError } from '../../errors.js';
import { Tqdm } from '../../display/progress.js';
import { check_interrupt } from '../../interrupt.js';

/**
 * `calculate_md5(fpath, chunk_size=1024 * 1024)`: the file's md5 as hex.
 * @example calculate_md5('data/MNIST/raw/t10k-labels-idx1-ubyte.gz') // 'ec29112dd5afa0611ce80d1b7f02629c'
 */
export function calculate_md5(fpath: string, chunk_size = 1024 * 1024): string {
  const hash = createHash('md5');
  const buf = Buffer.alloc(chunk_size);
  const fd = openSync(fpath, 'r');
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * `check_md5(fpath, md5)`: whether the file's md5 is `md5`.
 * @example datasets.utils.check_md5('data/MNIST/raw/train-images-idx3-ubyte.gz', md5)
 */
export function check_md5(fpath: string, md5: string): boolean {
  return md5 === calculate_md5(fpath);
}

/**
 * `check_integrity(fpath, md5=None)`: the file exists and, when an md5 is given, has it.
 * @example datasets.utils.check_integrity(path) // exists; check_integrity(path, md5) also matches
 */
export function check_integrity(fpath: string, md5: string | null = null): boolean {
  if (!existsSync(fpath)) return false;
  return md5 === null ? true : check_md5(fpath, md5);
}

/**
 * What a failed download says about each thing it tried.
 * @example try { download_url(url, root) } catch (e) { if (e instanceof datasets.utils.DownloadError) console.log(e.message) }
 */
export class DownloadError extends RuntimeError {}

/**
 * The worker: fetches `url` into `temp`, hashing as it writes, and reports progress and the end on
 * its port, waking the waiting thread through slot 0 of the shared counters each time. Slot 1 is
 * set when the waiting thread gives up (an interrupt): the worker then stops and removes what it
 * wrote itself, checking after it creates the file, so that no half-written file outlives it
 * whichever thread gets there first. Plain CommonJS, run with `eval`, so that it needs no file
 * next to the compiled library.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { url, temp, port, signal, idleMs } = workerData;
const shared = new Int32Array(signal);
const send = (m) => { port.postMessage(m); Atomics.add(shared, 0, 1); Atomics.notify(shared, 0); };
const cancelled = () => Atomics.load(shared, 1) !== 0;
function describe(e) {
  const c = e && e.cause;
  if (c) return c.message || c.code || String(c);
  return e && e.message ? e.message : String(e);
}
(async () => {
  const ctrl = new AbortController();
  let stalled = false;
  const arm = () => setTimeout(() => { stalled = true; ctrl.abort(); }, idleMs);
  let timer = arm();
  const poll = setInterval(() => { if (cancelled()) ctrl.abort(); }, 25);
  let fd = null;
  try {
    const res = await fetch(url, { headers: { 'User-Agent': 'torchlab' }, signal: ctrl.signal, redirect: 'follow' });
    if (!res.ok) { send({ type: 'error', message: 'HTTP Error ' + res.status + ': ' + res.statusText }); return; }
    const len = Number(res.headers.get('content-length'));
    send({ type: 'start', total: Number.isFinite(len) && len > 0 ? len : null });
    fd = fs.openSync(temp, 'w');
    if (cancelled()) throw new Error('cancelled');
    const hash = createHash('md5');
    let n = 0;
    let last = 0;
    for await (const chunk of res.body) {
      if (cancelled()) throw new Error('cancelled');
      clearTimeout(timer);
      timer = arm();
      fs.writeSync(fd, chunk);
      hash.update(chunk);
      n += chunk.length;
      if (n - last >= 1 << 16) { send({ type: 'progress', n }); last = n; }
    }
    fs.closeSync(fd);
    fd = null;
    send({ type: 'done', n, md5: hash.digest('hex') });
  } catch (e) {
    if (fd !== null) { try { fs.closeSync(fd); } catch {} }
    if (cancelled()) { try { fs.rmSync(temp, { force: true }); } catch {} return; }
    send({ type: 'error', message: stalled ? 'no data for ' + (idleMs / 1000) + ' s (timed out)' : describe(e) });
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
    port.close();
  }
})();
`;

/** Options of `download_url`. */
export interface DownloadOptions {
  /** Seconds without any data after which the download is abandoned (default 60). */
  timeout?: number;
  /** Show a progress bar and the "Downloading ..." line (default true). */
  progress?: boolean;
}

/** Fetches `url` into `temp` on a worker thread, waiting for it here; returns the bytes and md5 written. */
function fetchToFile(url: string, temp: string, opts: DownloadOptions): { n: number; md5: string } {
  const signal = new SharedArrayBuffer(8);
  const wake = new Int32Array(signal);
  const { port1, port2 } = new MessageChannel();
  const idleMs = (opts.timeout ?? 60) * 1000;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { url, temp, port: port2, signal, idleMs }, transferList: [port2] });
  worker.unref();
  let bar: Tqdm | null = null;
  let seen = 0;
  let lastNews = Date.now();
  let finished = false;
  try {
    for (;;) {
      Atomics.wait(wake, 0, seen, 100);
      seen = Atomics.load(wake, 0);
      check_interrupt();
      for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) {
        lastNews = Date.now();
        const msg = m.message as { type: string; total?: number | null; n?: number; md5?: string; message?: string };
        if (msg.type === 'start' && opts.progress !== false) bar = new Tqdm(null, { total: msg.total ?? null });
        else if (msg.type === 'progress' && bar) bar.update(msg.n! - bar.n);
        else if (msg.type === 'done') {
          if (bar) {
            bar.update(msg.n! - bar.n);
            bar.close();
          }
          finished = true;
          return { n: msg.n!, md5: msg.md5! };
        } else if (msg.type === 'error') {
          finished = true;
          throw new DownloadError(msg.message);
        }
      }
      // the worker reports within its idle timeout; silence well beyond it means it died
      if (Date.now() - lastNews > idleMs + 10_000) throw new DownloadError('the download thread stopped answering');
    }
  } finally {
    bar?.close();
    port1.close();
    // given up on (an interrupt): the worker stops and cleans up after itself
    if (!finished) Atomics.store(wake, 1, 1);
  }
}

/**
 * `download_url(url, root, filename=None, md5=None)`: downloads `url` to `root/filename` (the
 * URL's last part by default) unless a file with that md5 is already there. The download goes to
 * a temporary file in `root`, which is renamed to `filename` only when its md5 matches, so a
 * corrupt or interrupted download leaves nothing behind.
 * Differs from torchvision: no Google Drive handling; `opts.timeout` abandons a stalled download;
 * a wrong md5 raises `md5 mismatch` naming the file (torchvision: "File not found or corrupted.").
 * @example download_url('https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz', 'data/MNIST/raw', null, 'ec29112dd5afa0611ce80d1b7f02629c')
 */
export function download_url(url: string, root: string, filename: string | null = null, md5: string | null = null, opts: DownloadOptions = {}): void {
  const name = filename || basename(new URL(url).pathname);
  const fpath = join(root, name);
  mkdirSync(root, { recursive: true });
  if (check_integrity(fpath, md5)) {
    if (opts.progress !== false) console.log(`Using downloaded and verified file: ${fpath}`);
    return;
  }
  const temp = join(root, `.${name}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.part`);
  try {
    if (opts.progress !== false) console.log(`Downloading ${url} to ${fpath}`);
    const got = fetchToFile(url, temp, opts);
    if (md5 !== null && got.md5 !== md5) {
      throw new DownloadError(`${name}: md5 mismatch (got ${got.md5} for ${got.n} bytes, expected ${md5}); the file was not kept`);
    }
    renameSync(temp, fpath);
  } finally {
    rmSync(temp, { force: true });
  }
}
