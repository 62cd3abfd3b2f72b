/**
 * The fused optimizer updates of optim.wat: one SIMD pass over a float32 parameter, its gradient
 * and its state, instead of one JavaScript pass per state tensor.
 *
 * The kernels run on a WebAssembly memory of their own. Optimizer state (Adam's moments, SGD's
 * momentum buffers) is allocated in it (`wasmStateArray`, through Backend.fusedOptim.stateStorage)
 * and updated in place; the parameter and its gradient, ordinary CPU storages on the JavaScript
 * heap, are copied into a scratch area at the bottom of the memory chunk by chunk and the parameter
 * copied back (bench/arena.ts measured an Adam step over 55,050 parameters at about 115 µs with
 * every operand staged, 60 µs with none). Only the optimizer's state lives there because its
 * lifetime is the optimizer's: a block goes back to a free list when its array is collected
 * (FinalizationRegistry), and a training loop allocates no new state after its first step, where
 * per-step tensors in such an arena grew without bound (bench/README.md, "The arena").
 * Without optim.wasm (not built) the functions return false and the caller keeps its kernels.
 *
 * Denormal operands and results are flushed to zero in every product, quotient and stored state,
 * as under PyTorch's `torch.set_flush_denormal(True)` (optim.wat says how): x86 cores take a
 * microcode assist for each float operation on a denormal, which made an Adam step 12x slower
 * once moments decayed below FLT_MIN (bench/denormal.ts). The JavaScript kernels keep denormals.
 */

import { readFileSync } from 'node:fs';
import type { AdamStepScalars, SgdStepScalars } from '../../../backend.js';
import { WA, type WasmMemory } from './gemm.js';

interface OptimExports {
  adam(
    n: number, p: number, g: number, m: number, v: number, vmax: number, flags: number,
    sign: number, wd: number, b1: number, omb1: number, b2: number, omb2: number,
    decay: number, negStep: number, bc2Sqrt: number, eps: number,
    tDecay: number, tB1: number, tOmb1: number, tB2: number, tSq: number, tNeg: number,
  ): void;
  sgd(
    n: number, p: number, g: number, b: number, flags: number, sign: number, wd: number, mu: number, damp: number, negLr: number,
    tMu: number, tDamp: number, tNeg: number,
  ): void;
}

/**
 * Switches for tests and benchmarks: `enabled: false` keeps the JavaScript kernels;
 * `stateInWasm: false` allocates optimizer state as ordinary CPU storage (staged like the parameter).
 */
export const wasmOptimConfig = { enabled: true, stateInWasm: true };

/** Updates run here so far (tests check that the fast path ran). */
export const wasmOptimStats = { adam: 0, sgd: 0 };

/**
 * Elements per staged chunk: five operands of 16,384 float32 (320 KiB) stay in L2 between their
 * copy in, the kernel and the copy out, and the scratch area stays small whatever the parameter's size.
 */
export const CHUNK = 16384;
/** The scratch area at address 0: room for the five operands of a chunk. */
const SCRATCH = 5 * CHUNK * 4;
const PAGE = 65536;
const MAX_PAGES = 32768;
/** State blocks are multiples of this many bytes (a cache line), so equal sizes recycle. */
const BLOCK = 64;

interface Kernels {
  memory: WasmMemory;
  x: OptimExports;
  /** A Float32Array over the whole memory, renewed when it grows. */
  heap: Float32Array;
  /** The memory's buffers so far: a grown shared memory hands out a new one over the same bytes. */
  buffers: WeakSet<ArrayBufferLike>;
  /** First byte past the highest state block. */
  top: number;
  /** Freed blocks by size in bytes. */
  free: Map<number, number[]>;
}

let kernels: Kernels | null | undefined;

function load(): Kernels | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(new URL('./optim.wasm', import.meta.url));
  } catch {
    return null;
  }
  const memory = new WA.Memory({ initial: Math.ceil(SCRATCH / PAGE), maximum: MAX_PAGES, shared: true });
  const x = new WA.Instance(new WA.Module(bytes), { env: { memory } }).exports as OptimExports;
  const heap = new Float32Array(memory.buffer);
  const buffers = new WeakSet<ArrayBufferLike>([memory.buffer]);
  return { memory, x, heap, buffers, top: SCRATCH, free: new Map() };
}

function ready(): Kernels | null {
  if (!wasmOptimConfig.enabled) return null;
  if (kernels === undefined) kernels = load();
  return kernels;
}

/** Grows the memory to at least `end` bytes (false past its maximum or when refused) and renews `heap`. */
function ensure(k: Kernels, end: number): boolean {
  const have = k.memory.buffer.byteLength;
  if (end > have) {
    if (end > MAX_PAGES * PAGE) return false;
    try {
      k.memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      return false;
    }
  }
  if (k.heap.buffer.byteLength !== k.memory.buffer.byteLength) {
    k.heap = new Float32Array(k.memory.buffer);
    k.buffers.add(k.heap.buffer);
  }
  return true;
}

// the block of a collected state array goes back to its free list
const blocks = new FinalizationRegistry<{ at: number; bytes: number }>(({ at, bytes }) => {
  if (!kernels) return;
  const list = kernels.free.get(bytes);
  if (list) list.push(at);
  else kernels.free.set(bytes, [at]);
});

/** Freed state blocks waiting for reuse, by size (for tests). */
export function wasmStateFree(): ReadonlyMap<number, readonly number[]> {
  return kernels?.free ?? new Map();
}

/**
 * A zeroed float32 array of n elements in the kernels' memory for optimizer state, updated in
 * place by the fused kernels; null when they are unavailable or the memory is full.
 */
export function wasmStateArray(n: number): Float32Array | null {
  if (!wasmOptimConfig.stateInWasm) return null;
  const k = ready();
  if (k === null) return null;
  const bytes = Math.max(BLOCK, Math.ceil((n * 4) / BLOCK) * BLOCK);
  let at = k.free.get(bytes)?.pop();
  if (at === undefined) {
    if (!ensure(k, k.top + bytes)) return null;
    at = k.top;
    k.top += bytes;
  } else {
    k.heap.fill(0, at / 4, (at + bytes) / 4);
  }
  const arr = new Float32Array(k.memory.buffer, at, n);
  k.buffers.add(arr.buffer);
  blocks.register(arr, { at, bytes });
  return arr;
}

/** A float32 operand: its array and the element offset where its n values start. */
export interface F32Run {
  readonly data: Float32Array;
  readonly offset: number;
}

/** An operand of a kernel call and what the call does with it: reads it, writes it, or both. */
interface Operand {
  run: F32Run | null;
  read: boolean;
  write: boolean;
}

/**
 * Runs `call(count, at)` over the operands chunk by chunk, `at` holding the byte addresses of the
 * chunk's operands in the kernels' memory: those outside it are staged in the scratch area
 * (copied in when read, out when written).
 */
function withOperands(k: Kernels, n: number, ops: readonly Operand[], call: (count: number, at: number[]) => void): void {
  const inside = ops.map((o) => o.run !== null && k.buffers.has(o.run.data.buffer));
  const at = new Array<number>(ops.length).fill(0);
  for (let i = 0; i < n; i += CHUNK) {
    const count = Math.min(CHUNK, n - i);
    let next = 0;
    for (let j = 0; j < ops.length; j++) {
      const r = ops[j]!.run;
      if (r === null) continue;
      if (inside[j]) at[j] = r.data.byteOffset + (r.offset + i) * 4;
      else {
        const from = r.offset + i;
        if (ops[j]!.read) k.heap.set(r.data.subarray(from, from + count), next / 4);
        at[j] = next;
        next += CHUNK * 4;
      }
    }
    call(count, at);
    for (let j = 0; j < ops.length; j++) {
      const r = ops[j]!.run;
      if (r !== null && ops[j]!.write && !inside[j]) r.data.set(k.heap.subarray(at[j]! / 4, at[j]! / 4 + count), r.offset + i);
    }
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const FLT_MIN = 2 ** -126;
/** The bits of FLT_MIN, the least threshold: a denormal operand counts as 0. */
const MIN_BITS = 0x00800000;
const bitsOf = (x: number): number => {
  f32[0] = x;
  return u32[0]!;
};
const fromBits = (b: number): number => {
  u32[0] = b;
  return f32[0]!;
};

/** A scalar operand as the kernel takes it: rounded to float32, and 0 if that is denormal. */
function ftz(x: number): number {
  const r = Math.fround(x);
  return Math.abs(r) < FLT_MIN ? 0 : r;
}

/**
 * The least float32 a ≥ FLT_MIN (as its bits) for which `isNormal(a)`, a monotonic test: the
 * kernels zero operands below it. Bits of positive floats are ordered as the floats.
 */
function leastNormal(start: number, isNormal: (a: number) => boolean): number {
  let b = Math.max(bitsOf(start), MIN_BITS);
  // the infinities pass every test: the loop ends there at the latest
  while (b < 0x7f800000 && !isNormal(fromBits(b))) b++;
  while (b > MIN_BITS && isNormal(fromBits(b - 1))) b--;
  return b;
}

/**
 * T(c), the kernels' guard before a product with the float32 constant c (flushed): the least
 * a ≥ FLT_MIN with |a·c| ≥ FLT_MIN after float32 rounding, so that zeroing the operands below it
 * gives exactly the flushed product, and the product is never denormal.
 */
export function productThreshold(c: number): number {
  const k = Math.abs(ftz(c));
  if (!(k < 1) || k === 0) return MIN_BITS;
  return leastNormal(FLT_MIN / k, (a) => Math.fround(a * k) >= FLT_MIN);
}

/** The guard of (d·d)·c: the least |d| with d·d and (d·d)·c both normal (c = 1-β₂ ≤ 1). */
export function squareThreshold(c: number): number {
  const a = Math.abs(ftz(c));
  const k = a > 0 ? Math.min(a, 1) : 0;
  const sq = (a: number) => Math.fround(a * a);
  return leastNormal(Math.sqrt(FLT_MIN / (k || 1)), (d) => sq(d) >= FLT_MIN && (k === 0 || Math.fround(sq(d) * k) >= FLT_MIN));
}

/** One fused Adam update of n float32 elements; false when the kernel is unavailable. */
export function wasmAdam(n: number, p: F32Run, g: F32Run, m: F32Run, v: F32Run, vmax: F32Run | null, s: AdamStepScalars): boolean {
  const k = ready();
  if (k === null) return false;
  const inout = (run: F32Run | null): Operand => ({ run, read: true, write: true });
  const flags = (s.wd !== 0 ? 1 : 0) | (s.decay !== 1 ? 2 : 0) | (vmax !== null ? 4 : 0);
  const [b1, omb1, b2, omb2, decay, negStep] = [s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.decay, -s.stepSize].map(ftz) as [number, number, number, number, number, number];
  const [tDecay, tB1, tOmb1, tB2, tNeg] = [decay, b1, omb1, b2, negStep].map(productThreshold) as [number, number, number, number, number];
  const tSq = squareThreshold(omb2);
  const sign = ftz(s.sign);
  const bc2Sqrt = ftz(s.bc2Sqrt);
  const eps = ftz(s.eps);
  withOperands(k, n, [inout(p), { run: g, read: true, write: false }, inout(m), inout(v), inout(vmax)], (count, at) =>
    k.x.adam(count, at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, flags, sign, s.wd, b1, omb1, b2, omb2, decay, negStep, bc2Sqrt, eps, tDecay, tB1, tOmb1, tB2, tSq, tNeg),
  );
  wasmOptimStats.adam++;
  return true;
}

/**
 * One fused SGD update of n float32 elements; `buf` is the momentum buffer (null without
 * momentum), written from the gradient when `first`. False when the kernel is unavailable.
 */
export function wasmSgd(n: number, p: F32Run, g: F32Run, buf: F32Run | null, first: boolean, s: SgdStepScalars): boolean {
  const k = ready();
  if (k === null) return false;
  const flags = (s.wd !== 0 ? 1 : 0) | (buf !== null ? 2 : 0) | (first ? 4 : 0) | (s.nesterov ? 8 : 0);
  // a first step only writes the buffer
  const ops = [{ run: p, read: true, write: true }, { run: g, read: true, write: false }, { run: buf, read: !first, write: true }];
  const [mu, damp, negLr] = [s.momentum, 1 - s.dampening, -s.lr].map(ftz) as [number, number, number];
  const [tMu, tDamp, tNeg] = [mu, damp, negLr].map(productThreshold) as [number, number, number];
  withOperands(k, n, ops, (count, at) =>
    k.x.sgd(count, at[0]!, at[1]!, at[2]!, flags, ftz(s.sign), s.wd, mu, damp, negLr, tMu, tDamp, tNeg),
  );
  wasmOptimStats.sgd++;
  return true;
}
