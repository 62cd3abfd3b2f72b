/**
 * float32 conv2d forward and backward, max_pool2d and batch norm in WebAssembly: conv.wat's
 * kernels and gemm.wat's GEMM, instantiated together on one memory of their own, so that the
 * columns a convolution multiplies (kH·kW times its input) never leave WebAssembly memory. A
 * call copies its operands in, runs there, and copies the results out.
 *
 * Forward: cols = im2col(x); y[n, g] = W[g] · cols[n, g] (the GEMM, per image and group) + bias.
 * Backward: gx = col2im(W[g]ᵀ · gy[n, g]); gW[g] = Σn gy[n, g] · cols[n, g]ᵀ (conv.wat's gemmNT:
 * both operands are read along the output positions, no packing, the sum over images in its
 * accumulators); gb = Σ gy, summed in float64.
 * max_pool2d and batch norm copy their input in and their results out the same way: four lanes
 * at a time there against one element at a time in JavaScript (norm.ts and ../conv.ts keep those
 * loops for float64).
 *
 * One thread: the products are small and many (one per image); PyTorch, the yardstick, is timed
 * on one thread too. Without conv.wasm or gemm.wasm (built by `npm run build:wasm`) the functions
 * return false and the caller falls back to the JavaScript kernels.
 *
 * Memory layout: [0, 4096) parameters (the window geometry at PARAMS, see conv.wat); then one GEMM
 * workspace; then the operands of the current call, grown as needed up to 2 GiB.
 */

import { readFileSync } from 'node:fs';
import type { View, Window2d } from '../../../backend.js';
import type { CpuStorage } from '../index.js';
import { WA, wasmGemm, type WasmMemory } from './gemm.js';


const PAGE = 65536;
const MAX_PAGES = 32768;
const PARAMS = 1024;
/** The (lo, hi) table after the 64 bytes of geometry must end within the parameter block. */
const MAX_KW = (4096 - PARAMS - 64) / 8;
const WS = 4096;

interface ConvExports {
  im2col(p: number, src: number, dst: number): void;
  col2im(p: number, src: number, dst: number): void;
  addBias(y: number, rows: number, O: number, L: number, b: number): void;
  sumRows(g: number, rows: number, O: number, L: number, dst: number): void;
  maxPool(p: number, src: number, val: number, idx: number, withIdx: number): void;
  bnStats(x: number, N: number, C: number, S: number, mean: number, var_: number): void;
  bnNormalize(x: number, N: number, C: number, S: number, mean: number, a: number, b: number): void;
  bnBackward(g: number, x: number, N: number, C: number, S: number, mean: number, sums: number, coef: number, gx: number): void;
  gemmNT(M: number, N: number, K: number, a: number, lda: number, sa: number, b: number, ldb: number, sb: number, B: number, c: number, ldc: number): void;
}
interface GemmExports {
  workspaceBytes(): number;
  gemm(M: number, N: number, K: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, ldc: number, ws: number): void;
}

interface Engine {
  memory: WasmMemory;
  conv: ConvExports;
  gemm: GemmExports;
  dataStart: number;
  heap: Float32Array;
}

/** The knob tests and bench turn: off sends float32 convolutions, pooling and batch norm to the JavaScript kernels. */
export const wasmConvConfig = { enabled: true };

let engine: Engine | null | undefined;

function load(): Engine | null {
  const g = wasmGemm();
  if (g === null) return null;
  let bytes: Buffer;
  try {
    bytes = readFileSync(new URL('./conv.wasm', import.meta.url));
  } catch {
    return null;
  }
  const memory = new WA.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const conv = new WA.Instance(new WA.Module(bytes), { env: { memory } }).exports as ConvExports;
  const gemm = new WA.Instance(g.module, { env: { memory } }).exports as GemmExports;
  const dataStart = Math.ceil((WS + gemm.workspaceBytes()) / 64) * 64;
  memory.grow(Math.ceil(dataStart / PAGE) - 1);
  return { memory, conv, gemm, dataStart, heap: new Float32Array(memory.buffer) };
}

function getEngine(): Engine | null {
  if (!wasmConvConfig.enabled) return null;
  if (engine === undefined) engine = load();
  return engine;
}

/** Byte addresses of room for the call's buffers (floats each), from the data area's start; null when they do not fit in 2 GiB. */
function reserve(e: Engine, floats: number[]): number[] | null {
  const at: number[] = [];
  let top = e.dataStart;
  for (const n of floats) {
    at.push(top);
    // 16 bytes of slack: im2col's row copies read and write up to one vector past a row's end
    top += Math.ceil((n * 4 + 16) / 64) * 64;
  }
  if (top > MAX_PAGES * PAGE) return null;
  const pages = e.memory.buffer.byteLength / PAGE;
  if (top > pages * PAGE) e.memory.grow(Math.ceil(top / PAGE) - pages);
  // a grown shared memory gets a new, longer buffer object
  if (e.heap.length * 4 !== e.memory.buffer.byteLength) e.heap = new Float32Array(e.memory.buffer);
  return at;
}

const f32 = (v: View): Float32Array => (v.storage as CpuStorage).data as Float32Array;

/** Copies a float32 view (any strides, up to 4 dims) into the heap at byte `at`, contiguous. */
function stageIn(e: Engine, v: View, at: number): void {
  const src = f32(v);
  const shape = [1, 1, 1, 1].concat(v.shape).slice(-4) as [number, number, number, number];
  const strides = [0, 0, 0, 0].concat(v.strides).slice(-4) as [number, number, number, number];
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  let dense = true;
  for (let d = 3, s = 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== s) dense = false;
    s *= shape[d]!;
  }
  const heap = e.heap;
  let q = at / 4;
  if (dense) {
    heap.set(src.subarray(v.offset, v.offset + n), q);
    return;
  }
  const [n0, n1, n2, n3] = shape;
  const [s0, s1, s2, s3] = strides;
  for (let a = 0; a < n0; a++) {
    for (let b = 0; b < n1; b++) {
      for (let c = 0; c < n2; c++) {
        let p = v.offset + a * s0 + b * s1 + c * s2;
        for (let d = 0; d < n3; d++, p += s3) heap[q++] = src[p]!;
      }
    }
  }
}

/** Copies `n` floats from the heap at byte `at` into a contiguous float32 view. */
function stageOut(e: Engine, at: number, v: View, n: number): void {
  f32(v).set(e.heap.subarray(at / 4, at / 4 + n), v.offset);
}

function isContiguous(v: View): boolean {
  for (let d = v.shape.length - 1, s = 1; d >= 0; d--) {
    if (v.shape[d] !== 1 && v.strides[d] !== s) return false;
    s *= v.shape[d]!;
  }
  return true;
}

/** Writes the window geometry and its (lo, hi) column table for conv.wat. */
function writeParams(e: Engine, N: number, C: number, H: number, W: number, w: Window2d): void {
  const p = new Int32Array(e.memory.buffer, PARAMS, 16 + 2 * w.kW);
  p.set([N, C, H, W, w.kH, w.kW, w.sH, w.sW, w.pH, w.pW, w.dH, w.dW, w.oH, w.oW]);
  for (let j = 0; j < w.kW; j++) {
    // output columns ox whose input column ox·sW - pW + j·dW lies in [0, W)
    const off = j * w.dW - w.pW;
    const lo = Math.min(w.oW, Math.max(0, Math.ceil(-off / w.sW)));
    const hi = Math.max(lo, Math.min(w.oW, Math.floor((W - 1 - off) / w.sW) + 1));
    p[16 + 2 * j] = lo;
    p[17 + 2 * j] = hi;
  }
}

function usable(views: readonly (View | null)[], w: Window2d): boolean {
  for (const v of views) if (v && !((v.storage as CpuStorage).data instanceof Float32Array)) return false;
  return w.kW <= MAX_KW && w.oH > 0 && w.oW > 0;
}

/**
 * y = conv2d(x, weight, bias) for float32 x (N, C, H, W), weight (O, C/groups, kH, kW) and a
 * contiguous y (N, O, oH, oW); false when the operands are not float32 or do not fit.
 */
export function wasmConv2d(x: View, weight: View, bias: View | null, y: View, w: Window2d, groups: number): boolean {
  if (!usable([x, weight, bias, y], w) || !isContiguous(y)) return false;
  const e = getEngine();
  if (e === null) return false;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const O = weight.shape[0]!;
  const Og = O / groups;
  const Kg = (C / groups) * w.kH * w.kW;
  const CK = C * w.kH * w.kW;
  const L = w.oH * w.oW;
  // no input channels: the GEMM would leave y unwritten
  if (Kg === 0) return false;
  if (N === 0) return true;
  const at = reserve(e, [N * C * H * W, O * Kg, O, N * CK * L, N * O * L]);
  if (at === null) return false;
  const [xa, wa, ba, ca, ya] = at as [number, number, number, number, number];
  stageIn(e, x, xa);
  stageIn(e, weight, wa);
  if (bias) stageIn(e, bias, ba);
  writeParams(e, N, C, H, W, w);
  e.conv.im2col(PARAMS, xa, ca);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      e.gemm.gemm(
        Og, L, Kg,
        wa + 4 * g * Og * Kg, Kg, 1,
        ca + 4 * (n * CK + g * Kg) * L, L, 1,
        ya + 4 * (n * O + g * Og) * L, L, WS,
      );
    }
  }
  if (bias) e.conv.addBias(ya, N * O, O, L, ba);
  stageOut(e, ya, y, N * O * L);
  return true;
}

/**
 * The gradients of y = conv2d(x, weight, bias) from gy (N, O, oH, oW): into contiguous float32
 * gx (like x), gw (like weight) and gb (O), each skipped when null; false when the operands are
 * not float32 or do not fit (nothing is written then).
 */
export function wasmConv2dBackward(
  gy: View, x: View, weight: View, gx: View | null, gw: View | null, gb: View | null, w: Window2d, groups: number,
): boolean {
  if (!usable([gy, x, weight, gx, gw, gb], w)) return false;
  for (const v of [gx, gw, gb]) if (v && !isContiguous(v)) return false;
  const e = getEngine();
  if (e === null) return false;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const O = weight.shape[0]!;
  const Og = O / groups;
  const Kg = (C / groups) * w.kH * w.kW;
  const CK = C * w.kH * w.kW;
  const L = w.oH * w.oW;
  if (Kg === 0) return false;
  if (N === 0) {
    for (const v of [gx, gw, gb]) if (v) f32(v).fill(0, v.offset, v.offset + v.shape.reduce((a, b) => a * b, 1));
    return true;
  }
  // gy, weight, columns (the input gradient's, then the input's), gx then x, gw, gb (float64 sums)
  const at = reserve(e, [N * O * L, O * Kg, N * CK * L, N * C * H * W, O * Kg, 2 * O]);
  if (at === null) return false;
  const [gya, wa, ca, xa, gwa, gba] = at as [number, number, number, number, number, number];
  stageIn(e, gy, gya);
  writeParams(e, N, C, H, W, w);
  if (gx) {
    stageIn(e, weight, wa);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < groups; g++) {
        // columns = W[g]ᵀ · gy[n, g]: A is the weight block read transposed
        e.gemm.gemm(
          Kg, L, Og,
          wa + 4 * g * Og * Kg, 1, Kg,
          gya + 4 * (n * O + g * Og) * L, L, 1,
          ca + 4 * (n * CK + g * Kg) * L, L, WS,
        );
      }
    }
    e.conv.col2im(PARAMS, ca, xa);
    stageOut(e, xa, gx, N * C * H * W);
  }
  if (gw) {
    stageIn(e, x, xa);
    e.conv.im2col(PARAMS, xa, ca);
    // gW[g] = Σn gy[n, g] · cols[n, g]ᵀ, both read along their rows (the output positions)
    for (let g = 0; g < groups; g++) {
      e.conv.gemmNT(
        Og, Kg, L,
        gya + 4 * g * Og * L, L, O * L,
        ca + 4 * g * Kg * L, L, CK * L,
        N, gwa + 4 * g * Og * Kg, Kg,
      );
    }
    stageOut(e, gwa, gw, O * Kg);
  }
  if (gb) {
    e.conv.sumRows(gya, N * O, O, L, gba);
    stageOut(e, gba, gb, O);
  }
  return true;
}

/**
 * max_pool2d's values (contiguous float32, N x C x oH x oW) and indices (contiguous int64, flat
 * over each H x W plane; skipped when null) for a float32 input (N, C, H, W), with PyTorch's CPU
 * rules; false when the operands are not float32 or do not fit.
 */
export function wasmMaxPool2d(input: View, values: View, indices: View | null, w: Window2d): boolean {
  if (!usable([input, values], w) || !isContiguous(values)) return false;
  if (indices && (!isContiguous(indices) || !((indices.storage as CpuStorage).data instanceof Float64Array))) return false;
  const e = getEngine();
  if (e === null) return false;
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const n = N * C * w.oH * w.oW;
  if (n === 0) return true;
  const at = reserve(e, [N * C * H * W, n, indices ? 2 * n : 0]);
  if (at === null) return false;
  const [xa, va, ia] = at as [number, number, number];
  stageIn(e, input, xa);
  writeParams(e, N, C, H, W, w);
  // the output columns whose windows lie inside the input's columns
  const lo = Math.min(w.oW, Math.ceil(w.pW / w.sW));
  const hi = Math.max(lo, Math.min(w.oW, Math.floor((W - 1 - (w.kW - 1) * w.dW + w.pW) / w.sW) + 1));
  new Int32Array(e.memory.buffer, PARAMS + 56, 2).set([lo, hi]);
  e.conv.maxPool(PARAMS, xa, va, ia, indices ? 1 : 0);
  stageOut(e, va, values, n);
  if (indices) ((indices.storage as CpuStorage).data as Float64Array).set(new Float64Array(e.memory.buffer, ia, n), indices.offset);
  return true;
}

/** Element c of a 1-d view (1 for a null one). */
function elem(v: View | null, c: number): number {
  return v ? (v.storage as CpuStorage).data[v.offset + c * v.strides[0]!]! : 1;
}

/** Writes C floats from the heap at byte `at` into a 1-d view. */
function writeVector(e: Engine, at: number, v: View, C: number): void {
  const d = (v.storage as CpuStorage).data;
  for (let c = 0; c < C; c++) d[v.offset + c * v.strides[0]!] = e.heap[at / 4 + c]!;
}

/** batchNormStats (see NnKernels) for float32 views; false where it does not take them. */
export function wasmBatchNormStats(input: View, mean: View, var_: View): boolean {
  if (!allF32([input, mean, var_])) return false;
  const e = getEngine();
  if (e === null) return false;
  const [N, C, S] = input.shape as [number, number, number];
  const at = reserve(e, [N * C * S, C, C]);
  if (at === null) return false;
  const [xa, ma, va] = at as [number, number, number];
  stageIn(e, input, xa);
  e.conv.bnStats(xa, N, C, S, ma, va);
  writeVector(e, ma, mean, C);
  writeVector(e, va, var_, C);
  return true;
}

/** batchNorm (see NnKernels) for float32 views and a contiguous out; false where it does not take them. */
export function wasmBatchNorm(input: View, mean: View, invstd: View, weight: View | null, bias: View | null, out: View): boolean {
  if (!allF32([input, mean, invstd, weight, bias, out]) || !isContiguous(out)) return false;
  const e = getEngine();
  if (e === null) return false;
  const [N, C, S] = input.shape as [number, number, number];
  const at = reserve(e, [N * C * S, 3 * C]);
  if (at === null) return false;
  const [xa, pa] = at as [number, number];
  stageIn(e, input, xa);
  const h = e.heap;
  const p = pa / 4;
  for (let c = 0; c < C; c++) {
    h[p + c] = elem(mean, c);
    h[p + C + c] = elem(invstd, c) * elem(weight, c);
    h[p + 2 * C + c] = bias ? elem(bias, c) : 0;
  }
  e.conv.bnNormalize(xa, N, C, S, pa, pa + 4 * C, pa + 8 * C);
  stageOut(e, xa, out, N * C * S);
  return true;
}

/** batchNormBackward (see NnKernels) for float32 views and contiguous outputs; false where it does not take them. */
export function wasmBatchNormBackward(
  grad: View, input: View, mean: View, invstd: View, weight: View | null,
  gradInput: View | null, gradWeight: View | null, gradBias: View | null, batchStats: boolean,
): boolean {
  const outs = [gradInput, gradWeight, gradBias];
  if (!allF32([grad, input, mean, invstd, weight, ...outs]) || outs.some((v) => v && !isContiguous(v))) return false;
  const e = getEngine();
  if (e === null) return false;
  const [N, C, S] = input.shape as [number, number, number];
  const n = N * C * S;
  // g, x, gx, mean, float64 sums (2C), coefficients (3C)
  const at = reserve(e, [n, n, gradInput ? n : 0, C, 4 * C, 3 * C]);
  if (at === null) return false;
  const [ga, xa, gxa, ma, sa, ca] = at as [number, number, number, number, number, number];
  stageIn(e, grad, ga);
  stageIn(e, input, xa);
  for (let c = 0; c < C; c++) e.heap[ma / 4 + c] = elem(mean, c);
  e.conv.bnBackward(ga, xa, N, C, S, ma, sa, 0, 0);
  const sums = new Float64Array(e.memory.buffer, sa, 2 * C);
  const M = N * S;
  const h = e.heap;
  for (let c = 0; c < C; c++) {
    const is = elem(invstd, c);
    const sg = sums[c]!;
    const sgx = sums[C + c]! * is;
    if (gradBias) (gradBias.storage as CpuStorage).data[gradBias.offset + c] = sg;
    if (gradWeight) (gradWeight.storage as CpuStorage).data[gradWeight.offset + c] = sgx;
    h[ca / 4 + c] = is * elem(weight, c);
    h[ca / 4 + C + c] = batchStats ? sg / M : 0;
    h[ca / 4 + 2 * C + c] = batchStats ? (is * sgx) / M : 0;
  }
  if (gradInput) {
    e.conv.bnBackward(ga, xa, N, C, S, ma, sa, ca, gxa);
    stageOut(e, gxa, gradInput, n);
  }
  return true;
}

function allF32(views: readonly (View | null)[]): boolean {
  for (const v of views) if (v && !((v.storage as CpuStorage).data instanceof Float32Array)) return false;
  return getEngine() !== null;
}
