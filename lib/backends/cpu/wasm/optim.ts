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
import { residentArray, residentFree } from './resident.js';

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

interface Kernels {
  engine: Engine;
  x: OptimExports;
  /** Byte address of the scratch block: room for the five operands of a chunk. */
  scratch: number;
  /** The scratch block's array, held so that its block is never recycled. */
  block: Float32Array;
}

let kernels: Kernels | null | undefined;

function load(): Kernels | null {
  const bytes = readBinary('./optim.wasm');
  const engine = wasmGemm();
  if (bytes === null || engine === null) return null;
  // kept for the process's life by this reference
  const block = residentArray(5 * CHUNK);
  if (block === null) return null;
  const x = new WA.Instance(new WA.Module(bytes), { env: { memory: engine.memory } }).exports as OptimExports;
  return { engine, x, scratch: block.byteOffset, block };
}

function ready(): Kernels | null {
  if (!wasmOptimConfig.enabled) return null;
  if (kernels === undefined) kernels = load();
  return kernels;
}

/** Freed state blocks waiting for reuse, by size (for tests). */
export function wasmStateFree(): ReadonlyMap<number, readonly number[]> {
  return residentFree();
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
  // an operand only read may have an intact copy in the memory: the product that made it left it there
  const mirror = ops.map((o) =>
    wasmOptimConfig.stagedResults && o.run !== null && !o.write && o.run.storage !== undefined ? stagedResult(o.run.storage, o.run.offset, n) : null,
  );
  for (const m of mirror) if (m !== null) wasmOptimStats.stagedResults++;
  const inside = ops.map((o, j) => o.run !== null && (mirror[j] !== null || inWasmMemory(o.run.data)));
  const at = new Array<number>(ops.length).fill(0);
  for (let i = 0; i < n; i += CHUNK) {
    const count = Math.min(CHUNK, n - i);
    // the heap of this moment: a memory grown since the last call has a longer one
    const heap = k.engine.heap;
    let next = k.scratch;
    for (let j = 0; j < ops.length; j++) {
      const r = ops[j]!.run;
      if (r === null) continue;
      if (mirror[j] !== null) at[j] = mirror[j]! + i * 4;
      else if (inside[j]) at[j] = r.data.byteOffset + (r.offset + i) * 4;
      else {
        const from = r.offset + i;
        if (ops[j]!.read) heap.set(r.data.subarray(from, from + count), next / 4);
        at[j] = next;
        next += CHUNK * 4;
      }
    }
    call(count, at);
    for (let j = 0; j < ops.length; j++) {
      const r = ops[j]!.run;
      if (r !== null && ops[j]!.write && !inside[j]) r.data.set(heap.subarray(at[j]! / 4, at[j]! / 4 + count), r.offset + i);
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
