/**
 * A pool of worker threads that run chunks of one WebAssembly GEMM over a shared memory, while the
 * calling thread works on chunks too and then blocks until all are done (ops on the CPU are
 * synchronous, so the caller must not return early).
 *
 * Protocol over the pool's control block of 8 i32 in the memory (Int32Array `ctl`; two pools on one
 * memory need two blocks, or one pool's workers would claim the other's chunks):
 *   ctl[NEXT]    = generation << 16 | chunks not yet claimed; a claim is a compare-exchange that
 *                  only succeeds within the generation its claimer read the task of, so a worker
 *                  waking late can never run an old task's chunk with a new task's parameters
 *   ctl[PENDING] = chunks not yet finished; whoever finishes the last one notifies
 *   ctl[FAILED]  = set when a chunk threw
 *   ctl[READY], ctl[WORKED] = counters that show the workers take part
 *   ctl[ARMED]   = set by `wake` while the caller prepares a task: woken workers wait for it
 *                  awake (a bounded spin) instead of going back to sleep, so the task does not
 *                  wait for a sleeping thread to be scheduled again
 * The task's parameters (see `chunk` in gemm.wat) are written before NEXT is published, and the
 * caller rewrites them only once PENDING is 0. Claiming chunks dynamically also balances the load
 * when another process takes one of the cores.
 */

import { Worker } from 'node:worker_threads';
import { RuntimeError } from '../../../errors.js';
import type { WasmMemory, WasmModule } from './gemm.js';

const NEXT = 0;
const PENDING = 1;
const FAILED = 2;
/** Workers that have instantiated the module, and chunks they ran: for tests and bench. */
const READY = 3;
const WORKED = 4;
const ARMED = 5;
/**
 * How long a woken worker waits awake for the task `wake` announced, and the caller for the
 * workers' last chunks, in ms, before sleeping.
 */
const SPIN_MS = 1;
/** At most this many chunks per task: the low 16 bits of ctl[NEXT]. */
export const MAX_CHUNKS = 0xffff;

// CommonJS evaluated by the worker (eval: true): no file to resolve in lib/ (TypeScript under
// vitest/tsx) versus dist/. It mirrors `drain` below.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctlAt, params, ws } = workerData;
const { chunk } = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, ctlAt, 8);
Atomics.add(ctl, ${READY}, 1);
let seen = -1;
for (;;) {
  let v = Atomics.load(ctl, ${NEXT});
  const gen = v >>> 16;
  if (gen === seen) {
    if (Atomics.load(ctl, ${ARMED}) !== 0) {
      const until = performance.now() + ${SPIN_MS};
      for (let i = 1; Atomics.load(ctl, ${NEXT}) === v; i++) if ((i & 1023) === 0 && performance.now() > until) break;
      if (Atomics.load(ctl, ${NEXT}) !== v) continue;
    }
    Atomics.wait(ctl, ${NEXT}, v);
    continue;
  }
  seen = gen;
  for (;;) {
    v = Atomics.load(ctl, ${NEXT});
    if (v >>> 16 !== gen || (v & 0xffff) === 0) break;
    if (Atomics.compareExchange(ctl, ${NEXT}, v, v - 1) !== v) continue;
    try { chunk(params, (v & 0xffff) - 1, ws); } catch { Atomics.store(ctl, ${FAILED}, 1); }
    Atomics.add(ctl, ${WORKED}, 1);
    if (Atomics.sub(ctl, ${PENDING}, 1) === 1) Atomics.notify(ctl, ${PENDING});
  }
}
`;

export class GemmPool {
  private readonly workers: Worker[] = [];
  private readonly ctl: Int32Array;
  private gen = 0;

  /**
   * @param ctlAt byte address of the control block (8 i32)
   * @param workspace byte address of the workspace of participant i (0 is the calling thread)
   */
  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly ctlAt: number,
    private readonly chunk: (params: number, index: number, ws: number) => void,
    private readonly params: number,
    private readonly workspace: (i: number) => number,
  ) {
    this.ctl = new Int32Array(memory.buffer, ctlAt, 8);
  }

  /** Workers ready to take chunks, and the chunks workers have run so far. */
  stats(): { ready: number; workerChunks: number } {
    return { ready: Atomics.load(this.ctl, READY), workerChunks: Atomics.load(this.ctl, WORKED) };
  }

  /** Starts workers until `n` are running; they start in the background and join when ready. */
  ensure(n: number): void {
    while (this.workers.length < n) {
      const w = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: this.module, memory: this.memory, ctlAt: this.ctlAt, params: this.params, ws: this.workspace(this.workers.length + 1) },
      });
      // idle workers must not keep the process alive
      w.unref();
      this.workers.push(w);
    }
  }

  /**
   * Announces a task: wakes the workers started so far while the caller still prepares it (stages
   * operands, packs weights), so that they are running when `run` publishes it rather than being
   * scheduled only then. The wake itself costs the caller about 30 µs on these 2-core virtual
   * machines; LeNet's training step went 7.61-8.08 -> 7.50-7.64 ms (bench/README.md).
   */
  wake(): void {
    if (this.workers.length === 0) return;
    Atomics.store(this.ctl, ARMED, 1);
    Atomics.notify(this.ctl, NEXT);
  }

  /**
   * Runs chunks 0..n-1 of the task whose parameters are already at `params`, on the calling thread
   * and the workers started so far; returns when all are done.
   */
  run(n: number): void {
    const ctl = this.ctl;
    this.gen = (this.gen + 1) & 0xffff;
    Atomics.store(ctl, FAILED, 0);
    Atomics.store(ctl, PENDING, n);
    Atomics.store(ctl, NEXT, (this.gen << 16) | n);
    Atomics.store(ctl, ARMED, 0);
    Atomics.notify(ctl, NEXT);
    let error: unknown = null;
    const ws = this.workspace(0);
    for (;;) {
      const v = Atomics.load(ctl, NEXT);
      if (v >>> 16 !== this.gen || (v & 0xffff) === 0) break;
      if (Atomics.compareExchange(ctl, NEXT, v, v - 1) !== v) continue;
      try {
        this.chunk(this.params, (v & 0xffff) - 1, ws);
      } catch (e) {
        error = e;
      }
      Atomics.sub(ctl, PENDING, 1);
    }
    // the workers' chunks: wait even after an error, so no worker still runs when the next task starts.
    // Awake first: a worker's last chunk usually ends within a chunk's time, and a caller asleep in
    // Atomics.wait takes a futex wake and a reschedule to see it (LeNet's step waited 140-160 µs in
    // its five split tasks asleep, 50 awake; bench/README.md)
    const until = performance.now() + SPIN_MS;
    for (let i = 1; Atomics.load(ctl, PENDING) !== 0; i++) if ((i & 255) === 0 && performance.now() > until) break;
    for (let p = Atomics.load(ctl, PENDING); p !== 0; p = Atomics.load(ctl, PENDING)) Atomics.wait(ctl, PENDING, p);
    if (error !== null) throw error;
    if (Atomics.load(ctl, FAILED) !== 0) throw new RuntimeError('matmul: a WebAssembly worker failed');
  }
}
