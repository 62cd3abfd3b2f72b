/**
 * Matrix decompositions and what is built on them: `det`, `slogdet`, `logdet`, `inv`, `solve`,
 * `cholesky`, `qr`, `eigh`, `eigvalsh`; the SVD and what is built on it (`svd`, `svdvals`, `pinv`,
 * `matrix_rank`, `lstsq`) are in linalg_svd.ts, re-exported here.
 * Each matrix of a batch is factored on the host in float64 (LU with partial pivoting,
 * Householder QR as LAPACK's geqrf, cyclic Jacobi for eigh, one-sided Jacobi for the SVD) and
 * the result rounded to the input's dtype; reads block, also for 'cuda' tensors. Backward
 * formulas are composed of differentiable ops, so they can be differentiated again.
 */

import * as dt from '../dtype.js';
import type { DType } from '../dtype.js';
import type { Device } from '../device.js';
import { RuntimeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { readValues } from './copy.js';
import { fromValues } from './creation.js';
import { record } from './dispatch.js';
import { cTypeName } from './pointwise.js';
import { diag_embed } from './manipulation.js';
import { asNode } from './host_rows.js';
import { cat } from './cat.js';

/** `torch.linalg.LinAlgError`: a factorization failed (a singular or not positive-definite matrix). */
export class LinAlgError extends RuntimeError {
  override name = 'torch.linalg.LinAlgError';
}

// ---- batches of matrices on the host ----

interface Mats { vals: Float64Array; count: number; m: number; n: number; batch: number[] }

/** @internal shared with linalg_svd.ts */
export function matsOf(a: Tensor): Mats {
  const m = a._shape[a.dim() - 2]!;
  const n = a._shape[a.dim() - 1]!;
  const raw = readValues(a);
  const vals = raw instanceof Float64Array ? raw : Float64Array.from(raw);
  return { vals, count: m * n === 0 ? numel(a._shape.slice(0, -2)) : vals.length / (m * n), m, n, batch: a._shape.slice(0, -2) };
}
const numel = (s: readonly number[]): number => s.reduce((p, v) => p * v, 1);

/** @internal shared with linalg_svd.ts */
export function out(vals: Float64Array, shape: number[], dtype: DType, device: Device): Tensor {
  const arr = dtype === dt.float64 ? vals : (() => {
    const a = new dtype.array(vals.length);
    a.set(vals);
    return a;
  })();
  return fromValues(arr, shape, dtype, device);
}

/** @internal shared with linalg_svd.ts */
export function checkFloat(name: string, a: Tensor): void {
  if (!a.dtype.is_floating_point) {
    throw new RuntimeError(`${name}: Expected a floating point or complex tensor as input. Got ${cTypeName(a.dtype)}`);
  }
}
/** @internal shared with linalg_svd.ts */
export function checkMatrix(name: string, a: Tensor): void {
  if (a.dim() < 2) throw new RuntimeError(`${name}: The input tensor A must have at least 2 dimensions.`);
}
/** @internal shared with linalg_svd.ts */
export function checkSquare(name: string, a: Tensor): void {
  checkMatrix(name, a);
  const r = a._shape[a.dim() - 2]!;
  const c = a._shape[a.dim() - 1]!;
  if (r !== c) throw new RuntimeError(`${name}: A must be batches of square matrices, but they are ${r} by ${c} matrices`);
}
const batchNote = (count: number, b: number): string => (count > 1 ? `(Batch element ${b}): ` : '');

/** The matrix transpose of the last two dims. */
export const mT = (t: Tensor): Tensor => t.transpose(-2, -1);

// ---- LU ----

interface LU { lu: Float64Array; perm: Int32Array; sign: number; zeroAt: number }

/** Row-pivoted LU of an n x n matrix (a copy): PA = LU, unit lower L. zeroAt is LAPACK's info (1-based first zero pivot). */
function luFactor(src: Float64Array, off: number, n: number): LU {
  const a = src.slice(off, off + n * n);
  const perm = new Int32Array(n).map((_, i) => i);
  let sign = 1;
  let zeroAt = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]!) > Math.abs(a[p * n + k]!)) p = i;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = t;
      }
      const t = perm[k]!;
      perm[k] = perm[p]!;
      perm[p] = t;
      sign = -sign;
    }
    const piv = a[k * n + k]!;
    if (piv === 0) {
      if (!zeroAt) zeroAt = k + 1;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k]! /= piv);
      if (f !== 0) for (let j = k + 1; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
    }
  }
  return { lu: a, perm, sign, zeroAt };
}

/** Solves LU x = P b for the k columns of b (n x k, row-major), in place into `x`. */
function luSolve(f: LU, n: number, b: Float64Array, boff: number, k: number, x: Float64Array, xoff: number): void {
  const { lu, perm } = f;
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      let s = b[boff + perm[i]! * k + c]!;
      for (let j = 0; j < i; j++) s -= lu[i * n + j]! * x[xoff + j * k + c]!;
      x[xoff + i * k + c] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[xoff + i * k + c]!;
      for (let j = i + 1; j < n; j++) s -= lu[i * n + j]! * x[xoff + j * k + c]!;
      x[xoff + i * k + c] = s / lu[i * n + i]!;
    }
  }
}

// ---- determinants ----

function slogdetHost(a: Tensor): [Tensor, Tensor] {
  const { vals, count, n, batch } = matsOf(a);
  const sign = new Float64Array(count);
  const logabs = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const f = luFactor(vals, b * n * n, n);
    let s = f.sign;
    let l = 0;
    for (let i = 0; i < n; i++) {
      const d = f.lu[i * n + i]!;
      if (d < 0) s = -s;
      l += Math.log(Math.abs(d));
    }
    sign[b] = Number.isNaN(l) ? NaN : l === -Infinity ? 0 : s;
    logabs[b] = l;
  }
  return [out(sign, batch, a.dtype, a.device), out(logabs, batch, a.dtype, a.device)];
}

/**
 * `torch.linalg.det(A)` (also `torch.det`, `x.det()`): the determinant of each square matrix.
 * Its gradient, det * inv(A)^T, needs an invertible matrix.
 * @example torch.linalg.det(torch.tensor([[1, 2], [3, 4]], {dtype: torch.float64})) // tensor(-2.)
 */
export function det(a: Tensor): Tensor {
  checkSquare('linalg.det', a);
  checkFloat('linalg.det', a);
  const { vals, count, n, batch } = matsOf(a);
  const d = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const f = luFactor(vals, b * n * n, n);
    let p = f.sign;
    for (let i = 0; i < n; i++) p *= f.lu[i * n + i]!;
    d[b] = p;
  }
  const y = out(d, batch, a.dtype, a.device);
  record('LinalgDetBackward0', [a], [y], [a, y], ([g], [A, Y]) => [g!.mul(Y!).unsqueeze(-1).unsqueeze(-1).mul(mT(inv(A!)))]);
  return y;
}

export type SignLogAbsDet = readonly [Tensor, Tensor] & { readonly sign: Tensor; readonly logabsdet: Tensor };

/**
 * `torch.linalg.slogdet(A)`: `(sign, logabsdet)` of the determinant, as a named tuple; sign 0 and
 * logabsdet -inf for a singular matrix. Differentiable through logabsdet.
 * @example const {sign, logabsdet} = torch.linalg.slogdet(A)
 */
export function slogdet(a: Tensor): SignLogAbsDet {
  checkSquare('linalg.slogdet', a);
  checkFloat('linalg.slogdet', a);
  const [sign, logabsdet] = slogdetHost(a);
  record('LinalgSlogdetBackward0', [a], [sign, logabsdet], [a], ([, g], [A]) => [
    g ? g.unsqueeze(-1).unsqueeze(-1).mul(mT(inv(A!))) : null,
  ]);
  return Object.assign([sign, logabsdet] as const, { sign, logabsdet });
}

/**
 * `torch.logdet(A)`: log det(A): NaN for a negative determinant, -inf for a singular matrix.
 * @example torch.logdet(torch.eye(3).mul(2)) // tensor(2.0794)
 */
export function logdet(a: Tensor): Tensor {
  checkSquare('linalg.slogdet', a);
  checkFloat('linalg.slogdet', a);
  const { sign, logabsdet } = slogdet(a);
  return logabsdet.where(sign.ge(0), NaN);
}

// ---- inverse and solve ----

/**
 * `torch.linalg.inv(A)` (also `torch.inverse`, `x.inverse()`): the inverse of each square
 * matrix; a singular matrix raises `torch.linalg.LinAlgError` with LAPACK's pivot number.
 * @example torch.linalg.inv(torch.tensor([[2, 0], [0, 4]], {dtype: torch.float32})) // [[0.5, 0], [0, 0.25]]
 */
export function inv(a: Tensor): Tensor {
  checkSquare('linalg.inv', a);
  checkFloat('linalg.inv', a);
  const { vals, count, n } = matsOf(a);
  const res = new Float64Array(count * n * n);
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  for (let b = 0; b < count; b++) {
    const f = luFactor(vals, b * n * n, n);
    if (f.zeroAt) {
      throw new LinAlgError(
        `linalg.inv: ${batchNote(count, b)}The diagonal element ${f.zeroAt} is zero, the inversion could not be completed because the input matrix is singular.`,
      );
    }
    luSolve(f, n, eye, 0, n, res, b * n * n);
  }
  const y = out(res, a._shape.slice(), a.dtype, a.device);
  record('LinalgInvExBackward0', [a], [y], [y], ([g], [Y]) => [mT(Y!).matmul(g!).matmul(mT(Y!)).neg()]);
  return y;
}

/**
 * `torch.linalg.solve(A, B, *, left=True)`: X with AX = B (XA = B when `left` is false). B is a
 * batch of vectors when it is 1-d or has A's batch shape plus one dim, as in PyTorch.
 * @example torch.linalg.solve(A, b)
 */
export function solve(a: Tensor, b: Tensor, opts: { left?: boolean } = {}): Tensor {
  if (opts.left === false) return asNode('LinalgSolveExBackward0', mT(solve(mT(a), mT(b))));
  checkSquare('linalg.solve', a);
  checkFloat('linalg.solve', a);
  if (a.dtype !== b.dtype) {
    throw new RuntimeError(`linalg.solve: Expected A and B to have the same dtype, but found A of type ${cTypeName(a.dtype)} and B of type ${cTypeName(b.dtype)} instead`);
  }
  const n = a._shape[a.dim() - 1]!;
  const vector = b.dim() === 1 || (b.dim() === a.dim() - 1 && b._shape.every((s, i) => s === a._shape[i]));
  const bm = vector ? b.unsqueeze(-1) : b;
  if (bm._shape[bm.dim() - 2] !== n) {
    throw new RuntimeError(
      `linalg.solve: Incompatible shapes of A and B for the equation AX = B (${n}x${n} and ${bm._shape[bm.dim() - 2]}x${bm._shape[bm.dim() - 1]})`,
    );
  }
  const batch = broadcastBatch(a._shape.slice(0, -2), bm._shape.slice(0, -2));
  const k = bm._shape[bm.dim() - 1]!;
  const A = matsOf(a.expand([...batch, n, n]));
  const B = matsOf(bm.expand([...batch, n, k]));
  const res = new Float64Array(A.count * n * k);
  for (let i = 0; i < A.count; i++) {
    const f = luFactor(A.vals, i * n * n, n);
    if (f.zeroAt) {
      throw new LinAlgError(`torch.linalg.solve: ${batchNote(A.count, i)}The solver failed because the input matrix is singular.`);
    }
    luSolve(f, n, B.vals, i * n * k, k, res, i * n * k);
  }
  const x = out(res, [...batch, n, k], a.dtype, a.device);
  const aShape = a._shape.slice();
  const bShape = bm._shape.slice();
  record('LinalgSolveExBackward0', [a, bm], [x], [a, x], ([g], [A2, X]) => {
    const gb = solve(mT(A2!), g!);
    return [sumToShape(gb.matmul(mT(X!)).neg(), aShape), sumToShape(gb, bShape)];
  });
  return vector ? asNode('LinalgSolveExBackward0', x.squeeze(-1)) : x;
}

function broadcastBatch(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const r: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new RuntimeError(`The size of tensor a (${x}) must match the size of tensor b (${y}) at non-singleton dimension ${i}`);
    r.push(x === 1 ? y : x);
  }
  return r;
}

function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  const lead = g.dim() - shape.length;
  let r = g;
  if (lead > 0) r = r.sum(Array.from({ length: lead }, (_, i) => i));
  const dims = shape.map((s, i) => (s === 1 && r._shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  return dims.length ? r.sum(dims, true) : r;
}

// ---- Cholesky ----

/**
 * `torch.linalg.cholesky(A, *, upper=False)`: L lower triangular with A = L Lᵀ (reading A's
 * lower triangle; with `upper`, U = Lᵀ from the upper triangle). A matrix that is not positive
 * definite raises `torch.linalg.LinAlgError`.
 * @example torch.linalg.cholesky(torch.tensor([[4, 2], [2, 3]], {dtype: torch.float64}))
 */
export function cholesky(a: Tensor, opts: { upper?: boolean } = {}): Tensor {
  checkSquare('linalg.cholesky', a);
  checkFloat('linalg.cholesky', a);
  if (opts.upper) return asNode('LinalgCholeskyExBackward0', mT(cholesky(mT(a))));
  const { vals, count, n } = matsOf(a);
  const L = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) {
    const o = b * n * n;
    for (let j = 0; j < n; j++) {
      let d = vals[o + j * n + j]!;
      for (let k = 0; k < j; k++) d -= L[o + j * n + k]! * L[o + j * n + k]!;
      if (!(d > 0)) {
        throw new LinAlgError(
          `linalg.cholesky: ${batchNote(count, b)}The factorization could not be completed because the input is not positive-definite (the leading minor of order ${j + 1} is not positive-definite).`,
        );
      }
      const ljj = Math.sqrt(d);
      L[o + j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = vals[o + i * n + j]!;
        for (let k = 0; k < j; k++) s -= L[o + i * n + k]! * L[o + j * n + k]!;
        L[o + i * n + j] = s / ljj;
      }
    }
  }
  const y = out(L, a._shape.slice(), a.dtype, a.device);
  record('LinalgCholeskyExBackward0', [a], [y], [y], ([g], [Ly]) => {
    // gA = L^-T Φ(Lᵀ gL) L^-1, symmetrised; Φ keeps the lower triangle with the diagonal halved
    const l = Ly!;
    const phi = mT(l).matmul(g!.tril()).tril();
    const half = phi.sub(diag_embed(phi.diagonal(0, -2, -1)).mul(0.5));
    const li = inv(l);
    const ga = mT(li).matmul(half).matmul(li);
    return [ga.add(mT(ga)).mul(0.5)];
  });
  return y;
}

// ---- QR ----

export type QR = readonly [Tensor, Tensor] & { readonly Q: Tensor; readonly R: Tensor };

/**
 * `torch.linalg.qr(A, mode='reduced')`: A = QR with Q orthonormal columns and R upper
 * triangular, by Householder reflections with LAPACK's sign convention (so values match
 * PyTorch). `mode`: 'reduced' (Q m x k), 'complete' (Q m x m), 'r' (R only, Q empty).
 * Differentiable as in PyTorch: not with mode 'r', nor 'complete' when nrows > ncols.
 * @example const {Q, R} = torch.linalg.qr(A)
 */
export function qr(a: Tensor, mode: 'reduced' | 'complete' | 'r' | { mode?: 'reduced' | 'complete' | 'r' } = 'reduced'): QR {
  const md = typeof mode === 'string' ? mode : (mode.mode ?? 'reduced');
  checkMatrix('linalg.qr', a);
  checkFloat('linalg.qr', a);
  if (md !== 'reduced' && md !== 'complete' && md !== 'r') {
    throw new RuntimeError(`qr received unrecognized mode '${String(md)}' but expected one of 'reduced' (default), 'r', or 'complete'`);
  }
  const { vals, count, m, n, batch } = matsOf(a);
  const k = Math.min(m, n);
  const qc = md === 'complete' ? m : k;
  const rr = md === 'complete' ? m : k;
  const Qv = new Float64Array(count * m * qc);
  const Rv = new Float64Array(count * rr * n);
  for (let b = 0; b < count; b++) {
    const R = vals.slice(b * m * n, (b + 1) * m * n);
    const vs: Float64Array[] = [];
    const taus: number[] = [];
    for (let j = 0; j < k; j++) {
      const alpha = R[j * n + j]!;
      let xn = 0;
      for (let i = j + 1; i < m; i++) xn = Math.hypot(xn, R[i * n + j]!);
      const v = new Float64Array(m);
      v[j] = 1;
      if (xn === 0) {
        vs.push(v);
        taus.push(0);
        continue;
      }
      const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xn);
      const tau = (beta - alpha) / beta;
      const scale = 1 / (alpha - beta);
      for (let i = j + 1; i < m; i++) {
        v[i] = R[i * n + j]! * scale;
        R[i * n + j] = 0;
      }
      R[j * n + j] = beta;
      for (let c = j + 1; c < n; c++) {
        let s = 0;
        for (let i = j; i < m; i++) s += v[i]! * R[i * n + c]!;
        s *= tau;
        for (let i = j; i < m; i++) R[i * n + c]! -= s * v[i]!;
      }
      vs.push(v);
      taus.push(tau);
    }
    for (let i = 0; i < rr; i++) for (let c = 0; c < n; c++) Rv[b * rr * n + i * n + c] = i < m ? R[i * n + c]! : 0;
    if (md === 'r') continue;
    // Q = H0 H1 ... H(k-1) applied to the first qc columns of the identity
    const Q = new Float64Array(m * qc);
    for (let i = 0; i < Math.min(m, qc); i++) Q[i * qc + i] = 1;
    for (let j = k - 1; j >= 0; j--) {
      const v = vs[j]!;
      const tau = taus[j]!;
      if (tau === 0) continue;
      for (let c = 0; c < qc; c++) {
        let s = 0;
        for (let i = j; i < m; i++) s += v[i]! * Q[i * qc + c]!;
        s *= tau;
        for (let i = j; i < m; i++) Q[i * qc + c]! -= s * v[i]!;
      }
    }
    Qv.set(Q, b * m * qc);
  }
  const Q = md === 'r' ? out(new Float64Array(0), [0], a.dtype, a.device) : out(Qv, [...batch, m, qc], a.dtype, a.device);
  const R = out(Rv, [...batch, rr, n], a.dtype, a.device);
  record('LinalgQrBackward0', [a], [Q, R], [Q, R], ([gQ, gR], [Qs, Rs]) => {
    if (md === 'r') throw new RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
    if (md === 'complete' && m > n) throw new RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
    return [qrBackward(gQ ?? Qs!.mul(0), gR ?? Rs!.mul(0), Qs!, Rs!)];
  });
  return Object.assign([Q, R] as const, { Q, R });
}

/**
 * The gradient of A = QR for m >= n: with M = R gRᵀ - gQᵀ Q, gA = (gQ + Q copyltu(M)) R⁻ᵀ, where
 * copyltu mirrors the lower triangle onto the upper. For m < n, A = [X | Y] with X = QU square:
 * X takes the square case with gQ + Y gVᵀ (gV: gR's last n - m columns), Y gets Q gV.
 */
function qrBackward(gQ: Tensor, gR: Tensor, Q: Tensor, R: Tensor): Tensor {
  const m = Q._shape[Q.dim() - 2]!;
  const n = R._shape[R.dim() - 1]!;
  if (m < n) {
    const Y = Q.matmul(R.narrow(-1, m, n - m));
    const gV = gR.narrow(-1, m, n - m);
    const gX = qrBackward(gQ.add(Y.matmul(mT(gV))), gR.narrow(-1, 0, m), Q, R.narrow(-1, 0, m));
    return cat([gX, Q.matmul(gV)], -1);
  }
  const M = R.matmul(mT(gR)).sub(mT(gQ).matmul(Q));
  const low = M.tril(-1);
  const copyltu = low.add(mT(low)).add(diag_embed(M.diagonal(0, -2, -1)));
  // X R⁻ᵀ = (R⁻¹ Xᵀ)ᵀ: one solve against the triangular R
  return mT(solve(R, mT(gQ.add(Q.matmul(copyltu)))));
}

// ---- symmetric eigenproblem ----

/**
 * A Givens rotation of lines p and q of a row-major matrix X: for each of `len` positions k
 * (element k of line i at i·lineStep + k·step), (x_p, x_q) <- (c·x_p - s·x_q, s·x_p + c·x_q).
 * Columns of an n-column matrix: lineStep 1, step n; rows: lineStep n, step 1.
 */
export function rotate(X: Float64Array, len: number, step: number, lineStep: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < len; k++) {
    const xp = X[p * lineStep + k * step]!;
    const xq = X[q * lineStep + k * step]!;
    X[p * lineStep + k * step] = c * xp - s * xq;
    X[q * lineStep + k * step] = s * xp + c * xq;
  }
}

/** Cyclic Jacobi on a symmetric n x n matrix: eigenvalues ascending, eigenvectors as columns. */
function jacobiEigh(src: Float64Array, off: number, n: number, lower: boolean): { w: Float64Array; V: Float64Array } {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [r, c] = (lower ? i >= j : i <= j) ? [i, j] : [j, i];
      A[i * n + j] = src[off + r * n + c]!;
    }
  }
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off2 = 0;
    let diag2 = 0;
    for (let i = 0; i < n; i++) {
      diag2 += A[i * n + i]! ** 2;
      for (let j = i + 1; j < n; j++) off2 += A[i * n + j]! ** 2;
    }
    if (off2 <= 1e-32 * diag2 || off2 === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q]!;
        if (apq === 0) continue;
        const theta = (A[q * n + q]! - A[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(A, n, n, 1, p, q, c, s);
        rotate(A, n, 1, n, p, q, c, s);
        rotate(V, n, n, 1, p, q, c, s);
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => A[x * n + x]! - A[y * n + y]!);
  const w = new Float64Array(n);
  const Vs = new Float64Array(n * n);
  order.forEach((src2, j) => {
    w[j] = A[src2 * n + src2]!;
    for (let i = 0; i < n; i++) Vs[i * n + j] = V[i * n + src2]!;
  });
  return { w, V: Vs };
}

export type Eigh = readonly [Tensor, Tensor] & { readonly eigenvalues: Tensor; readonly eigenvectors: Tensor };

/** @internal shared with linalg_svd.ts */
export function eighHost(a: Tensor, uplo: string, name: string): [Tensor, Tensor] {
  checkSquare(name, a);
  checkFloat(name, a);
  if (uplo !== 'L' && uplo !== 'U') throw new RuntimeError(`Expected UPLO argument to be 'L' or 'U', but got ${uplo}`);
  const { vals, count, n, batch } = matsOf(a);
  const W = new Float64Array(count * n);
  const V = new Float64Array(count * n * n);
  for (let b = 0; b < count; b++) {
    const r = jacobiEigh(vals, b * n * n, n, uplo === 'L');
    W.set(r.w, b * n);
    V.set(r.V, b * n * n);
  }
  return [out(W, [...batch, n], a.dtype, a.device), out(V, [...batch, n, n], a.dtype, a.device)];
}

/**
 * `torch.linalg.eigh(A, UPLO='L')`: eigenvalues (ascending) and orthonormal eigenvectors (the
 * columns) of a symmetric matrix, reading its lower (or upper) triangle.
 * Differs from PyTorch: each eigenvector's sign may differ from LAPACK's choice (both are valid).
 * @example const {eigenvalues, eigenvectors} = torch.linalg.eigh(A)
 */
export function eigh(a: Tensor, uplo: 'L' | 'U' | { UPLO?: 'L' | 'U' } = 'L'): Eigh {
  const u = typeof uplo === 'string' ? uplo : (uplo.UPLO ?? 'L');
  const [w, V] = eighHost(a, u, 'linalg.eigh');
  record('LinalgEighBackward0', [a], [w, V], [w, V], ([gw, gV], [W, Vs]) => {
    // gA = V (diag(gw) + skew(Vᵀ gV) / (w_j - w_i) off the diagonal) Vᵀ, as PyTorch's eigh backward
    let inner: Tensor | null = gw ? diag_embed(gw) : null;
    if (gV) {
      const diffs = W!.unsqueeze(-2).sub(W!.unsqueeze(-1)); // [i, j] = w_j - w_i
      const n = W!._shape[W!.dim() - 1]!;
      const offd = diffs.new_ones([n, n], { dtype: dt.bool }).logical_xor(diag_embed(diffs.new_ones([n], { dtype: dt.bool })));
      const vg = mT(Vs!).matmul(gV);
      const f = vg.sub(mT(vg)).mul(0.5).div(diffs.where(offd, 1)).where(offd, 0);
      inner = inner ? inner.add(f) : f;
    }
    return [Vs!.matmul(inner!).matmul(mT(Vs!))];
  });
  return Object.assign([w, V] as const, { eigenvalues: w, eigenvectors: V });
}

/**
 * `torch.linalg.eigvalsh(A, UPLO='L')`: the eigenvalues (ascending) of a symmetric matrix.
 * @example torch.linalg.eigvalsh(torch.tensor([[2, 1], [1, 2]], {dtype: torch.float32})) // [1, 3]
 */
export function eigvalsh(a: Tensor, uplo: 'L' | 'U' | { UPLO?: 'L' | 'U' } = 'L'): Tensor {
  const u = typeof uplo === 'string' ? uplo : (uplo.UPLO ?? 'L');
  const [w, V] = eighHost(a, u, 'linalg.eigvalsh');
  record('LinalgEighBackward0', [a], [w], [V], ([gw], [Vs]) => [Vs!.matmul(diag_embed(gw!)).matmul(mT(Vs!))]);
  return w;
}

export { svd, svdvals, pinv, matrix_rank, lstsq, type SVD, type TolOptions, type Lstsq } from './linalg_svd.js';
