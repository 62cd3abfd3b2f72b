/**
 * float32 matmul on the WebAssembly SIMD GEMM of gemm.wat, one thread or a worker pool.
 *
 * WebAssembly memory is separate from the tensors' typed arrays, so each product copies its
 * operands in (one bulk copy of the span a view covers when that span is dense enough, which
 * covers contiguous, transposed and batch-broadcast views; else a gather), runs, and copies C out.
 * The kernel packs the operands itself, so any element strides work.
 *
 * The module is assembled by `npm run build:wasm` (also part of build, prepare and test) into
 * gemm.wasm beside this file and loaded synchronously on first use (no top-level await, see
 * DESIGN). Without it `wasmMatmul` returns false and the caller keeps the JavaScript kernel.
 * The same source also becomes gemm_fma.wasm, whose micro-kernel uses relaxed SIMD's fused
 * multiply-add (about 13% faster on this x64 machine): it is loaded where the runtime validates it, which Node 20
 * does only once V8's `--experimental-wasm-relaxed-simd` is set (done here at load, as the WebGPU
 * client sets its flags) and Node 22+ by default; elsewhere gemm.wasm runs.
 *
 * Memory layout: [0, 4096) the pools' control blocks and the task parameters; then one workspace per
 * thread; then the blocks that outlive a call (resident.ts: optimizer state, the parameters the
 * optimizers update, optim.ts's scratch block); then, from `dataStart`, the operands of the current
 * call (a product, a convolution), grown as needed up to 2 GiB (byte addresses must stay positive
 * i32). conv.ts and optim.ts run their kernels on the same memory.
 */

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import v8 from 'node:v8';
import type { View } from '../../../backend.js';
import { GemmPool, MAX_CHUNKS } from './pool.js';

/** The part of the WebAssembly JS API used here (its types live in lib.dom, which this project leaves out). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
export type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
}
/** The global WebAssembly object, typed by the part used here; the other wasm kernels use it too. */
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const PAGE = 65536;
const MAX_PAGES = 32768;
/**
 * Byte addresses of the task parameters (18 i32, see `chunk` in gemm.wat) and of the calling
 * thread's workspace; the worker pools' control blocks (pool.ts) are at 0 (the engine's binary)
 * and CTL_PLAIN (gemm.wasm when `wasmGemmConfig.fma` turns the fused one off).
 */
export const PARAMS = 64;
const CTL_PLAIN = 256;
export const WS_BASE = 4096;
/** Threads (the caller included) the memory has workspaces for; at least 2 so the pool is testable anywhere. */
const SLOTS = Math.max(2, Math.min(16, availableParallelism()));

/**
 * Multiply-adds below which a product stays on one thread: waking a worker and the second copy of
 * a packed panel cost more than the second thread saves below about 128^3 (on 2 cores: 100^3 65
 * against 70 µs on two threads, 128^3 109 against 97, 160^3 196 against 158). The training
 * products just above it gain too: LeNet's first fully connected layer (64x400x120, forward and
 * both gradients) and the MNIST MLP's first at batch 64 (64x784x64); their steps were 1.5% and 5%
 * shorter than with 160^3, the threshold before.
 */
const THREAD_MIN_MACS = 128 * 128 * 128;

/** conv.wat's C = A·Bᵀ over operands both read along k, unpacked (see provideGemmNT). */
export type GemmNT = (
  M: number, N: number, K: number, a: number, lda: number, sa: number, b: number, ldb: number, sb: number, B: number, c: number, ldc: number, onto: number,
) => void;

let gemmNT: (() => GemmNT | null) | null = null;

/**
 * conv.ts hands over its gemmNT (loaded on first use), which `wasmMatmul` runs for nn.Linear's
 * `x @ W.t()` on small batches (`ntMaxRows`): with k contiguous in both operands nothing needs
 * packing, where the packed GEMM transposes both (10x784 @ (64x784)ᵀ: 21 against 35 µs for the kernels).
 */
export function provideGemmNT(get: () => GemmNT | null): void {
  gemmNT = get;
}

interface GemmExports {
  workspaceBytes(): number;
  chunk(params: number, index: number, ws: number): void;
}

/** One binary instantiated on the engine's memory, with the worker pool that runs it. */
interface Variant {
  module: WasmModule;
  exports: GemmExports;
  pool: GemmPool | null;
  /** Byte address of its pool's control block. */
  ctl: number;
}

/** The memory and the binary conv.ts shares: gemm_fma.wasm when `fma`. */
export interface Engine extends Variant {
  memory: WasmMemory;
  fma: boolean;
  wsStride: number;
  /** Where calls stage their operands: above the workspaces and the resident blocks (resident.ts). */
  dataStart: number;
  heap: Float32Array;
  /** gemm.wasm on the same memory when `fma` but the config asks for the unfused binary; made on first use. */
  plain: Variant | null;
}

/**
 * The knobs that bench/ and the tests turn. `threads` counts the calling thread; `minMacs` is the
 * product size (M*N*K) from which matmul.ts sends float32 here: below it the fixed cost of copying
 * in and out is more than the JavaScript kernel needs for the whole product.
 */
export const wasmGemmConfig = {
  enabled: true,
  // false runs gemm.wasm (multiply, round, add) even where gemm_fma.wasm loads: for tests and bench
  fma: true,
  threads: Math.min(SLOTS, availableParallelism()),
  threadMinMacs: THREAD_MIN_MACS,
  // break-even with the JavaScript kernel measured at about 12^3; at 16^3 this path is 2x faster
  minMacs: 2048,
  /**
   * Products of A (k contiguous) and B with k contiguous (x @ W.t()) of at most this many rows run
   * conv.wat's unpacked gemmNT on one thread: 10x784 @ (64x784)ᵀ with bias 40 against 46 µs; at
   * 64 rows the packed kernel is ahead (167 against 171). 0 turns it off. gemmNT sums an element in
   * four lanes (k mod 4) and then across them where the packed kernel sums in k order, so such a
   * product may differ in the last bits from the same product in other layouts (never between
   * thread counts: the choice depends on shapes and layouts only).
   */
  ntMaxRows: 16,
};

/** How many threads the memory has workspaces for: the most `threads` can usefully be. */
export const wasmGemmSlots = SLOTS;

let engine: Engine | null | undefined;

/** A binary assembled beside this file by build.mjs, or null when it has not been built. */
export function readBinary(name: string): Uint8Array | null {
  try {
    return readFileSync(new URL(name, import.meta.url));
  } catch {
    return null;
  }
}

/** The exports of a module beside this file that brings its own memory (relu.wasm, reduce.wasm), or null when it has not been built. */
export function instantiate<T>(name: string): T | null {
  const bytes = readBinary(name);
  return bytes && (new WA.Instance(new WA.Module(bytes), {}).exports as T);
}

/**
 * The fused multiply-add variant `name` (gemm_fma.wasm, conv_fma.wasm) when this runtime accepts
 * relaxed SIMD, with V8's flag set if that is what it takes (whichever kernel loads first sets it).
 */
export function fusedBinary(name: string): Uint8Array | null {
  const bytes = readBinary(name);
  if (bytes === null) return null;
  if (WA.validate(bytes)) return bytes;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return null;
  }
  return WA.validate(bytes) ? bytes : null;
}

function load(): Engine | null {
  const fused = fusedBinary('./gemm_fma.wasm');
  const bytes = fused ?? readBinary('./gemm.wasm');
  if (bytes === null) return null;
  const module = new WA.Module(bytes);
  const memory = new WA.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const exports = new WA.Instance(module, { env: { memory } }).exports as GemmExports;
  const wsStride = Math.ceil(exports.workspaceBytes() / 64) * 64;
  const dataStart = WS_BASE + SLOTS * wsStride;
  memory.grow(Math.ceil(dataStart / PAGE) - 1);
  const heap = new Float32Array(memory.buffer);
  buffers.add(heap.buffer);
  return { module, memory, exports, wsStride, dataStart, heap, pool: null, ctl: 0, fma: fused !== null, plain: null };
}

/** The binary `wasmMatmul` runs: the engine's own, or gemm.wasm beside it when the config turns fusion off. */
function variant(e: Engine): Variant {
  if (wasmGemmConfig.fma || !e.fma) return e;
  if (e.plain === null) {
    const bytes = readBinary('./gemm.wasm');
    if (bytes === null) return e;
    const module = new WA.Module(bytes);
    const exports = new WA.Instance(module, { env: { memory: e.memory } }).exports as GemmExports;
    e.plain = { module, exports, pool: null, ctl: CTL_PLAIN };
  }
  return e.plain;
}

/** Whether the products run gemm_fma.wasm (relaxed SIMD's multiply-add) now: for tests and bench. */
export function wasmGemmFused(): boolean {
  const e = wasmGemm();
  return e !== null && variant(e) === e && e.fma;
}

/** The engine, loaded on first use; null when gemm.wasm has not been built. */
export function wasmGemm(): Engine | null {
  if (engine === undefined) engine = load();
  return engine;
}

/** The buffers the memory has had: a grown shared memory hands out a new one over the same bytes. */
const buffers = new WeakSet<ArrayBufferLike>();

/**
 * Counts the uses of the data area: every call that stages there (or a resident block added at its
 * start) goes through ensureMemory first, so a result left there is still intact while this is unchanged.
 */
let stagingEpoch = 0;

/** Grows the memory to at least `end` bytes (false past its maximum, or when the system refuses) and refreshes `heap`. */
export function ensureMemory(e: Engine, end: number): boolean {
  stagingEpoch++;
  if (end > MAX_PAGES * PAGE) return false;
  const pages = e.memory.buffer.byteLength / PAGE;
  if (end > pages * PAGE) {
    try {
      e.memory.grow(Math.ceil(end / PAGE) - pages);
    } catch {
      return false;
    }
  }
  // a grown shared memory gets a new, longer buffer object
  if (e.heap.length * 4 !== e.memory.buffer.byteLength) {
    e.heap = new Float32Array(e.memory.buffer);
    buffers.add(e.heap.buffer);
  }
  return true;
}

/** Whether a typed array lies in the engine's memory (its byte address is then `byteOffset`). */
export function inWasmMemory(a: { readonly buffer: ArrayBufferLike }): boolean {
  return buffers.has(a.buffer);
}

/** Records a buffer object of the engine's memory (resident.ts's arrays are made on `heap.buffer`). */
export function markWasmBuffer(b: ArrayBufferLike): void {
  buffers.add(b);
}

/** A 3-d operand as the kernel sees it: element offset in the heap and strides (batch first). */
interface Staged {
  at: number;
  s0: number;
  s1: number;
  s2: number;
}

/** Element range [lo, hi] a 3-d view touches; a batch dim of size 1 broadcasts (stride 0). */
function span(v: View): [number, number] {
  let lo = v.offset;
  let hi = v.offset;
  for (let d = 0; d < 3; d++) {
    const n = v.shape[d]!;
    const s = d === 0 && n === 1 ? 0 : v.strides[d]!;
    if (s > 0) hi += (n - 1) * s;
    else lo += (n - 1) * s;
  }
  return [lo, hi];
}

/** Elements an operand occupies in the heap: its span when dense enough, else its element count. */
function stagedLength(v: View): number {
  const [lo, hi] = span(v);
  const numel = v.shape[0]! * v.shape[1]! * v.shape[2]!;
  return hi - lo + 1 <= 2 * numel + 1024 ? hi - lo + 1 : numel;
}

function stage(src: Float32Array, v: View, heap: Float32Array, at: number): Staged {
  const [n0, n1, n2] = v.shape as [number, number, number];
  const s0 = n0 === 1 ? 0 : v.strides[0]!;
  // an operand in the memory already (a parameter the optimizer placed there) is read in place
  if (buffers.has(src.buffer)) return { at: src.byteOffset / 4 + v.offset, s0, s1: v.strides[1]!, s2: v.strides[2]! };
  const [lo, hi] = span(v);
  if (hi - lo + 1 <= 2 * n0 * n1 * n2 + 1024) {
    heap.set(src.subarray(lo, hi + 1), at);
    return { at: at + v.offset - lo, s0, s1: v.strides[1]!, s2: v.strides[2]! };
  }
  // a sparse view (e.g. a narrow slice of a big tensor): gather it contiguously
  const s1 = v.strides[1]!;
  const s2 = v.strides[2]!;
  let d = at;
  for (let b = 0; b < n0; b++) {
    for (let i = 0; i < n1; i++) {
      let q = v.offset + b * s0 + i * s1;
      for (let j = 0; j < n2; j++, q += s2) heap[d++] = src[q]!;
    }
  }
  return { at, s0: n0 === 1 ? 0 : n1 * n2, s1: n2, s2: 1 };
}

/**
 * out[b] = a[b] @ m[b] on 3-d float32 views ([B,M,K] x [B,K,N] -> [B,M,N], K >= 1), or false when
 * the WebAssembly module is unavailable or the operands do not fit its memory. With `bias` (a view
 * whose last dim holds N values), out[b] = bias + a[b] @ m[b], the products added onto the bias.
 */
export function wasmMatmul(
  ad: Float32Array, a: View, bd: Float32Array, b: View, od: Float32Array, o: View,
  bias: { data: Float32Array; view: View } | null = null,
): boolean {
  if (!wasmGemmConfig.enabled) return false;
  const e = wasmGemm();
  if (e === null) return false;
  const [B, M, N] = o.shape as [number, number, number];
  const K = a.shape[2]!;
  const lenA = buffers.has(ad.buffer) ? 0 : stagedLength(a);
  const lenB = buffers.has(bd.buffer) ? 0 : stagedLength(b);
  // an output in the memory already (a gradient block the CPU allocator keeps there) is written in place
  const [so0, so1, so2] = o.strides as [number, number, number];
  const inPlace = buffers.has(od.buffer) && so2 === 1 && so1 === N && (B === 1 || so0 === M * N);
  const lenC = inPlace ? 0 : B * M * N;
  if (!ensureMemory(e, e.dataStart + 4 * (lenA + lenB + lenC))) return false;
  const threads = Math.max(1, Math.min(wasmGemmConfig.threads, SLOTS));
  const parallel = threads > 1 && B * M * N * K >= wasmGemmConfig.threadMinMacs;
  // the workers wake while the operands are staged (gemmNT's few rows run on this thread)
  if (parallel && (B > 1 || M > wasmGemmConfig.ntMaxRows)) variant(e).pool?.wake();
  const heap = e.heap;
  const base = e.dataStart / 4;
  const sa = stage(ad, a, heap, base);
  const sb = stage(bd, b, heap, base + lenA);
  const c = inPlace ? od.byteOffset / 4 + o.offset : base + lenA + lenB;
  if (bias !== null) {
    // addmm: C starts as the bias row in every row of every batch entry, and the product adds onto it
    const { data, view } = bias;
    const st = view.strides[view.strides.length - 1]!;
    const row = heap.subarray(c, c + N);
    if (st === 1) row.set(data.subarray(view.offset, view.offset + N));
    else for (let j = 0; j < N; j++) row[j] = data[view.offset + j * st]!;
    for (let r = 1; r < B * M; r++) heap.copyWithin(c + r * N, c, c + N);
  }
  // A read along its rows and B along its columns (x @ W.t()) with few rows: the choice depends on
  // the shapes only, so a product gives the same bits on any thread count
  const nt = B === 1 && M <= wasmGemmConfig.ntMaxRows && sa.s2 === 1 && sb.s1 === 1 && gemmNT !== null ? gemmNT() : null;
  if (nt !== null) {
    nt(M, N, K, sa.at * 4, sa.s1, 0, sb.at * 4, sb.s2, 0, 1, c * 4, N, bias ? 1 : 0);
    writeOut(heap, c, od, o, inPlace);
    return true;
  }

  // chunks: whole batch entries when there are enough of them, else parts of C's longer side
  let perBatch = 1;
  let size = N;
  const splitRows = M > N;
  if (parallel && B < threads) {
    const len = splitRows ? M : N;
    const unit = splitRows ? 4 : 8;
    // one chunk per thread: every chunk packs its whole A (or B) panel again, which costs more
    // than finer chunks win back in balance (measured at n = 256 and 512 on 2 cores)
    const want = Math.ceil(threads / B);
    size = Math.max(unit, Math.ceil(len / want / unit) * unit);
    perBatch = Math.ceil(len / size);
  } else if (splitRows) {
    size = M;
  }
  const v = variant(e);
  const p = new Int32Array(e.memory.buffer, PARAMS, 18);
  p.set([M, N, K, sa.at * 4, sa.s0, sa.s1, sa.s2, sb.at * 4, sb.s0, sb.s1, sb.s2, c * 4, M * N, N, splitRows ? 1 : 0, size, perBatch, bias ? 1 : 0]);
  const chunks = B * perBatch;
  if (parallel && chunks <= MAX_CHUNKS) {
    if (v.pool === null) {
      v.pool = new GemmPool(v.module, e.memory, v.ctl, (q, i, w) => v.exports.chunk(q, i, w), PARAMS, (i) => WS_BASE + i * e.wsStride);
    }
    v.pool.ensure(threads - 1);
    v.pool.run(chunks);
  } else {
    for (let i = 0; i < chunks; i++) v.exports.chunk(PARAMS, i, WS_BASE);
  }

  writeOut(heap, c, od, o, inPlace);
  return true;
}

/**
 * The last result a kernel copied out of the data area, as it still sits there: the storage it was
 * copied to, and where. Held strongly until the next result: a WeakRef would keep every result's
 * storage alive until the end of the running task (V8 keeps a WeakRef's target for the job that
 * made it), the whole of a training loop.
 */
let lastResult: { storage: View['storage']; version: number; offset: number; n: number; at: number; epoch: number } | null = null;

/** Records that the n floats at byte `at` of the data area are a copy of `storage`'s from element `offset` (see stagedResult). */
export function noteResult(storage: View['storage'], offset: number, n: number, at: number): void {
  lastResult = { storage, version: storage.version, offset, n, at, epoch: stagingEpoch };
}

/**
 * The byte address of a copy of `storage`'s n floats from element `offset` in the memory, when they
 * are within the last result copied out of the data area and neither the storage (its version) nor
 * the data area has been written since; else null. Kernels read their operand there instead of
 * copying it in: the fused optimizer the weight gradient the last product of a backward pass made
 * (the largest of an MLP's, met first, still in cache), and a forward pass's ops the activation the
 * op before made (LeNet: convolution, relu, pooling, convolution, 3.5 MB a step).
 */
export function stagedResult(storage: View['storage'], offset: number, n: number): number | null {
  const r = intactResult();
  if (r === null || r.storage !== storage) return null;
  return offset >= r.offset && offset + n <= r.offset + r.n ? r.at + (offset - r.offset) * 4 : null;
}

/** The last result while neither its storage nor the data area has been written since. */
function intactResult(): typeof lastResult {
  const r = lastResult;
  return r !== null && r.epoch === stagingEpoch && r.storage.version === r.version ? r : null;
}

/** The byte range [start, end) of the last result while it is intact (see stagedResult), else null. */
export function resultRange(): [number, number] | null {
  const r = intactResult();
  return r && [r.at, r.at + r.n * 4];
}

/** ensureMemory for a call that writes nothing in resultRange(): the last result stays intact through it. */
export function ensureMemoryKeeping(e: Engine, end: number): boolean {
  const kept = intactResult();
  if (!ensureMemory(e, end)) return false;
  if (kept) kept.epoch = stagingEpoch;
  return true;
}

/** Copies C (contiguous [B, M, N] at element c of the heap) into the output view, unless it is there already. */
function writeOut(heap: Float32Array, c: number, od: Float32Array, o: View, inPlace: boolean): void {
  const [B, M, N] = o.shape as [number, number, number];
  const [so0, so1, so2] = o.strides as [number, number, number];
  lastResult = null;
  if (inPlace) return;
  if (so2 === 1 && so1 === N && (B === 1 || so0 === M * N)) {
    od.set(heap.subarray(c, c + B * M * N), o.offset);
    noteResult(o.storage, o.offset, B * M * N, c * 4);
    return;
  }
  let q = c;
  for (let bi = 0; bi < B; bi++) {
    for (let i = 0; i < M; i++) {
      let d = o.offset + bi * so0 + i * so1;
      for (let j = 0; j < N; j++, d += so2) od[d] = heap[q++]!;
    }
  }
}
