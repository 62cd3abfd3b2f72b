/**
 * The 'cuda' backend on WebGPU, main-thread side. Ops are enqueued (no per-op round trip) and sent
 * to the device worker in batches; reads block on Atomics until the worker has copied the bytes.
 * Buffers come from a size-bucketed pool and return to it when their storage is garbage collected.
 *
 * Storage: float32 as f32; int32, int64, uint8 and bool as i32 (WGSL has no 8- or 64-bit
 * storage). int64 values must fit in int32: uploads outside that range raise an error instead of
 * wrapping, and integer arithmetic on the device wraps at 32 bits. float64 is not supported.
 *
 * Random numbers are drawn on the device (Philox4x32-10, see randomPlan). GPU errors and device
 * loss are recorded by the worker and thrown on the next op or read; after a loss the next op
 * starts a new worker and device, and storages of the lost one refuse to be used.
 *
 * Device-side asserts, as CUDA's: kernels that check their indices (nll_loss's targets, and the
 * index check every indexing op runs: x[idx], gather, scatter, index_select, index_add_, take,
 * embedding) record a failure in a small device buffer instead of reading anything back, and the
 * next read (item, tolist, printing, cpu) or torch.cuda.synchronize() raises it, "CUDA error:
 * device-side assert triggered: index 7 is out of bounds for dimension 0 with size 5", since the
 * kernel ran asynchronously. With CUDA_LAUNCH_BLOCKING=1 such kernels are waited for, so the
 * error points at the op that failed.
 */

import { Worker } from 'node:worker_threads';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArgReduceOp, Backend, PointwiseFn, RandomFill, ReduceOp, ScanOp, Storage, View } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { registerBackend } from '../../device.js';
import { int32 as dtypeInt32 } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { numelOf, collapse } from '../../shape.js';
import { C, CONTROL_BYTES, readText, SHARED_BYTES, TEXT_BYTES, SLOT_BYTES, SLOTS, type AdapterReport, type Cmd, type WorkerInit } from './protocol.js';
import {
  argreducePlan, pointwisePlan, putPlan, randomPlan, reducePlan, scanPlan, sortFinalPlan, sortInitPlan, sortStepPlan, takePlan,
  type Plan, type PutMode, type PwInput, type Strided,
} from './kernels.js';
import { storageType, UNIFORM_WORDS, type ScalarType } from './wgsl.js';
import { matmulPlanFor } from './matmul.js';
import { nllBackwardPlan, nllPlan, softmaxBackwardPlan, softmaxPlan } from './softmax.js';
import { deviceAssertError, indexAssertCode, launchBlocking } from './asserts.js';
import { checkIndexPlan } from './indexing.js';
import { checkDtype, fromDevice, toDevice } from './values.js';

export class GpuStorage implements Storage {
  version = 0;
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly size: number,
    /** @internal the worker's buffer id */ readonly id: number,
    /** @internal the pool bucket it came from */ readonly bytes: number,
    /** @internal the device whose buffer it is */ readonly owner: GpuDevice,
  ) {}
}

function gpu(s: Storage): GpuStorage {
  if (!(s instanceof GpuStorage)) throw new RuntimeError(`expected a cuda storage, got one of ${s.backend.type}`);
  if (s.owner.lostWith !== null) {
    throw new RuntimeError(
      `this cuda tensor's memory was lost with its WebGPU device (${s.owner.lostWith}). cuda operations now run on a newly ` +
        'acquired device, but tensors made before the loss are gone: create them again (e.g. reload a saved state_dict).',
    );
  }
  return s;
}

/** Pool buckets: powers of two up to 1 MiB, then whole MiB. */
function bucket(bytes: number): number {
  const b = Math.max(256, bytes);
  if (b <= 1 << 20) return 2 ** Math.ceil(Math.log2(b));
  return Math.ceil(b / (1 << 20)) * (1 << 20);
}

function workerSource(): { file: URL } | { code: string } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { file: new URL('./worker.js', here) };
  // running from source (tests, tsx): load the TypeScript worker through tsx's ESM API
  const target = new URL('./worker.ts', here).href;
  const api = pathToFileURL(createRequire(fileURLToPath(here)).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  // a failure to load is reported the way the worker reports "no adapter" (state -1 and a message),
  // so the main thread never waits out the start timeout
  return {
    code: `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(target)}, ${JSON.stringify(target)})).catch(async (e) => {
  const { workerData } = await import('node:worker_threads');
  const msg = new TextEncoder().encode('the WebGPU worker failed to load: ' + String((e && e.message) || e)).slice(0, ${TEXT_BYTES});
  new Uint8Array(workerData.shared, ${CONTROL_BYTES}, msg.length).set(msg);
  const c = new Int32Array(workerData.shared, 0, ${CONTROL_BYTES / 4});
  Atomics.store(c, ${C.textLen}, msg.length); Atomics.store(c, ${C.state}, -1); Atomics.notify(c, ${C.state});
})`,
  };
}

/** Whether the user opted in to software adapters (tests and CI do). */
export function softwareAllowed(): boolean {
  const v = process.env.TORCHLAB_ALLOW_SOFTWARE_GPU;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * GPU memory is invisible to V8, and a synchronous training loop never yields to the task that
 * runs FinalizationRegistry callbacks: buffers of dead tensors would only come back when the cell
 * ends. So when the pool runs dry after enough allocation, the client collects garbage itself and
 * runs the registry's callbacks on the spot (V8's gc and cleanupSome, enabled for a fresh context).
 */
interface Reclaim {
  gc: () => void;
  Registry: typeof FinalizationRegistry;
}
function reclaimer(): Reclaim | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    v8.setFlagsFromString('--harmony-weak-refs-with-cleanup-some');
    const gc: unknown = vm.runInNewContext('gc');
    const Registry: unknown = vm.runInNewContext('FinalizationRegistry');
    if (typeof gc !== 'function' || typeof Registry !== 'function') return null;
    if (typeof (Registry.prototype as { cleanupSome?: unknown }).cleanupSome !== 'function') return null;
    return { gc: gc as () => void, Registry: Registry as typeof FinalizationRegistry };
  } catch {
    return null;
  }
}
/** Growth of live bytes since the last collection that makes a dry pool collect garbage. */
let reclaimBytes = 64 << 20;

const START_TIMEOUT_MS = 30_000;
const READ_TIMEOUT_MS = 600_000;

/** One WebGPU device: the worker, the command batch, the buffer pool. */
class GpuDevice {
  readonly ctrl: Int32Array;
  private cmds: Cmd[] = [];
  private readonly uniforms = new ArrayBuffer(SLOTS * SLOT_BYTES);
  private readonly words = new Int32Array(this.uniforms);
  private slot = 0;
  private scheduled = false;
  private readonly shaders = new Set<string>();
  private readBuf = new SharedArrayBuffer(1 << 16);
  private nextId = 1;
  private readonly free = new Map<number, number[]>();
  private readonly reclaim = reclaimer();
  private readonly registry: FinalizationRegistry<{ id: number; bytes: number }> = new (this.reclaim?.Registry ?? FinalizationRegistry)<{ id: number; bytes: number }>(
    (h) => this.release(h.id, h.bytes),
  );
  get canReclaim(): boolean {
    return this.reclaim !== null;
  }
  /** memory_allocated() right after the last collection. */
  private afterCollect = 0;
  allocated = 0;
  peak = 0;
  reserved = 0;
  /** Work sent to the device and host round trips, for the tests that check there is no CPU fallback. */
  readonly stats = { dispatches: 0, uploads: 0, reads: 0 };
  /** The loss message once the device is lost; its storages then refuse to be used. */
  lostWith: string | null = null;
  /** Batches were sent since the last completed read. */
  private busy = false;
  /** The assert buffer's id (0 until a checking kernel needs it); its words are code, value. */
  private assertId = 0;
  /** A checking kernel was queued since the last read: the next read brings the assert words back. */
  private armed = false;

  constructor(
    private readonly worker: Worker,
    readonly shared: SharedArrayBuffer,
    readonly info: AdapterReport,
    readonly backend: Backend,
  ) {
    this.ctrl = new Int32Array(shared, 0, CONTROL_BYTES / 4);
  }

  /**
   * Throws the GPU error the worker recorded since the last check, if any. A lost device is
   * dropped: the next cuda op starts a new one.
   */
  check(): void {
    if (Atomics.load(this.ctrl, C.error) === 0) return;
    const msg = readText(this.shared);
    Atomics.store(this.ctrl, C.error, 0);
    if (Atomics.load(this.ctrl, C.lost) !== 0) {
      this.lose(msg);
      throw new RuntimeError(
        `WebGPU error: ${msg}. The next cuda operation acquires a new device; tensors made on the lost one cannot be used.`,
      );
    }
    throw new RuntimeError(`WebGPU error: ${msg}`);
  }

  private lose(msg: string): void {
    if (this.lostWith !== null) return;
    this.lostWith = msg;
    this.cmds = [];
    this.slot = 0;
    this.worker.postMessage({ type: 'close' });
    forget(this);
  }

  /** @internal destroys the GPUDevice and waits until the worker has seen the loss (tests). */
  destroyForTest(): void {
    this.flush();
    this.worker.postMessage({ type: 'lose' });
    const start = Date.now();
    while (Atomics.load(this.ctrl, C.lost) === 0 && Date.now() - start < 10_000) Atomics.wait(this.ctrl, C.lost, 0, 100);
  }

  acquire(bytes: number): { id: number; bytes: number } {
    const b = bucket(bytes);
    let id = this.free.get(b)?.pop();
    if (id === undefined && this.reclaim && this.allocated - this.afterCollect > reclaimBytes) {
      this.collect(false);
      id = this.free.get(b)?.pop();
    }
    if (id === undefined) {
      id = this.nextId++;
      this.cmds.push({ op: 'create', id, size: b });
      this.reserved += b;
    }
    this.allocated += b;
    if (this.allocated > this.peak) this.peak = this.allocated;
    return { id, bytes: b };
  }

  /** Returns a buffer to the pool; commands already queued that use it still run first (queue order). */
  release(id: number, bytes: number): void {
    let list = this.free.get(bytes);
    if (!list) this.free.set(bytes, (list = []));
    list.push(id);
    this.allocated -= bytes;
  }

  storage(dtype: DType, numel: number): GpuStorage {
    checkDtype(dtype);
    const h = this.acquire(numel * 4);
    const s = new GpuStorage(this.backend, dtype, numel, h.id, h.bytes, this);
    this.registry.register(s, h);
    return s;
  }

  /**
   * Collects garbage now, so that buffers of unreachable tensors go back to the pool. One
   * collection keeps what was allocated while V8 was marking incrementally (it counts as live
   * until the next one); `thorough` runs a second to catch those too.
   */
  collect(thorough: boolean): void {
    if (!this.reclaim) return;
    this.reclaim.gc();
    if (thorough) this.reclaim.gc();
    (this.registry as unknown as { cleanupSome: () => void }).cleanupSome();
    this.afterCollect = this.allocated;
  }

  /**
   * The assert buffer for a kernel about to be queued that checks its indices; the next read
   * checks it (see read()).
   */
  assertBuffer(): number {
    if (this.assertId === 0) {
      this.assertId = this.nextId++;
      this.cmds.push({ op: 'create', id: this.assertId, size: 16 });
    }
    this.armed = true;
    return this.assertId;
  }

  emptyCache(): void {
    this.collect(true);
    const ids: number[] = [];
    for (const [b, list] of this.free) {
      for (const id of list) ids.push(id);
      this.reserved -= b * list.length;
    }
    this.free.clear();
    if (ids.length) this.cmds.push({ op: 'destroy', ids });
    this.schedule();
  }

  upload(id: number, byteOffset: number, data: Float32Array | Int32Array): void {
    this.check();
    if (data.length === 0) return;
    this.stats.uploads++;
    this.cmds.push({ op: 'upload', id, offset: byteOffset, data: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer });
    this.schedule();
  }

  enqueue(plan: Plan, ids: readonly number[]): void {
    this.check();
    if (plan.words.length > UNIFORM_WORDS) {
      throw new RuntimeError(`WebGPU kernels take tensors of at most 16 non-contiguous dims here (needed ${plan.words.length} uniform words)`);
    }
    if (!this.shaders.has(plan.key)) {
      this.cmds.push({ op: 'shader', key: plan.key, code: plan.code(), layout: plan.layout });
      this.shaders.add(plan.key);
    }
    if (this.slot === SLOTS) this.flush();
    this.words.set(plan.words, this.slot * (SLOT_BYTES / 4));
    this.stats.dispatches++;
    this.cmds.push({ op: 'dispatch', key: plan.key, bufs: ids.slice(), slot: this.slot++, x: plan.x, y: plan.y, z: plan.z });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    }).unref();
  }

  flush(): void {
    if (this.cmds.length === 0 || this.lostWith !== null) return;
    const uniforms = this.slot > 0 ? this.uniforms.slice(0, this.slot * SLOT_BYTES) : null;
    this.worker.postMessage({ type: 'batch', cmds: this.cmds, uniforms });
    this.busy = true;
    this.cmds = [];
    this.slot = 0;
  }

  /** The bytes [offset, offset + size) of buffer `id`; blocks until the queued work has run. */
  read(id: number, offset: number, size: number): ArrayBuffer {
    this.check();
    this.flush();
    this.stats.reads++;
    if (size > this.readBuf.byteLength) this.readBuf = new SharedArrayBuffer(2 ** Math.ceil(Math.log2(size)));
    Atomics.store(this.ctrl, C.readDone, 0);
    const assert = this.armed ? this.assertId : 0;
    this.armed = false;
    this.worker.postMessage({ type: 'read', id, offset, size, data: this.readBuf, assert });
    const start = Date.now();
    while (Atomics.load(this.ctrl, C.readDone) === 0) {
      Atomics.wait(this.ctrl, C.readDone, 0, 1000);
      if (Date.now() - start > READ_TIMEOUT_MS) throw new RuntimeError('WebGPU device did not answer a read within 10 minutes');
    }
    this.busy = false;
    this.check();
    const code = Atomics.load(this.ctrl, C.assertCode);
    if (code !== 0) {
      Atomics.store(this.ctrl, C.assertCode, 0);
      throw deviceAssertError(code, Atomics.load(this.ctrl, C.assertValue), Atomics.load(this.ctrl, C.assertDim), Atomics.load(this.ctrl, C.assertSize));
    }
    return new Uint8Array(this.readBuf, 0, size).slice().buffer;
  }

  /**
   * Waits, without throwing, until the worker has run everything sent: Dawn aborts the process
   * when its thread is torn down inside a call, which a plain exit with queued work would do.
   */
  drain(): void {
    if (this.lostWith !== null) return;
    this.flush();
    if (!this.busy) return;
    Atomics.store(this.ctrl, C.readDone, 0);
    this.worker.postMessage({ type: 'read', id: 0, offset: 0, size: 0, data: this.readBuf, assert: 0 });
    const start = Date.now();
    while (Atomics.load(this.ctrl, C.readDone) === 0 && Date.now() - start < READ_TIMEOUT_MS) Atomics.wait(this.ctrl, C.readDone, 0, 1000);
    this.busy = false;
  }
}

let state: { dev: GpuDevice | null; reason: string } | null = null;

function start(backend: Backend): { dev: GpuDevice | null; reason: string } {
  const allowSoftware = softwareAllowed();
  // Mesa's EGL reads this when Dawn's OpenGL ES backend starts: no display on a server
  if (allowSoftware && process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
  const shared = new SharedArrayBuffer(SHARED_BYTES);
  const init: WorkerInit = { shared, allowSoftware };
  const src = workerSource();
  let worker: Worker;
  try {
    worker = 'file' in src ? new Worker(src.file, { workerData: init }) : new Worker(src.code, { eval: true, workerData: init });
  } catch (e) {
    return { dev: null, reason: `the WebGPU worker did not start (${e instanceof Error ? e.message : String(e)})` };
  }
  worker.unref();
  const ctrl = new Int32Array(shared, 0, CONTROL_BYTES / 4);
  Atomics.wait(ctrl, C.state, 0, START_TIMEOUT_MS);
  const st = Atomics.load(ctrl, C.state);
  if (st !== 1) {
    void worker.terminate();
    return { dev: null, reason: st === 0 ? 'the WebGPU adapter did not answer in time' : readText(shared) };
  }
  const info = JSON.parse(readText(shared)) as AdapterReport;
  const dev = new GpuDevice(worker, shared, info, backend);
  process.once('exit', () => dev.drain());
  return { dev, reason: '' };
}

/** The device, starting the worker on first use; null when there is no usable adapter. */
export function connect(): { dev: GpuDevice | null; reason: string } {
  return (state ??= start(webgpuBackend));
}

/** Drops a lost device, so that the next connect() starts a new worker and device. */
function forget(d: GpuDevice): void {
  if (state?.dev === d) state = null;
}

/** @internal destroys the current GPUDevice, as a driver reset would (tests of recovery). */
export function _destroyDeviceForTest(): void {
  device().destroyForTest();
}

/**
 * @internal sets how many bytes must be allocated since the last collection before a dry pool
 * collects garbage (64 MiB; tests lower it to see the pool recycle within a few steps); returns
 * the previous value.
 */
export function _setReclaimBytes(bytes: number): number {
  const prev = reclaimBytes;
  reclaimBytes = bytes;
  return prev;
}

/** @internal whether the pool can collect garbage by itself (V8's gc and cleanupSome were enabled). */
export function _canReclaim(): boolean {
  return connect().dev?.canReclaim ?? false;
}

/** @internal work sent to the current device and reads back from it since it started (tests). */
export function _deviceStats(): { dispatches: number; uploads: number; reads: number } {
  return { ...device().stats };
}

function device(): GpuDevice {
  const s = connect();
  if (!s.dev) {
    throw new RuntimeError(
      `Torch not compiled with CUDA enabled: torchlab found no WebGPU device for 'cuda' (${s.reason}). ` +
        `Use device 'cpu', or run where a WebGPU adapter exists (TORCHLAB_ALLOW_SOFTWARE_GPU=1 opts in to a software one).`,
    );
  }
  return s.dev;
}

/** The adapter description, pool counters and cache control for torch.cuda. */
export function deviceInfo(): AdapterReport {
  return device().info;
}
/**
 * The pool's counters, after a garbage collection: a JavaScript tensor frees its buffer only when
 * collected, so without one the figures would count tensors that are unreachable but not yet
 * collected (PyTorch frees them on the spot, by reference counting).
 */
export function memoryStats(): { allocated: number; peak: number; reserved: number } {
  const d = device();
  d.collect(true);
  return { allocated: d.allocated, peak: d.peak, reserved: d.reserved };
}
export function resetPeak(): void {
  const d = device();
  d.peak = d.allocated;
}
export function emptyCache(): void {
  if (state?.dev) state.dev.emptyCache();
}
export function synchronize(): void {
  const d = device();
  d.read(0, 0, 0);
}

// ---- the Backend ----

/** Binds storages to binding slots (slot 0 first); the same storage shares one slot. */
class Bindings {
  readonly storages: GpuStorage[] = [];
  readonly types: ScalarType[] = [];
  bind(s: Storage): number {
    const g = gpu(s);
    let k = this.storages.indexOf(g);
    if (k < 0) {
      k = this.storages.length;
      this.storages.push(g);
      this.types.push(storageType(g.dtype));
    }
    return k;
  }
  strided(v: View): Strided {
    return { binding: this.bind(v.storage), dtype: v.dtype, offset: v.offset, strides: v.strides };
  }
  get ids(): number[] {
    return this.storages.map((s) => s.id);
  }
}

const identity: PointwiseFn = { key: 'identity', f: (_A, x) => x };

function isContiguousRun(v: View): boolean {
  const c = collapse(v.shape, [v.strides]);
  return c.shape.length === 1 && (c.strides[0]![0] === 1 || c.shape[0] === 1);
}

/** dst's storage at offsets[i] (assigned, added or multiplied by values[i]), on the device. */
function putInto(dst: Storage, offsets: View, values: View, mode: PutMode): void {
  const d = device();
  const n = numelOf(offsets.shape);
  if (n === 0) return;
  // kernels must not read what they write
  const offs = offsets.storage === dst ? copyOf(d, offsets) : offsets;
  const vals = values.storage === dst ? copyOf(d, values) : values;
  const b = new Bindings();
  b.bind(dst);
  const off = b.strided(offs);
  const val = b.strided(vals);
  d.enqueue(putPlan(n, dst.dtype, off, offs.shape, val, vals.shape, mode), b.ids);
}

/** A contiguous copy of `v` in a fresh storage (for kernels that must not read what they write). */
function copyOf(d: GpuDevice, v: View): View {
  const s = d.storage(v.dtype, numelOf(v.shape));
  const strides: number[] = [];
  let acc = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= v.shape[i]!;
  }
  const out: View = { storage: s, dtype: v.dtype, shape: v.shape, strides, offset: 0 };
  pointwise(d, identity, out, [v]);
  return out;
}

function pointwise(d: GpuDevice, fn: PointwiseFn, out: View, inputs: readonly (View | number)[]): void {
  if (numelOf(out.shape) === 0) return;
  const b = new Bindings();
  const o = b.strided(out);
  const ins: PwInput[] = inputs.map((x) => (typeof x === 'number' ? { kind: 'scalar', value: x } : { kind: 'view', view: b.strided(x) }));
  d.enqueue(pointwisePlan(fn, out.shape, o, ins, b.types), b.ids);
}

function readView(d: GpuDevice, v: View): TypedArray {
  const n = numelOf(v.shape);
  if (n === 0) return new v.dtype.array(0);
  const src = isContiguousRun(v) ? v : copyOf(d, v);
  const s = gpu(src.storage);
  return fromDevice(v.dtype, d.read(s.id, src.offset * 4, n * 4), n);
}

const nextPow2 = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Philox4x32-10 samples drawn on the device (see randomPlan); one offset per call. */
function random(d: GpuDevice, fill: RandomFill, out: View, seed: bigint, offset: number): void {
  if (numelOf(out.shape) === 0) return;
  const b = new Bindings();
  const o = b.strided(out);
  switch (fill.dist) {
    case 'uniform':
      d.enqueue(randomPlan('uniform', out.shape, o, seed, offset, fill.from, fill.to, null), b.ids);
      return;
    case 'normal':
      d.enqueue(randomPlan('normal', out.shape, o, seed, offset, fill.mean, fill.std, null), b.ids);
      return;
    case 'randint':
      d.enqueue(randomPlan('randint', out.shape, o, seed, offset, fill.low, fill.range, null), b.ids);
      return;
    case 'bernoulli': {
      const p = fill.p;
      if (typeof p === 'number') {
        // P(word < floor(p * 2^32)) is p to within 2^-32; p = 1 always draws 1
        d.enqueue(randomPlan('bernoulli', out.shape, o, seed, offset, p >= 1 ? 1 : 0, Math.floor(p * 2 ** 32), null), b.ids);
        return;
      }
      const pv = p.storage === out.storage ? copyOf(d, p) : p;
      const ps = b.strided(pv);
      d.enqueue(randomPlan('bernoulliT', out.shape, o, seed, offset, 0, 0, ps), b.ids);
      return;
    }
  }
}

/** @internal the raw Philox4x32-10 words of counters (k, 0, offset) under key `seed`, k < blocks (known-answer tests). */
export function _philoxWords(seed: bigint, offset: number, blocks: number): Uint32Array {
  const d = device();
  const s = d.storage(dtypeInt32, blocks * 4);
  const out: View = { storage: s, dtype: dtypeInt32, shape: [blocks * 4], strides: [1], offset: 0 };
  d.enqueue(randomPlan('raw', out.shape, { binding: 0, dtype: dtypeInt32, offset: 0, strides: [1] }, seed, offset, 0, 0, null), [s.id]);
  return new Uint32Array(d.read(s.id, 0, blocks * 16));
}

export const webgpuBackend: Backend = {
  type: 'cuda',
  alloc(dtype, numel) {
    return device().storage(dtype, numel);
  },
  fromArray(dtype, data) {
    const d = device();
    const s = d.storage(dtype, data.length);
    d.upload(s.id, 0, toDevice(dtype, data));
    return s;
  },
  read(v) {
    return readView(device(), v);
  },
  write(dst, values) {
    const d = device();
    const n = numelOf(dst.shape);
    if (n === 0) return;
    const data = toDevice(dst.dtype, values.length === n ? values : values.subarray(0, n));
    if (isContiguousRun(dst)) {
      d.upload(gpu(dst.storage).id, dst.offset * 4, data);
      return;
    }
    const tmp = d.storage(dst.dtype, n);
    d.upload(tmp.id, 0, data);
    const strides: number[] = [];
    let acc = 1;
    for (let i = dst.shape.length - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= dst.shape[i]!;
    }
    pointwise(d, identity, dst, [{ storage: tmp, dtype: dst.dtype, shape: dst.shape, strides, offset: 0 }]);
  },
  pointwise(fn, out, inputs) {
    pointwise(device(), fn, out, inputs);
  },
  reduce(op: ReduceOp, input, out, k) {
    const d = device();
    if (numelOf(out.shape) === 0) return;
    const b = new Bindings();
    const o = b.strided(out);
    const i = b.strided(input);
    d.enqueue(reducePlan(op, input.shape, i, o, out.strides, k), b.ids);
  },
  argreduce(op: ArgReduceOp, input, values, indices) {
    const d = device();
    const outer = input.shape.slice(0, -1);
    if (numelOf(outer) === 0) return;
    const b = new Bindings();
    const ix = b.strided(indices);
    const vs = values ? b.strided(values) : null;
    const inp = b.strided(input);
    d.enqueue(argreducePlan(op, outer, input.shape[input.shape.length - 1]!, inp, vs, ix), b.ids);
  },
  scan(op: ScanOp, input, out, indices) {
    const d = device();
    if (numelOf(out.shape) === 0) return;
    const src = input.storage === out.storage || input.storage === indices?.storage ? copyOf(d, input) : input;
    const b = new Bindings();
    const o = b.strided(out);
    const ix = indices ? b.strided(indices) : null;
    const inp = b.strided(src);
    d.enqueue(scanPlan(op, input.shape.slice(0, -1), input.shape[input.shape.length - 1]!, inp, o, ix), b.ids);
  },
  sort(input, values, indices, descending) {
    const d = device();
    const outer = input.shape.slice(0, -1);
    const m = input.shape[input.shape.length - 1]!;
    const rows = numelOf(outer);
    if (rows === 0 || m === 0) return;
    const P = nextPow2(m);
    const t = storageType(input.dtype);
    const keys = d.acquire(rows * P * 4);
    const idx = d.acquire(rows * P * 4);
    const inp: Strided = { binding: 2, dtype: input.dtype, offset: input.offset, strides: input.strides };
    d.enqueue(sortInitPlan(outer, m, P, inp), [keys.id, idx.id, gpu(input.storage).id]);
    for (let k = 2; k <= P; k *= 2) {
      for (let j = k / 2; j >= 1; j /= 2) d.enqueue(sortStepPlan(rows, P, k, j, t, descending), [keys.id, idx.id]);
    }
    const vs: Strided = { binding: 0, dtype: values.dtype, offset: values.offset, strides: values.strides };
    const is: Strided = { binding: 1, dtype: indices.dtype, offset: indices.offset, strides: indices.strides };
    d.enqueue(sortFinalPlan(outer, m, P, vs, is), [gpu(values.storage).id, gpu(indices.storage).id, keys.id, idx.id]);
    d.release(keys.id, keys.bytes);
    d.release(idx.id, idx.bytes);
  },
  matmul(a, m, out) {
    const d = device();
    const [B, M, K] = a.shape as [number, number, number];
    const N = m.shape[2]!;
    if (B * M * N === 0) return;
    if (K === 0) {
      pointwise(d, identity, out, [0]);
      return;
    }
    for (let z0 = 0; z0 < B; z0 += 65535) {
      const nb = Math.min(65535, B - z0);
      const b = new Bindings();
      const o = b.strided({ ...out, offset: out.offset + z0 * out.strides[0]! });
      const x = b.strided({ ...a, offset: a.offset + z0 * a.strides[0]! });
      const y = b.strided({ ...m, offset: m.offset + z0 * m.strides[0]! });
      d.enqueue(matmulPlanFor(d.info.software, nb, M, N, K, x, y, o), b.ids);
    }
  },
  take(src, offsets, out) {
    const d = device();
    if (numelOf(out.shape) === 0) return;
    const b = new Bindings();
    const o = b.strided(out);
    const off = b.strided(offsets);
    const s: Strided = { binding: b.bind(src), dtype: src.dtype, offset: 0, strides: [] };
    d.enqueue(takePlan(out.shape, o, off, s, offsets.shape), b.ids);
  },
  random(fill, out, seed, offset) {
    random(device(), fill, out, seed, offset);
  },
  softmax(input, out, log) {
    const d = device();
    const m = input.shape[input.shape.length - 1] ?? 1;
    if (numelOf(input.shape) === 0) return;
    const src = input.storage === out.storage ? copyOf(d, input) : input;
    const b = new Bindings();
    const o = b.strided(out);
    const i = b.strided(src);
    d.enqueue(softmaxPlan(input.shape.slice(0, -1), m, i, o, log, b.types), b.ids);
  },
  softmaxBackward(grad, output, gradInput, log) {
    const d = device();
    const m = grad.shape[grad.shape.length - 1] ?? 1;
    if (numelOf(grad.shape) === 0) return;
    const g = grad.storage === gradInput.storage ? copyOf(d, grad) : grad;
    const y = output.storage === gradInput.storage ? copyOf(d, output) : output;
    const b = new Bindings();
    const gi = b.strided(gradInput);
    const gs = b.strided(g);
    const ys = b.strided(y);
    d.enqueue(softmaxBackwardPlan(grad.shape.slice(0, -1), m, gs, ys, gi, log, b.types), b.ids);
  },
  nllLoss(input, target, weight, ignoreIndex, loss, w) {
    const d = device();
    if (numelOf(target.shape) === 0) return;
    const C = input.shape[input.shape.length - 1]!;
    const b = new Bindings();
    const ls = b.strided(loss);
    const ws = b.strided(w);
    const inp = b.strided(input);
    const tg = b.strided(target);
    const wt = weight ? b.strided(weight) : null;
    const err = d.assertBuffer();
    d.enqueue(nllPlan(target.shape, C, inp, tg, wt, ignoreIndex, ls, ws, b.types), [...b.ids, err]);
    if (launchBlocking()) d.read(0, 0, 0);
  },
  nllLossBackward(target, w, scale, ignoreIndex, gradInput) {
    const d = device();
    if (numelOf(gradInput.shape) === 0) return;
    const C = gradInput.shape[gradInput.shape.length - 1]!;
    const inputs = [target, w, scale].map((v) => (v.storage === gradInput.storage ? copyOf(d, v) : v));
    const b = new Bindings();
    const gi = b.strided(gradInput);
    const [tg, ws, sc] = inputs.map((v) => b.strided(v)) as [Strided, Strided, Strided];
    d.enqueue(nllBackwardPlan(target.shape, C, tg, ws, sc, ignoreIndex, gi, b.types), b.ids);
  },
  put(dst, offsets, values, accumulate) {
    putInto(dst, offsets, values, accumulate ? 'add' : 'assign');
  },
  putMultiply(dst, offsets, values) {
    putInto(dst, offsets, values, 'multiply');
  },
  checkIndex(index, out, size, wrap, check) {
    const d = device();
    if (numelOf(index.shape) === 0) return;
    const src = index.storage === out.storage ? copyOf(d, index) : index;
    const o: Strided = { binding: 0, dtype: out.dtype, offset: out.offset, strides: out.strides };
    const i: Strided = { binding: 1, dtype: src.dtype, offset: src.offset, strides: src.strides };
    const dim = check.kind === 'take' ? 0 : check.dim;
    const err = d.assertBuffer();
    d.enqueue(checkIndexPlan(index.shape, i, o, size, wrap, indexAssertCode(check), dim), [gpu(out.storage).id, gpu(src.storage).id, err]);
    if (launchBlocking()) d.read(0, 0, 0);
  },
};

registerBackend('cuda', (index) => {
  const d = device();
  if (index !== 0) throw new RuntimeError('CUDA error: invalid device ordinal');
  return d.backend;
});
