/**
 * The fused optimizer updates of optim.wat: one SIMD pass over a float32 parameter, its gradient
 * and its state, instead of one JavaScript pass per state tensor.
 *
 * The kernels run on the GEMM's shared WebAssembly memory (gemm.ts). Optimizer state (Adam's
 * moments, SGD's momentum buffers) and the parameters the optimizers update live there
 * (resident.ts, through Backend.fusedOptim's stateStorage and adopt) and are updated in place; a
 * gradient, an ordinary CPU storage on the JavaScript heap, is copied into a scratch block chunk by
 * chunk (so is any operand not in the memory, the parameter copied back). bench/arena.ts measured
 * an Adam step over 55,050 parameters at about 115 µs with every operand staged, 60 µs with none.
 * Without optim.wasm or gemm.wasm (not built) the functions return false and the caller keeps its
 * kernels.
 *
 * Denormal operands and results are flushed to zero in every product, quotient and stored state,
 * as under PyTorch's `torch.set_flush_denormal(True)` (optim.wat says how): x86 cores take a
 * microcode assist for each float operation on a denormal, which made an Adam step 12x slower
 * once moments decayed below FLT_MIN (bench/denormal.ts). The JavaScript kernels keep denormals.
 */

import type { AdamStepScalars, SgdStepScalars, View } from '../../../backend.js';
import { WA, inWasmMemory, readBinary, stagedResult, wasmGemm, type Engine } from './gemm.js';
import { residentArray } from './resident.js';

interface OptimExports {
  adam(
    n: number, p: number, g: number, m: number, v: number, vmax: number, flags: number,
    sign: number, wd: number, b1: number, omb1: number, b2: number, omb2: number,
    decay: number, negStep: number, bc2Sqrt: number, eps: number,
    tDecay: number, tB1: number, tOmb1: number, tB2: number, tSq: number, tNeg: number, cst: number,
  ): void;
  sgd(
    n: number, p: number, g: number, b: number, flags: number, sign: number, wd: number, mu: number, damp: number, negLr: number,
    tMu: number, tDamp: number, tNeg: number, cst: number,
  ): void;
}

/**
 * Switches for tests and benchmarks: `enabled: false` keeps the JavaScript kernels;
 * `stateInWasm: false` allocates optimizer state as ordinary CPU storage (staged like the gradient);
 * `adoptParams: false` leaves parameters where they are (staged, and copied back, every step);
 * `stagedResults: false` copies a gradient in even where the product that made it left an intact
 * copy in the memory (gemm.ts's stagedResult; batch-10 MNIST step 450 -> 426 µs with it).
 */
export const wasmOptimConfig = { enabled: true, stateInWasm: true, adoptParams: true, stagedResults: true };

/** Updates run here so far, and operands read where a product left them (tests check that the fast paths ran). */
export const wasmOptimStats = { adam: 0, sgd: 0, stagedResults: 0 };

/**
 * Elements per staged chunk: five operands of 16,384 float32 (320 KiB) stay in L2 between their
 * copy in, the kernel and the copy out, and the scratch block stays small whatever the parameter's size.
 */
export const CHUNK = 16384;
/** The vector constants a kernel keeps in memory: 32 vectors of 4. */
const CONSTANTS = 32 * 4;

interface Kernels {
  engine: Engine;
  x: OptimExports;
  /** Byte address of the scratch block: room for the five operands of a chunk. */
  scratch: number;
  /** Byte address of the kernels' vector constants (after the scratch block's operands, see optim.wat). */
  constants: number;
  /** The scratch block's array, held so that its block is never recycled. */
  block: Float32Array;
}

let kernels: Kernels | null | undefined;

function load(): Kernels | null {
  const bytes = readBinary('./optim.wasm');
  const engine = wasmGemm();
  if (bytes === null || engine === null) return null;
  // kept for the process's life by this reference
  const block = residentArray(5 * CHUNK + 4 * CONSTANTS);
  if (block === null) return null;
  const x = new WA.Instance(new WA.Module(bytes), { env: { memory: engine.memory } }).exports as OptimExports;
  return { engine, x, scratch: block.byteOffset, constants: block.byteOffset + 5 * CHUNK * 4, block };
}

function ready(): Kernels | null {
  if (!wasmOptimConfig.enabled) return null;
  if (kernels === undefined) kernels = load();
  return kernels;
}

/**
 * A zeroed float32 array of n elements in the kernels' memory for optimizer state, updated in
 * place by the fused kernels; null when they are unavailable or the memory is full.
 */
export function wasmStateArray(n: number): Float32Array | null {
  if (!wasmOptimConfig.stateInWasm || ready() === null) return null;
  return residentArray(n);
}

/**
 * The parameter's values moved into the kernels' memory (a new array there holding them), or null
 * where they stay: the kernels unavailable, `adoptParams` off, the memory full.
 */
export function wasmAdoptArray(data: Float32Array): Float32Array | null {
  if (!wasmOptimConfig.adoptParams || inWasmMemory(data) || ready() === null) return null;
  const arr = residentArray(data.length);
  arr?.set(data);
  return arr;
}

/** A float32 operand: its array and the element offset where its n values start (and its storage, for stagedResult). */
export interface F32Run {
  readonly data: Float32Array;
  readonly offset: number;
  readonly storage?: View['storage'];
}

/**
 * Per operand slot of a call (calls never nest, so these are reused): the byte address of the
 * current chunk, where its copy from a product starts (or -1), and whether it lies in the memory.
 */
const at = [0, 0, 0, 0, 0];
const mirror = [-1, -1, -1, -1, -1];
const inside = [false, false, false, false, false];

/**
 * Runs `call(count)` over the operands chunk by chunk, `at` holding the byte addresses of the
 * chunk's operands in the kernels' memory: those outside it are staged in the scratch area
 * (copied in unless bit j of `writeOnly` is set, out when bit j of `written` is).
 */
function withOperands(k: Kernels, n: number, runs: readonly (F32Run | null)[], written: number, writeOnly: number, call: (count: number) => void): void {
  const m = runs.length;
  for (let j = 0; j < m; j++) {
    const r = runs[j]!;
    // an operand only read may have an intact copy in the memory: the product that made it left it there
    const copy = r !== null && !(written & (1 << j)) && wasmOptimConfig.stagedResults && r.storage !== undefined ? stagedResult(r.storage, r.offset, n) : null;
    if (copy !== null) wasmOptimStats.stagedResults++;
    mirror[j] = copy ?? -1;
    inside[j] = r !== null && (copy !== null || inWasmMemory(r.data));
  }
  for (let i = 0; i < n; i += CHUNK) {
    const count = Math.min(CHUNK, n - i);
    // the heap of this moment: a memory grown since the last call has a longer one
    const heap = k.engine.heap;
    let next = k.scratch;
    for (let j = 0; j < m; j++) {
      const r = runs[j]!;
      if (r === null) at[j] = 0;
      else if (mirror[j]! >= 0) at[j] = mirror[j]! + i * 4;
      else if (inside[j]) at[j] = r.data.byteOffset + (r.offset + i) * 4;
      else {
        const from = r.offset + i;
        if (!(writeOnly & (1 << j))) heap.set(r.data.subarray(from, from + count), next / 4);
        at[j] = next;
        next += CHUNK * 4;
      }
    }
    call(count);
    for (let j = 0; j < m; j++) {
      const r = runs[j]!;
      if (r !== null && written & (1 << j) && !inside[j]) r.data.set(heap.subarray(at[j]! / 4, at[j]! / 4 + count), r.offset + i);
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
  let t = products.get(c);
  if (t === undefined) {
    const k = Math.abs(ftz(c));
    t = !(k < 1) || k === 0 ? MIN_BITS : leastNormal(FLT_MIN / k, (a) => Math.fround(a * k) >= FLT_MIN);
    remember(products, c, t);
  }
  return t;
}

/** The guard of (d·d)·c: the least |d| with d·d and (d·d)·c both normal (c = 1-β₂ ≤ 1). */
export function squareThreshold(c: number): number {
  let t = squares.get(c);
  if (t === undefined) {
    const a = Math.abs(ftz(c));
    const k = a > 0 ? Math.min(a, 1) : 0;
    const sq = (a: number) => Math.fround(a * a);
    t = leastNormal(Math.sqrt(FLT_MIN / (k || 1)), (d) => sq(d) >= FLT_MIN && (k === 0 || Math.fround(sq(d) * k) >= FLT_MIN));
    remember(squares, c, t);
  }
  return t;
}

// The thresholds of the constants met so far: a step's are those of the step before but for the
// bias-corrected step size, and every parameter of a group shares them (8 searches a call before).
const products = new Map<number, number>();
const squares = new Map<number, number>();
function remember(memo: Map<number, number>, c: number, t: number): void {
  if (memo.size >= 64) memo.clear();
  memo.set(c, t);
}

/** One fused Adam update of n float32 elements; false when the kernel is unavailable. */
export function wasmAdam(n: number, p: F32Run, g: F32Run, m: F32Run, v: F32Run, vmax: F32Run | null, s: AdamStepScalars): boolean {
  const k = ready();
  if (k === null) return false;
  const flags = (s.wd !== 0 ? 1 : 0) | (s.decay !== 1 ? 2 : 0) | (vmax !== null ? 4 : 0);
  const b1 = ftz(s.beta1);
  const omb1 = ftz(1 - s.beta1);
  const b2 = ftz(s.beta2);
  const omb2 = ftz(1 - s.beta2);
  const decay = ftz(s.decay);
  const negStep = ftz(-s.stepSize);
  const tDecay = productThreshold(decay);
  const tB1 = productThreshold(b1);
  const tOmb1 = productThreshold(omb1);
  const tB2 = productThreshold(b2);
  const tNeg = productThreshold(negStep);
  const tSq = squareThreshold(omb2);
  const sign = ftz(s.sign);
  const bc2Sqrt = ftz(s.bc2Sqrt);
  const eps = ftz(s.eps);
  // θ, m, v and v̂ are read and written, the gradient only read
  withOperands(k, n, [p, g, m, v, vmax], 0b11101, 0, (count) =>
    k.x.adam(count, at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, flags, sign, s.wd, b1, omb1, b2, omb2, decay, negStep, bc2Sqrt, eps, tDecay, tB1, tOmb1, tB2, tSq, tNeg, k.constants),
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
  const mu = ftz(s.momentum);
  const damp = ftz(1 - s.dampening);
  const negLr = ftz(-s.lr);
  const tMu = productThreshold(mu);
  const tDamp = productThreshold(damp);
  const tNeg = productThreshold(negLr);
  const sign = ftz(s.sign);
  // θ and the buffer are written, the gradient only read; a first step only writes the buffer
  withOperands(k, n, [p, g, buf], 0b101, first ? 0b100 : 0, (count) =>
    k.x.sgd(count, at[0]!, at[1]!, at[2]!, flags, sign, s.wd, mu, damp, negLr, tMu, tDamp, tNeg, k.constants),
  );
  wasmOptimStats.sgd++;
  return true;
}
