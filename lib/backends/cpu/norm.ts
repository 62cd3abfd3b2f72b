/**
 * The CPU backend's batch norm kernels (NnKernels in backend.ts: batchNormStats, batchNorm,
 * batchNormBackward). Each walks the input (N, C, S) channel by channel, in runs of S along the
 * last dim, and accumulates in float64: the statistics in two passes (the mean, then the squared
 * deviations from it), the gradient's two sums in one, then one pass writing the result. The
 * composed path makes a tensor per step and a dozen passes. float32 runs in WebAssembly
 * (wasm/conv.ts, with SIMD), these loops serve float64.
 */

import type { NnKernels, View } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import type { CpuStorage } from './index.js';
import { wasmBatchNorm, wasmBatchNormBackward, wasmBatchNormStats } from './wasm/conv.js';

const arr = (v: View): TypedArray => (v.storage as CpuStorage).data;

/** Element c of a 1-d view, or `dflt` for a null one. */
const at = (v: View | null, d: TypedArray | null, c: number, dflt: number): number =>
  v && d ? d[v.offset + c * v.strides[0]!]! : dflt;

/** Σ x[p + i·step] for i < n, in four interleaved float64 sums (an add's latency would bound one). */
function sum(x: TypedArray, p: number, step: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4, p += 4 * step) {
    s0 += x[p]!;
    s1 += x[p + step]!;
    s2 += x[p + 2 * step]!;
    s3 += x[p + 3 * step]!;
  }
  for (; i < n; i++, p += step) s0 += x[p]!;
  return s0 + s1 + (s2 + s3);
}

/** Σ (x[p + i·step] - m)² for i < n, as `sum`. */
function sumSquares(x: TypedArray, p: number, step: number, n: number, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4, p += 4 * step) {
    const d0 = x[p]! - m;
    const d1 = x[p + step]! - m;
    const d2 = x[p + 2 * step]! - m;
    const d3 = x[p + 3 * step]! - m;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < n; i++, p += step) {
    const d = x[p]! - m;
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

/** Σ g[p + i·gs]·(x[q + i·xs] - m) for i < n, as `sum`. */
function sumProducts(g: TypedArray, p: number, gs: number, x: TypedArray, q: number, xs: number, n: number, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4, p += 4 * gs, q += 4 * xs) {
    s0 += g[p]! * (x[q]! - m);
    s1 += g[p + gs]! * (x[q + xs]! - m);
    s2 += g[p + 2 * gs]! * (x[q + 2 * xs]! - m);
    s3 += g[p + 3 * gs]! * (x[q + 3 * xs]! - m);
  }
  for (; i < n; i++, p += gs, q += xs) s0 += g[p]! * (x[q]! - m);
  return s0 + s1 + (s2 + s3);
}

function batchNormStats(input: View, mean: View, var_: View): void {
  if (wasmBatchNormStats(input, mean, var_)) return;
  const x = arr(input);
  const md = arr(mean);
  const vd = arr(var_);
  const [N, C, S] = input.shape as [number, number, number];
  const [sN, sC, sS] = input.strides as [number, number, number];
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) s += sum(x, input.offset + n * sN + c * sC, sS, S);
    const m = s / M;
    let q = 0;
    for (let n = 0; n < N; n++) q += sumSquares(x, input.offset + n * sN + c * sC, sS, S, m);
    md[mean.offset + c * mean.strides[0]!] = m;
    vd[var_.offset + c * var_.strides[0]!] = q / M;
  }
}

function batchNorm(input: View, mean: View, invstd: View, weight: View | null, bias: View | null, out: View): void {
  if (wasmBatchNorm(input, mean, invstd, weight, bias, out)) return;
  const x = arr(input);
  const y = arr(out);
  const md = arr(mean);
  const id = arr(invstd);
  const wd = weight && arr(weight);
  const bd = bias && arr(bias);
  const [N, C, S] = input.shape as [number, number, number];
  const [sN, sC, sS] = input.strides as [number, number, number];
  for (let c = 0; c < C; c++) {
    const m = at(mean, md, c, 0);
    const a = at(invstd, id, c, 1) * at(weight, wd, c, 1);
    const b = at(bias, bd, c, 0);
    for (let n = 0; n < N; n++) {
      let p = input.offset + n * sN + c * sC;
      let q = out.offset + (n * C + c) * S;
      for (let i = 0; i < S; i++, p += sS, q++) y[q] = (x[p]! - m) * a + b;
    }
  }
}

function batchNormBackward(
  grad: View, input: View, mean: View, invstd: View, weight: View | null,
  gradInput: View | null, gradWeight: View | null, gradBias: View | null, batchStats: boolean,
): void {
  if (wasmBatchNormBackward(grad, input, mean, invstd, weight, gradInput, gradWeight, gradBias, batchStats)) return;
  const g = arr(grad);
  const x = arr(input);
  const md = arr(mean);
  const id = arr(invstd);
  const wd = weight && arr(weight);
  const gx = gradInput && arr(gradInput);
  const gw = gradWeight && arr(gradWeight);
  const gb = gradBias && arr(gradBias);
  const [N, C, S] = input.shape as [number, number, number];
  const [gN, gC, gS] = grad.strides as [number, number, number];
  const [xN, xC, xS] = input.strides as [number, number, number];
  const M = N * S;
  for (let c = 0; c < C; c++) {
    const m = at(mean, md, c, 0);
    const is = at(invstd, id, c, 1);
    let sg = 0;
    let sgd = 0;
    for (let n = 0; n < N; n++) {
      sg += sum(g, grad.offset + n * gN + c * gC, gS, S);
      sgd += sumProducts(g, grad.offset + n * gN + c * gC, gS, x, input.offset + n * xN + c * xC, xS, S, m);
    }
    // Σ grad·x̂ = invstd · Σ grad·(x - mean)
    const sgx = sgd * is;
    if (gb && gradBias) gb[gradBias.offset + c] = sg;
    if (gw && gradWeight) gw[gradWeight.offset + c] = sgx;
    if (!gx || !gradInput) continue;
    const k = is * at(weight, wd, c, 1);
    const mg = batchStats ? sg / M : 0;
    // x̂·Σ grad·x̂/M = (x - mean)·invstd·sgx/M
    const mx = batchStats ? (is * sgx) / M : 0;
    for (let n = 0; n < N; n++) {
      let p = grad.offset + n * gN + c * gC;
      let q = input.offset + n * xN + c * xC;
      let o = gradInput.offset + (n * C + c) * S;
      for (let i = 0; i < S; i++, p += gS, q += xS, o++) gx[o] = k * (g[p]! - mg - (x[q]! - m) * mx);
    }
  }
}

/** The batch norm part of the CPU backend's nn kernels (see nn.ts). */
export const normKernels: Pick<NnKernels, 'batchNormStats' | 'batchNorm' | 'batchNormBackward'> = {
  batchNormStats, batchNorm, batchNormBackward,
};
