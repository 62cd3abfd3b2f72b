/**
 * The singular value decomposition (one-sided Jacobi on the host, in float64) and what is built
 * on it: `svd`, `svdvals`, `pinv`, `matrix_rank`, `lstsq`. Backward formulas are composed of
 * differentiable ops, so they can be differentiated again.
 */

import * as dt from '../dtype.js';
import type { DType } from '../dtype.js';
import { RuntimeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { no_grad } from '../autograd/grad_mode.js';
import { record } from './dispatch.js';
import { diag_embed } from './manipulation.js';
import { asNode } from './host_rows.js';
import { checkFloat, checkMatrix, eighHost, matsOf, mT, out, rotate } from './linalg_decomp.js';

// ---- SVD ----

/** One-sided Jacobi SVD of an m x n matrix with m >= n: U (m x n), S (n, descending), V (n x n). */
function jacobiSvdTall(A: Float64Array, m: number, n: number): { U: Float64Array; S: Float64Array; V: Float64Array } {
  const U = A.slice();
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          const up = U[i * n + p]!;
          const uq = U[i * n + q]!;
          alpha += up * up;
          beta += uq * uq;
          gamma += up * uq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotate(U, m, n, 1, p, q, c, s);
        rotate(V, n, n, 1, p, q, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += U[i * n + j]! ** 2;
    return Math.sqrt(s);
  });
  const order = norms.map((_, j) => j).sort((x, y) => norms[y]! - norms[x]!);
  const Us = new Float64Array(m * n);
  const Vs = new Float64Array(n * n);
  const S = new Float64Array(n);
  order.forEach((j, k) => {
    const s = norms[j]!;
    S[k] = s;
    for (let i = 0; i < m; i++) Us[i * n + k] = s > 0 ? U[i * n + j]! / s : 0;
    for (let i = 0; i < n; i++) Vs[i * n + k] = V[i * n + j]!;
  });
  return { U: Us, S, V: Vs };
}

/** The m x cols matrix whose first `have` columns are `Q`'s (orthonormal), completed by Gram-Schmidt. */
function completeBasis(Q: Float64Array, m: number, qCols: number, have: number, cols: number): Float64Array {
  const out2 = new Float64Array(m * cols);
  for (let i = 0; i < m; i++) for (let j = 0; j < have; j++) out2[i * cols + j] = Q[i * qCols + j]!;
  let j = have;
  for (let e = 0; e < m && j < cols; e++) {
    const v = new Float64Array(m);
    v[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let c = 0; c < j; c++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += out2[i * cols + c]! * v[i]!;
        for (let i = 0; i < m; i++) v[i]! -= d * out2[i * cols + c]!;
      }
    }
    const nv = Math.hypot(...v);
    if (nv < 1e-8) continue;
    for (let i = 0; i < m; i++) out2[i * cols + j] = v[i]! / nv;
    j++;
  }
  return out2;
}

/** SVD of each matrix: U (m x ucols), S (k), Vh (vrows x n). */
function svdHost(a: Tensor, full: boolean): [Tensor, Tensor, Tensor] {
  const { vals, count, m, n, batch } = matsOf(a);
  const k = Math.min(m, n);
  const uc = full ? m : k;
  const vr = full ? n : k;
  const Uo = new Float64Array(count * m * uc);
  const So = new Float64Array(count * k);
  const Vo = new Float64Array(count * vr * n);
  for (let b = 0; b < count; b++) {
    const M = vals.subarray(b * m * n, (b + 1) * m * n);
    let U: Float64Array;
    let V: Float64Array;
    let S: Float64Array;
    if (m >= n) {
      ({ U, S, V } = jacobiSvdTall(M, m, n));
    } else {
      const T = new Float64Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[j * m + i] = M[i * n + j]!;
      const r = jacobiSvdTall(T, n, m);
      U = r.V; // m x m
      V = r.U; // n x m
      S = r.S;
    }
    // columns with a zero singular value carry no direction: complete them orthonormally
    const nonzero = Array.from(S).filter((s) => s > 0).length;
    const uCols = m >= n ? n : m;
    const Ufull = completeBasis(U, m, uCols, m >= n ? nonzero : m, uc);
    const vCols = m >= n ? n : m;
    const Vfull = completeBasis(V, n, vCols, m >= n ? n : nonzero, vr);
    Uo.set(Ufull, b * m * uc);
    So.set(S.subarray(0, k), b * k);
    for (let i = 0; i < vr; i++) for (let j = 0; j < n; j++) Vo[b * vr * n + i * n + j] = Vfull[j * vr + i]!;
  }
  return [
    out(Uo, [...batch, m, uc], a.dtype, a.device),
    out(So, [...batch, k], a.dtype, a.device),
    out(Vo, [...batch, vr, n], a.dtype, a.device),
  ];
}

export type SVD = readonly [Tensor, Tensor, Tensor] & { readonly U: Tensor; readonly S: Tensor; readonly Vh: Tensor };

/**
 * `torch.linalg.svd(A, full_matrices=True)`: A = U diag(S) Vh with S descending.
 * Differs from PyTorch: the signs of paired singular vectors may differ from LAPACK's (gradients
 * of sign-invariant functions of U and Vh, and of S, agree).
 * @example const {U, S, Vh} = torch.linalg.svd(A, {full_matrices: false})
 */
export function svd(a: Tensor, full_matrices: boolean | { full_matrices?: boolean } = true): SVD {
  const full = typeof full_matrices === 'boolean' ? full_matrices : (full_matrices.full_matrices ?? true);
  checkMatrix('linalg.svd', a);
  checkFloat('linalg.svd', a);
  const [U, S, Vh] = svdHost(a, full);
  const k = S._shape[S.dim() - 1]!;
  record('LinalgSvdBackward0', [a], [U, S, Vh], [U, S, Vh], ([gU, gS, gVh], [Us, Ss, Vs]) => {
    // with full_matrices the columns past k do not enter A: their gradients are dropped, as PyTorch does
    const u = Us!.narrow(-1, 0, k);
    const vh = Vs!.narrow(-2, 0, k);
    return [svdBackward(gU ? gU.narrow(-1, 0, k) : null, gS ?? null, gVh ? gVh.narrow(-2, 0, k) : null, u, Ss!, vh)];
  });
  return Object.assign([U, S, Vh] as const, { U, S, Vh });
}

/**
 * The gradient of the thin SVD A = U diag(S) Vh (U m×k, Vh k×n) from gU, gS, gVh (absent ones are
 * zero): gA = U (skew(Uᵀ gU) S + S skew(Vᵀ gV)) / E + diag(gS)) Vh, plus the parts of gU and gV
 * outside the spans of U and V, with E_ij = S_j² - S_i². Like PyTorch's, it is not defined for
 * repeated singular values when gU or gVh is given.
 */
function svdBackward(gU: Tensor | null, gS: Tensor | null, gVh: Tensor | null, U: Tensor, S: Tensor, Vh: Tensor): Tensor {
  const m = U._shape[U.dim() - 2]!;
  const n = Vh._shape[Vh.dim() - 1]!;
  const k = S._shape[S.dim() - 1]!;
  if (!gU && !gVh) return U.matmul(diag_embed(gS!)).matmul(Vh);
  const skew = (X: Tensor): Tensor => X.sub(mT(X));
  const S2 = S.mul(S);
  const eye = diag_embed(S.new_ones([k]));
  const E = S2.unsqueeze(-2).sub(S2.unsqueeze(-1)).add(eye);
  const V = mT(Vh);
  const gV = gVh ? mT(gVh) : null;
  let inner: Tensor;
  if (gU && gV) inner = skew(mT(U).matmul(gU)).mul(S.unsqueeze(-2)).add(S.unsqueeze(-1).mul(skew(mT(V).matmul(gV)))).div(E);
  else if (gU) inner = skew(mT(U).matmul(gU)).div(E).mul(S.unsqueeze(-2));
  else inner = S.unsqueeze(-1).mul(skew(mT(V).matmul(gV!)).div(E));
  if (gS) inner = inner.add(diag_embed(gS));
  if (m > k && gU) {
    const gUSinv = gU.div(S.unsqueeze(-2));
    return U.matmul(inner).add(gUSinv).sub(U.matmul(mT(U).matmul(gUSinv))).matmul(Vh);
  }
  if (n > k && gV) {
    const gVSinvT = mT(gV.div(S.unsqueeze(-2)));
    return U.matmul(inner.matmul(Vh).add(gVSinvT).sub(gVSinvT.matmul(V).matmul(Vh)));
  }
  return U.matmul(inner).matmul(Vh);
}

/**
 * `torch.linalg.svdvals(A)`: the singular values, descending (differentiable).
 * @example torch.linalg.svdvals(torch.tensor([[3, 0], [0, -4]], {dtype: torch.float32})) // [4, 3]
 */
export function svdvals(a: Tensor): Tensor {
  checkMatrix('linalg.svdvals', a);
  checkFloat('linalg.svdvals', a);
  const [U, S, Vh] = no_grad(() => svdHost(a, false));
  record('LinalgSvdBackward0', [a], [S], [U, Vh], ([g], [Us, Vs]) => [Us!.matmul(diag_embed(g!)).matmul(Vs!)]);
  return S;
}

// ---- built on the SVD ----

export interface TolOptions { atol?: number | null; rtol?: number | null; hermitian?: boolean }

function tolerance(a: Tensor, S: Tensor, o: TolOptions): Tensor {
  const m = a._shape[a.dim() - 2]!;
  const n = a._shape[a.dim() - 1]!;
  const eps = a.dtype === dt.float64 ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  const atol = o.atol ?? 0;
  const rtol = o.rtol ?? (o.atol === undefined || o.atol === null ? eps * Math.max(m, n) : 0);
  const smax = S.numel() ? S.amax(-1, true) : S.new_zeros([...S._shape.slice(0, -1), 1]);
  return smax.mul(rtol).clamp_min(atol);
}

/**
 * `torch.linalg.pinv(A, *, atol=None, rtol=None, hermitian=False)`: the Moore-Penrose
 * pseudo-inverse from the SVD, singular values at or below max(atol, rtol * σmax) dropped
 * (rtol defaults to eps * max(m, n)). Differentiable where the rank does not change.
 * @example torch.linalg.pinv(torch.tensor([[1, 2], [2, 4]], {dtype: torch.float32}))
 */
export function pinv(a: Tensor, opts: TolOptions | number = {}): Tensor {
  const o: TolOptions = typeof opts === 'number' ? { rtol: opts } : opts;
  checkMatrix('linalg.pinv', a);
  checkFloat('linalg.pinv', a);
  const p = no_grad(() => {
    const [U, S, Vh] = svdHost(a, false);
    const keep = S.gt(tolerance(a, S, o));
    const sInv = S.reciprocal().where(keep, 0);
    return mT(Vh).mul(sInv.unsqueeze(-2)).matmul(mT(U));
  });
  record('LinalgPinvBackward0', [a], [p], [a, p], ([g], [A, P]) => {
    const m = A!._shape[A!.dim() - 2]!;
    const n = A!._shape[A!.dim() - 1]!;
    const eyeM = diag_embed(A!.new_ones([m]));
    const eyeN = diag_embed(A!.new_ones([n]));
    const Pt = mT(P!);
    const gt = mT(g!);
    return [
      Pt.matmul(g!).matmul(Pt).neg()
        .add(eyeM.sub(A!.matmul(P!)).matmul(gt).matmul(P!).matmul(Pt))
        .add(Pt.matmul(P!).matmul(gt).matmul(eyeN.sub(P!.matmul(A!)))),
    ];
  });
  return p;
}

/**
 * `torch.linalg.matrix_rank(A, *, atol=None, rtol=None, hermitian=False)`: how many singular
 * values exceed the tolerance (as `pinv`), as int64.
 * @example torch.linalg.matrix_rank(torch.tensor([[1, 2], [2, 4]], {dtype: torch.float32})) // tensor(1)
 */
export function matrix_rank(a: Tensor, opts: TolOptions | number = {}): Tensor {
  const o: TolOptions = typeof opts === 'number' ? { atol: opts } : opts;
  checkMatrix('linalg.matrix_rank', a);
  checkFloat('linalg.matrix_rank', a);
  return no_grad(() => {
    const S = o.hermitian ? eighHost(a, 'L', 'linalg.matrix_rank')[0].abs() : svdHost(a, false)[1];
    return S.gt(tolerance(a, S, o)).sum(-1);
  });
}

export type Lstsq = readonly [Tensor, Tensor, Tensor, Tensor] & {
  readonly solution: Tensor; readonly residuals: Tensor; readonly rank: Tensor; readonly singular_values: Tensor;
};

/**
 * `torch.linalg.lstsq(A, B, rcond=None, *, driver=None)`: the least-squares (minimum-norm)
 * solution X of AX ≈ B, with `(solution, residuals, rank, singular_values)` filled as PyTorch's
 * CPU drivers fill them: 'gelsy' (the default) gives the rank only; 'gelsd' / 'gelss' also the
 * singular values and, for tall full-rank A, the residual sums of squares; 'gels' the residuals.
 * Differs from PyTorch: every driver solves through the SVD. Differentiable through the solution.
 * @example torch.linalg.lstsq(A, B).solution
 */
export function lstsq(a: Tensor, b: Tensor, rcond?: number | null | { rcond?: number | null; driver?: string | null }, opts: { driver?: string | null } = {}): Lstsq {
  const o = typeof rcond === 'object' && rcond !== null ? rcond : { rcond, ...opts };
  const driver = o.driver ?? 'gelsy';
  if (!['gels', 'gelsy', 'gelsd', 'gelss'].includes(driver)) {
    throw new RuntimeError(`torch.linalg.lstsq: parameter \`driver\` should be one of (gels, gelsy, gelsd, gelss)`);
  }
  checkMatrix('torch.linalg.lstsq', a);
  checkFloat('torch.linalg.lstsq', a);
  const m = a._shape[a.dim() - 2]!;
  const n = a._shape[a.dim() - 1]!;
  const vector = b.dim() === a.dim() - 1;
  const bm = vector ? b.unsqueeze(-1) : b;
  if (bm._shape[bm.dim() - 2] !== m) {
    throw new RuntimeError(`torch.linalg.lstsq: input.size(-2) should match other.size(-2)`);
  }
  const eps = a.dtype === dt.float64 ? 2.220446049250313e-16 : 1.1920928955078125e-7;
  const rtol = o.rcond === undefined || o.rcond === null || o.rcond < 0 ? eps * Math.max(m, n) : o.rcond;
  const solution = asNode('LinalgLstsqBackward0', pinv(a, { rtol }).matmul(bm));
  const [rank, S] = no_grad(() => {
    const s = svdHost(a, false)[1];
    return [s.gt(tolerance(a, s, { rtol })).sum(-1), s];
  });
  const empty = (dtype: DType) => out(new Float64Array(0), [0], dtype, a.device);
  const fullRank = no_grad(() => rank.eq(Math.min(m, n)).all().item() === 1);
  const residuals = (driver !== 'gelsy') && m > n && fullRank
    ? no_grad(() => a.matmul(solution).sub(bm).pow(2).sum(-2))
    : empty(a.dtype);
  const sv = driver === 'gelsd' || driver === 'gelss' ? S : empty(a.dtype);
  const rk = driver === 'gels' ? empty(dt.int64) : rank;
  const sol = vector ? solution.squeeze(-1) : solution;
  const res = vector && residuals.numel() ? residuals.squeeze(-1) : residuals;
  return Object.assign([sol, res, rk, sv] as const, { solution: sol, residuals: res, rank: rk, singular_values: sv });
}
