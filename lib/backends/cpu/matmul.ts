/**
 * Batched matrix multiply on the CPU, out[b] = a[b] @ m[b] over 3-d views [B,M,K] x [B,K,N].
 *
 * Plain JavaScript has no SIMD, so speed comes from doing as little non-arithmetic work per
 * multiply-add as V8 allows (the GotoBLAS scheme): operands of any strides are packed, one
 * K-block at a time, into a contiguous Float64Array — A in strips of MR rows, B in strips of NR
 * columns, each laid out k-major — and a register-blocked micro-kernel multiplies one A strip by
 * one B strip with its MR x NR accumulators in locals. Blocking over N keeps the B block in L2
 * while an A strip is reused from L1. Matrix-vector shapes skip packing (there is no reuse to win).
 *
 * Every product is computed (no zero skipping), so NaN and infinity propagate as in BLAS; sums are
 * accumulated in float64 and the output typed array rounds (float32) or wraps (int32, uint8) them.
 *
 * float32 products of some size go to the WebAssembly SIMD kernel instead (wasm/gemm.ts: float32
 * sums, several threads for large ones); this one stays the path for float64, the integer dtypes,
 * matrix-vector shapes and tiny products, and the reference the fast path is tested against.
 */

import type { View } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import { wasmGemmConfig, wasmMatmul } from './wasm/gemm.js';

/** Rows per A strip and columns per B strip: 2x4 keeps all 8 accumulators in registers under V8. */
const MR = 2;
const NR = 4;
/** Depth of one packed block: a 2x256 A strip (4 KiB) sits in L1 while B strips stream past it. */
const KC = 256;
/** Columns of B per L2 block: 256 x 128 float64 = 256 KiB. */
const NC = 128;

let packBuf: Float64Array = new Float64Array(0);
let accBuf: Float64Array = new Float64Array(0);
const edgeTile = new Float64Array(MR * NR);

function scratch(old: Float64Array, n: number): Float64Array {
  return old.length >= n ? old : new Float64Array(Math.max(n, old.length * 2));
}

/**
 * acc[o + i*ldc + j] += sum_k p[ia + k*MR + i] * p[ib + k*NR + j] for the 2x4 tile.
 * Both strips live in one array so V8 checks one map per iteration; `| 0` keeps the index
 * arithmetic in int32 without overflow checks.
 */
function kernel2x4(p: Float64Array, ia: number, ib: number, kc: number, acc: Float64Array, o: number, ldc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  for (let k = 0; k < kc; k++) {
    const a0 = p[ia]!;
    const a1 = p[(ia + 1) | 0]!;
    const b0 = p[ib]!;
    const b1 = p[(ib + 1) | 0]!;
    const b2 = p[(ib + 2) | 0]!;
    const b3 = p[(ib + 3) | 0]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    ia = (ia + MR) | 0;
    ib = (ib + NR) | 0;
  }
  acc[o] += c00; acc[o + 1] += c01; acc[o + 2] += c02; acc[o + 3] += c03;
  o += ldc;
  acc[o] += c10; acc[o + 1] += c11; acc[o + 2] += c12; acc[o + 3] += c13;
}

/** Packs A[i, k0:k0+kc] for all rows into MR-row strips at p[0...], zero-padding the last strip. */
function packA(src: TypedArray, base: number, sr: number, sc: number, M: number, k0: number, kc: number, p: Float64Array): void {
  const strips = Math.ceil(M / MR);
  for (let s = 0; s < strips; s++) {
    const dst = s * kc * MR;
    for (let i = 0; i < MR; i++) {
      const r = s * MR + i;
      let d = dst + i;
      if (r >= M) {
        for (let k = 0; k < kc; k++, d += MR) p[d] = 0;
        continue;
      }
      let q = base + r * sr + k0 * sc;
      for (let k = 0; k < kc; k++, d += MR, q += sc) p[d] = src[q]!;
    }
  }
}

/** Packs B[k0:k0+kc, :] into NR-column strips at p[off...], zero-padding the last strip. */
function packB(src: TypedArray, base: number, sr: number, sc: number, N: number, k0: number, kc: number, p: Float64Array, off: number): void {
  const strips = Math.ceil(N / NR);
  const full = Math.floor(N / NR);
  for (let k = 0; k < kc; k++) {
    const row = base + (k0 + k) * sr;
    let d = off + k * NR;
    for (let s = 0; s < full; s++, d += kc * NR) {
      const q = row + s * NR * sc;
      p[d] = src[q]!;
      p[d + 1] = src[q + sc]!;
      p[d + 2] = src[q + 2 * sc]!;
      p[d + 3] = src[q + 3 * sc]!;
    }
    if (full < strips) {
      for (let j = 0; j < NR; j++) {
        const col = full * NR + j;
        p[d + j] = col < N ? src[row + col * sc]! : 0;
      }
    }
  }
}

/** acc[0 : M*N] (row-major, zeroed by the caller) += A @ B for one batch entry. */
function gemm(
  ad: TypedArray, aBase: number, sa1: number, sa2: number,
  bd: TypedArray, bBase: number, sb1: number, sb2: number,
  M: number, N: number, K: number, acc: Float64Array,
): void {
  const mStrips = Math.ceil(M / MR);
  const nStrips = Math.ceil(N / NR);
  const kcMax = Math.min(KC, K);
  const bOff = mStrips * MR * kcMax;
  packBuf = scratch(packBuf, bOff + nStrips * NR * kcMax);
  const p = packBuf;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    packA(ad, aBase, sa1, sa2, M, k0, kc, p);
    packB(bd, bBase, sb1, sb2, N, k0, kc, p, bOff);
    for (let j0 = 0; j0 < nStrips; j0 += NC / NR) {
      const jEnd = Math.min(nStrips, j0 + NC / NR);
      for (let si = 0; si < mStrips; si++) {
        const ia = si * kc * MR;
        const i0 = si * MR;
        const rows = Math.min(MR, M - i0);
        for (let sj = j0; sj < jEnd; sj++) {
          const ib = bOff + sj * kc * NR;
          const c0 = sj * NR;
          const cols = Math.min(NR, N - c0);
          if (rows === MR && cols === NR) {
            kernel2x4(p, ia, ib, kc, acc, i0 * N + c0, N);
          } else {
            edgeTile.fill(0);
            kernel2x4(p, ia, ib, kc, edgeTile, 0, NR);
            for (let i = 0; i < rows; i++) {
              for (let j = 0; j < cols; j++) acc[(i0 + i) * N + c0 + j] += edgeTile[i * NR + j]!;
            }
          }
        }
      }
    }
  }
}

/**
 * acc[i] = sum_k A[i,k] x[k] (N = 1): a dot product per row when A's rows are contiguous-ish,
 * else columns of A scaled and added, so memory is always walked along its short stride.
 */
function gemv(
  ad: TypedArray, aBase: number, sa1: number, sa2: number,
  xd: TypedArray, xBase: number, sx: number, M: number, K: number, acc: Float64Array,
): void {
  packBuf = scratch(packBuf, K);
  const x = packBuf;
  for (let k = 0, q = xBase; k < K; k++, q += sx) x[k] = xd[q]!;
  if (Math.abs(sa1) < Math.abs(sa2)) {
    for (let k = 0; k < K; k++) {
      const v = x[k]!;
      for (let i = 0, q = aBase + k * sa2; i < M; i++, q += sa1) acc[i] += ad[q]! * v;
    }
    return;
  }
  for (let i = 0; i < M; i++) {
    // four partial sums hide the latency of the add chain
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let q = aBase + i * sa1;
    let k = 0;
    if (sa2 === 1) {
      for (; k + 3 < K; k += 4, q += 4) {
        s0 += ad[q]! * x[k]!;
        s1 += ad[q + 1]! * x[k + 1]!;
        s2 += ad[q + 2]! * x[k + 2]!;
        s3 += ad[q + 3]! * x[k + 3]!;
      }
    } else {
      for (; k + 3 < K; k += 4, q += 4 * sa2) {
        s0 += ad[q]! * x[k]!;
        s1 += ad[q + sa2]! * x[k + 1]!;
        s2 += ad[q + 2 * sa2]! * x[k + 2]!;
        s3 += ad[q + 3 * sa2]! * x[k + 3]!;
      }
    }
    for (; k < K; k++, q += sa2) s0 += ad[q]! * x[k]!;
    acc[i] = s0 + s1 + (s2 + s3);
  }
}

/** The backend's `matmul`: out[b] = a[b] @ m[b] on 3-d views; a batch dim of size 1 broadcasts. */
export function matmulKernel(
  ad: TypedArray, a: View, bd: TypedArray, b: View, od: TypedArray, o: View,
): void {
  const B = o.shape[0]!;
  const M = o.shape[1]!;
  const N = o.shape[2]!;
  const K = a.shape[2]!;
  if (B === 0 || M === 0 || N === 0) return;
  // float32 products go to the WebAssembly SIMD kernel (wasm/gemm.ts) unless they are tiny or
  // matrix-vector shapes, where copying into its memory costs more than the arithmetic
  if (
    od instanceof Float32Array && ad instanceof Float32Array && bd instanceof Float32Array &&
    M > 1 && N > 1 && K > 0 && M * N * K >= wasmGemmConfig.minMacs &&
    wasmMatmul(ad, a, bd, b, od, o)
  ) {
    return;
  }
  const [sa0, sa1, sa2] = a.strides as [number, number, number];
  const [sb0, sb1, sb2] = b.strides as [number, number, number];
  const [so0, so1, so2] = o.strides as [number, number, number];
  // a batch dim of size 1 broadcasts, like a stride of 0
  const aStep = a.shape[0] === 1 ? 0 : sa0;
  const bStep = b.shape[0] === 1 ? 0 : sb0;
  accBuf = scratch(accBuf, M * N);
  const acc = accBuf;
  for (let bi = 0; bi < B; bi++) {
    const aBase = a.offset + bi * aStep;
    const bBase = b.offset + bi * bStep;
    acc.fill(0, 0, M * N);
    if (K > 0) {
      if (N === 1) gemv(ad, aBase, sa1, sa2, bd, bBase, sb1, M, K, acc);
      // x B = (B^T x^T)^T
      else if (M === 1) gemv(bd, bBase, sb2, sb1, ad, aBase, sa2, N, K, acc);
      else gemm(ad, aBase, sa1, sa2, bd, bBase, sb1, sb2, M, N, K, acc);
    }
    const oBase = o.offset + bi * so0;
    for (let i = 0; i < M; i++) {
      const row = oBase + i * so1;
      const src = i * N;
      if (so2 === 1) for (let j = 0; j < N; j++) od[row + j] = acc[src + j]!;
      else for (let j = 0, q = row; j < N; j++, q += so2) od[q] = acc[src + j]!;
    }
  }
}

/**
 * The backend's `addmm` (Backend.addmm): float32 products large enough for the WebAssembly GEMM
 * start from the bias, which saves the separate broadcast add; anything else is declined.
 */
export function addmmKernel(bd: TypedArray, bias: View, ad: TypedArray, a: View, md: TypedArray, m: View, od: TypedArray, o: View): boolean {
  const [M, K] = a.shape as [number, number];
  const N = m.shape[1]!;
  if (!(od instanceof Float32Array && ad instanceof Float32Array && md instanceof Float32Array && bd instanceof Float32Array)) return false;
  if (M <= 1 || N <= 1 || K === 0 || M * N * K < wasmGemmConfig.minMacs) return false;
  const as3 = (v: View): View => ({ ...v, shape: [1, ...v.shape], strides: [0, ...v.strides] });
  return wasmMatmul(ad, as3(a), md, as3(m), od, as3(o), { data: bd, view: bias });
}
