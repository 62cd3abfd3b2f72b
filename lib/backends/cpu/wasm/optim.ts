/**
 * The fused optimizer updates of optim.wat: one SIMD pass over a float32 parameter, its gradient
 * and its state, instead of one JavaScript pass per state tensor.
 *
 * CPU storages are JavaScript typed arrays, so operands are copied into the engine's scratch area
 * chunk by chunk and the written ones copied back: bulk copies that cost about as much as the
 * kernel (bench/arena.ts: an Adam step over 55,050 parameters takes about 115 µs so, 60 µs with
 * every operand in wasm memory, 550 µs as three JavaScript passes). Operands that do lie in the
 * engine's memory are used in place; why storages are not allocated there is in bench/README.md.
 * Without optim.wasm (not built) the functions return false and the caller keeps its kernels.
 *
 * Denormal operands and results are flushed to zero in every product, quotient and stored state,
 * as under PyTorch's `torch.set_flush_denormal(True)` (optim.wat says how): x86 cores take a
 * microcode assist for each float operation on a denormal, which made an Adam step 12x slower
 * once moments decayed below FLT_MIN (bench/denormal.ts). The JavaScript kernels keep denormals.
 */

import { readFileSync } from 'node:fs';
import type { AdamStepScalars, SgdStepScalars } from '../../../backend.js';
import { inWasmMemory, wasmGemm, wasmScratch, type Engine, type WasmModule } from './gemm.js';

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

interface WasmCtor {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmCtor }).WebAssembly;

/** Switch for tests and benchmarks: `enabled: false` keeps the JavaScript kernels. */
export const wasmOptimConfig = { enabled: true };

/** Updates run here so far (tests check that the fast path ran). */
export const wasmOptimStats = { adam: 0, sgd: 0 };

let kernels: { e: Engine; x: OptimExports } | null | undefined;

function load(): { e: Engine; x: OptimExports } | null {
  const e = wasmGemm();
  if (e === null) return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(new URL('./optim.wasm', import.meta.url));
  } catch {
    return null;
  }
  const x = new WA.Instance(new WA.Module(bytes), { env: { memory: e.memory } }).exports as OptimExports;
  return { e, x };
}

function ready(): { e: Engine; x: OptimExports } | null {
  if (!wasmOptimConfig.enabled) return null;
  if (kernels === undefined) kernels = load();
  return kernels;
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
 * Elements per staged chunk: five operands of 16,384 float32 (320 KiB) stay in L2 between their
 * copy in, the kernel and the copy out, and the scratch area stays small whatever the parameter's size.
 */
export const CHUNK = 16384;

/**
 * Runs `call(count, at)` over the operands chunk by chunk, `at` holding the byte addresses of the
 * chunk's operands in the engine's memory: those outside it are staged in the scratch area
 * (copied in when read, out when written). False when the memory cannot hold a chunk.
 */
function withOperands(e: Engine, n: number, ops: readonly Operand[], call: (count: number, at: number[]) => void): boolean {
  let staged = 0;
  for (const o of ops) if (o.run !== null && !inWasmMemory(o.run.data)) staged++;
  const base = staged === 0 ? 0 : wasmScratch(e, staged * Math.min(n, CHUNK) * 4);
  if (base === null) return false;
  const at = new Array<number>(ops.length).fill(0);
  for (let i = 0; i < n; i += CHUNK) {
    const count = Math.min(CHUNK, n - i);
    let next = base;
    for (let k = 0; k < ops.length; k++) {
      const o = ops[k]!;
      const r = o.run;
      if (r === null) continue;
      if (inWasmMemory(r.data)) at[k] = r.data.byteOffset + (r.offset + i) * 4;
      else {
        const from = r.offset + i;
        if (o.read) e.heap.set(r.data.subarray(from, from + count), next / 4);
        at[k] = next;
        next += count * 4;
      }
    }
    call(count, at);
    for (let k = 0; k < ops.length; k++) {
      const o = ops[k]!;
      const r = o.run;
      if (r !== null && o.write && !inWasmMemory(r.data)) r.data.set(e.heap.subarray(at[k]! / 4, at[k]! / 4 + count), r.offset + i);
    }
  }
  return true;
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
  const ok = withOperands(k.e, n, [inout(p), { run: g, read: true, write: false }, inout(m), inout(v), inout(vmax)], (count, at) =>
    k.x.adam(count, at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, flags, sign, s.wd, b1, omb1, b2, omb2, decay, negStep, bc2Sqrt, eps, tDecay, tB1, tOmb1, tB2, tSq, tNeg),
  );
  if (ok) wasmOptimStats.adam++;
  return ok;
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
  const ok = withOperands(k.e, n, ops, (count, at) =>
    k.x.sgd(count, at[0]!, at[1]!, at[2]!, flags, ftz(s.sign), s.wd, mu, damp, negLr, tMu, tDamp, tNeg),
  );
  if (ok) wasmOptimStats.sgd++;
  return ok;
}
