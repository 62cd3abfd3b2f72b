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
 */

import { readFileSync } from 'node:fs';
import type { AdamStepScalars, SgdStepScalars } from '../../../backend.js';
import { inWasmMemory, wasmGemm, wasmScratch, type Engine, type WasmModule } from './gemm.js';

interface OptimExports {
  adam(
    n: number, p: number, g: number, m: number, v: number, vmax: number, flags: number,
    sign: number, wd: number, b1: number, omb1: number, b2: number, omb2: number,
    decay: number, negStep: number, bc2Sqrt: number, eps: number,
  ): void;
  sgd(n: number, p: number, g: number, b: number, flags: number, sign: number, wd: number, mu: number, damp: number, negLr: number): void;
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

/** One fused Adam update of n float32 elements; false when the kernel is unavailable. */
export function wasmAdam(n: number, p: F32Run, g: F32Run, m: F32Run, v: F32Run, vmax: F32Run | null, s: AdamStepScalars): boolean {
  const k = ready();
  if (k === null) return false;
  const inout = (run: F32Run | null): Operand => ({ run, read: true, write: true });
  const flags = (s.wd !== 0 ? 1 : 0) | (s.decay !== 1 ? 2 : 0) | (vmax !== null ? 4 : 0);
  const ok = withOperands(k.e, n, [inout(p), { run: g, read: true, write: false }, inout(m), inout(v), inout(vmax)], (count, at) =>
    k.x.adam(count, at[0]!, at[1]!, at[2]!, at[3]!, at[4]!, flags, s.sign, s.wd, s.beta1, 1 - s.beta1, s.beta2, 1 - s.beta2, s.decay, -s.stepSize, s.bc2Sqrt, s.eps),
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
  const ok = withOperands(k.e, n, ops, (count, at) => k.x.sgd(count, at[0]!, at[1]!, at[2]!, flags, s.sign, s.wd, s.momentum, 1 - s.dampening, -s.lr));
  if (ok) wasmOptimStats.sgd++;
  return ok;
}
