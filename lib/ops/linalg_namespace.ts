/**
 * `torch.linalg`: the norms (`norm`, `vector_norm`, `matrix_norm`, composed of reductions and
 * `svdvals`) and the namespace object gathering the decompositions and products under
 * PyTorch's names.
 */

import type { DType } from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { normDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { matmul } from './linalg.js';
import { pyArgs } from '../nn/_args.js';
import { cTypeName } from './pointwise.js';
import { asNode } from './host_rows.js';
import * as dec from './linalg_decomp.js';
import * as pr from './products.js';

export interface NormOptions { ord?: number | 'fro' | 'nuc' | null; dim?: number | readonly number[] | null; keepdim?: boolean; dtype?: DType | null }
type NormArgs = [ord?: number | 'fro' | 'nuc' | null | NormOptions, dim?: number | readonly number[] | null | NormOptions, keepdim?: boolean | NormOptions, opts?: NormOptions];

const castTo = (x: Tensor, dtype: DType | null | undefined): Tensor => (dtype ? x.to(dtype) : x);

/**
 * `torch.linalg.vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None)`: the `ord`-norm of
 * all elements (or over `dim`): 2, 1, ±inf, 0 (the count of non-zeros) or any real p.
 * @example torch.linalg.vector_norm(torch.tensor([3, 4], {dtype: torch.float32})) // tensor(5.)
 */
export function vector_norm(x: Tensor, ...args: [ord?: number | NormOptions, dim?: number | readonly number[] | null | NormOptions, keepdim?: boolean | NormOptions, opts?: NormOptions]): Tensor {
  const o = pyArgs<NormOptions>(['ord', 'dim', 'keepdim'], args);
  const ord = o.ord ?? 2;
  if (typeof ord === 'string') throw new RuntimeError(`linalg.vector_norm: ord must be a number, got ${ord}`);
  return asNode('LinalgVectorNormBackward0', castTo(x, o.dtype).norm(ord, o.dim ?? null, o.keepdim ?? false));
}

/**
 * `torch.linalg.matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None)`: 'fro',
 * 'nuc' (sum of singular values), ±2 (largest / smallest singular value), ±1 (max / min column
 * sum) or ±inf (max / min row sum) of each matrix.
 * @example torch.linalg.matrix_norm(A, 'nuc')
 */
export function matrix_norm(a: Tensor, ...args: NormArgs): Tensor {
  const o = pyArgs<NormOptions>(['ord', 'dim', 'keepdim'], args);
  const ord = o.ord ?? 'fro';
  if (a.dim() < 2) throw new RuntimeError('linalg.matrix_norm: The input tensor A must have at least 2 dimensions.');
  const dimArg = o.dim ?? [-2, -1];
  const dims = typeof dimArg === 'number' ? [dimArg] : dimArg;
  if (dims.length !== 2) throw new RuntimeError(`linalg.matrix_norm: dim must be a 2-tuple. Got ${dims.join(' ')}`);
  const d0 = normDim(dims[0]!, a.dim());
  const d1 = normDim(dims[1]!, a.dim());
  if (d0 === d1) throw new RuntimeError(`linalg.matrix_norm: dims must be different. Got (${d0}, ${d1})`);
  const keepdim = o.keepdim ?? false;
  const x = castTo(a, o.dtype);
  if (!['fro', 'nuc', 1, -1, 2, -2, Infinity, -Infinity].includes(ord)) {
    throw new RuntimeError(`linalg.matrix_norm: Order ${ord} not supported.`);
  }
  if (!x.dtype.is_floating_point) {
    throw new RuntimeError(`linalg.matrix_norm: Expected a floating point or complex tensor as input. Got ${cTypeName(x.dtype)}`);
  }
  if (ord === 'fro') return x.norm(2, [d0, d1], keepdim);
  const squeeze = (t: Tensor) => (keepdim ? t : t.squeeze(Math.max(d0, d1)).squeeze(Math.min(d0, d1)));
  if (ord === 1 || ord === -1) {
    const cols = x.abs().sum(d0, true);
    return squeeze(ord === 1 ? cols.amax(d1, true) : cols.amin(d1, true));
  }
  if (ord === Infinity || ord === -Infinity) {
    const rows = x.abs().sum(d1, true);
    return squeeze(ord === Infinity ? rows.amax(d0, true) : rows.amin(d0, true));
  }
  // singular-value norms: move the matrix dims last, reduce the singular values
  const s = dec.svdvals(x.movedim([d0, d1], [-2, -1]));
  let r = ord === 'nuc' ? s.sum(-1) : ord === 2 ? s.amax(-1) : s.amin(-1);
  if (keepdim) for (const d of [d0, d1].sort((p, q) => p - q)) r = r.unsqueeze(d);
  return r;
}

/**
 * `torch.linalg.norm(A, ord=None, dim=None, keepdim=False, *, dtype=None)`: a vector norm when
 * `dim` is one dim (or A is 1-d), a matrix norm when `dim` is two dims (or A is 2-d and `ord`
 * is given); with neither, the 2-norm of all elements.
 * @example torch.linalg.norm(torch.tensor([[1, 2], [3, 4]], {dtype: torch.float32})) // tensor(5.4772)
 */
export function norm(a: Tensor, ...args: NormArgs): Tensor {
  const o = pyArgs<NormOptions>(['ord', 'dim', 'keepdim'], args);
  const keepdim = o.keepdim ?? false;
  const kw = { keepdim, ...(o.dtype ? { dtype: o.dtype } : {}) };
  const ord = o.ord ?? null;
  const dim = o.dim ?? null;
  if (dim !== null) {
    const dims = typeof dim === 'number' ? [dim] : dim;
    if (dims.length === 1) {
      if (typeof ord === 'string') throw new RuntimeError(`linalg.norm: If dim is specified, it mut be of length 1 or 2. Got [${dims.join(', ')}]`);
      return vector_norm(a, ord ?? 2, dims, kw);
    }
    if (dims.length === 2) return matrix_norm(a, ord ?? 'fro', dims, kw);
    throw new RuntimeError(`linalg.norm: If dim is specified, it mut be of length 1 or 2. Got [${dims.join(', ')}]`);
  }
  if (ord === null) return vector_norm(a, 2, null, kw);
  if (a.dim() === 2) return matrix_norm(a, ord, [-2, -1], kw);
  if (a.dim() === 1 && typeof ord === 'number') return vector_norm(a, ord, null, kw);
  if (a.dim() === 1) return matrix_norm(a, ord, [-2, -1], kw);
  throw new RuntimeError(`linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got ${a.dim()}D.`);
}

/** `torch.linalg.diagonal(A, *, offset=0, dim1=-2, dim2=-1)`: the diagonals of the matrices (a view). @example torch.linalg.diagonal(A) */
export function diagonal(a: Tensor, opts: { offset?: number; dim1?: number; dim2?: number } = {}): Tensor {
  return a.diagonal(opts.offset ?? 0, opts.dim1 ?? -2, opts.dim2 ?? -1);
}

/**
 * The `torch.linalg` namespace.
 * Differs from PyTorch: no complex support, so `eig` and `eigvals` are absent (use `eigh`).
 * @example const {Q, R} = torch.linalg.qr(A); torch.linalg.solve(A, b)
 */
export const linalg = {
  norm, vector_norm, matrix_norm, diagonal,
  det: dec.det, slogdet: dec.slogdet, inv: dec.inv, solve: dec.solve, cholesky: dec.cholesky, qr: dec.qr,
  eigh: dec.eigh, eigvalsh: dec.eigvalsh, svd: dec.svd, svdvals: dec.svdvals, pinv: dec.pinv,
  matrix_rank: dec.matrix_rank, lstsq: dec.lstsq,
  cross: pr.linalgCross, matmul, multi_dot: pr.multi_dot,
  /**
   * `torch.linalg.matrix_power(A, n)`: A multiplied by itself n times (the identity for 0, powers of the
   * inverse for n < 0).
   * @example torch.linalg.matrix_power(torch.tensor([[1, 1], [0, 1]]), 3) // tensor([[1, 3], [0, 1]])
   */
  matrix_power: (a: Tensor, n: number): Tensor => pr.matrix_power(a, n, dec.inv),
  // a getter: read when used, so the class exists whatever order the modules load in
  /**
   * `torch.linalg.LinAlgError`: raised when a factorization fails (a singular or not positive-definite
   * matrix).
   * @example try { torch.linalg.cholesky(A); } catch (e) { if (e instanceof torch.linalg.LinAlgError) console.log('not positive definite'); }
   */
  get LinAlgError(): typeof dec.LinAlgError { return dec.LinAlgError; },
};
