/**
 * Products and distances beyond matmul: `vdot`, `inner`, `tensordot`, `kron`, `cross`,
 * `addmv`, `baddbmm`, `dist`, `cdist`, `cosine_similarity`, `matrix_power`, `multi_dot`.
 * All compose matmul, views and pointwise ops, so autograd comes free.
 */

import { RuntimeError } from '../errors.js';
import { normDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { dot, matmul } from './linalg.js';
import { cat } from './cat.js';
import { eye } from './creation.js';
import { cTypeName } from './pointwise.js';
import { pyArgs } from '../nn/_args.js';
import { asNode } from './host_rows.js';

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** `torch.vdot(a, b)`: the dot product of two 1-d tensors (conjugating nothing: no complex dtypes). @example torch.vdot(a, b) */
export function vdot(a: Tensor, b: Tensor): Tensor {
  return asNode('VdotBackward0', dot(a, b));
}

/**
 * `torch.tensordot(a, b, dims=2)`: sums the products over the last `dims` dims of `a` and the
 * first `dims` of `b`, or over the paired dim lists `[dimsA, dimsB]`.
 * @example torch.tensordot(a, b, [[1, 0], [0, 1]])
 */
export function tensordot(a: Tensor, b: Tensor, dims: number | readonly [readonly number[] | number, readonly number[] | number] | { dims?: number | readonly [readonly number[] | number, readonly number[] | number] } = 2): Tensor {
  const dd = typeof dims === 'object' && !Array.isArray(dims) ? ((dims as { dims?: number }).dims ?? 2) : dims;
  let da: number[];
  let db: number[];
  if (typeof dd === 'number') {
    if (dd < 0) throw new RuntimeError(`tensordot expects dims >= 0, but got dims=${dd}`);
    da = Array.from({ length: dd }, (_, i) => a.dim() - dd + i);
    db = Array.from({ length: dd }, (_, i) => i);
  } else {
    const [x, y] = dd as readonly [readonly number[] | number, readonly number[] | number];
    da = (typeof x === 'number' ? [x] : x.slice()).map((d) => normDim(d, a.dim()));
    db = (typeof y === 'number' ? [y] : y.slice()).map((d) => normDim(d, b.dim()));
    if (da.length !== db.length) throw new RuntimeError('both dimension lists should have same length');
  }
  da.forEach((d, i) => {
    const e = db[i]!;
    if (a._shape[d] !== b._shape[e]) {
      throw new RuntimeError(
        `contracted dimensions need to match, but first has size ${a._shape[d]} in dim ${d} and second has size ${b._shape[e]} in dim ${e}`,
      );
    }
  });
  const freeA = a._shape.map((_, i) => i).filter((i) => !da.includes(i));
  const freeB = b._shape.map((_, i) => i).filter((i) => !db.includes(i));
  const k = da.reduce((p, d) => p * a._shape[d]!, 1);
  const am = a.permute([...freeA, ...da]).reshape([-1, k]);
  const bm = b.permute([...db, ...freeB]).reshape([k, -1]);
  return am.mm(bm).reshape([...freeA.map((i) => a._shape[i]!), ...freeB.map((i) => b._shape[i]!)]);
}

/**
 * `torch.inner(a, b)`: sums over the last dims (a 0-d operand multiplies): shape
 * `a.shape[:-1] + b.shape[:-1]`.
 * @example torch.inner(torch.ones(2, 3), torch.ones(4, 3)).shape // [2, 4]
 */
export function inner(a: Tensor, b: Tensor): Tensor {
  if (a.dim() === 0 || b.dim() === 0) return a.mul(b);
  if (a._shape[a.dim() - 1] !== b._shape[b.dim() - 1]) {
    throw new RuntimeError(`inner() the last dimension must match on both input tensors but got shapes ${shapeStr(a._shape)} and ${shapeStr(b._shape)}`);
  }
  return tensordot(a, b, [[-1], [-1]]);
}

/**
 * `torch.kron(a, b)`: the Kronecker product (block `a[i, j] * b`), dims padded to the same count.
 * @example torch.kron(torch.eye(2), torch.ones(2, 2)) // 4x4 block diagonal
 */
export function kron(a: Tensor, b: Tensor): Tensor {
  const nd = Math.max(a.dim(), b.dim());
  const pad = (t: Tensor) => [...new Array<number>(nd - t.dim()).fill(1), ...t._shape];
  const sa = pad(a);
  const sb = pad(b);
  const ai = a.reshape(sa.flatMap((s) => [s, 1]));
  const bi = b.reshape(sb.flatMap((s) => [1, s]));
  return ai.mul(bi).reshape(sa.map((s, i) => s * sb[i]!));
}

/**
 * `torch.cross(input, other, dim=None)`: with no `dim`, the first dim of size 3 (PyTorch's deprecated
 * default).
 * @example torch.cross(torch.tensor([1, 0, 0]), torch.tensor([0, 1, 0])) // tensor([0, 0, 1])
 */
export function cross(a: Tensor, b: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  const dm = typeof dim === 'object' && dim !== null ? dim.dim : dim;
  if (dm === undefined || dm === null) {
    const d = a._shape.findIndex((s) => s === 3);
    if (d < 0) throw new RuntimeError('no dimension of size 3 in input');
    return linalgCross(a, b, d);
  }
  return linalgCross(a, b, dm);
}

/**
 * `torch.linalg.cross(input, other, *, dim=-1)`: the 3-vector cross product along `dim`
 * (operands broadcast).
 * @example torch.linalg.cross(torch.tensor([1, 0, 0]), torch.tensor([0, 1, 0])) // [0, 0, 1]
 */
export function linalgCross(a: Tensor, b: Tensor, dim: number | { dim?: number } = -1): Tensor {
  const dm = typeof dim === 'number' ? dim : (dim.dim ?? -1);
  if (a.dim() !== b.dim()) {
    throw new RuntimeError(`linalg.cross: inputs must have the same number of dimensions.`);
  }
  const d = normDim(dm, a.dim());
  if (a._shape[d] !== 3 || b._shape[d] !== 3) {
    throw new RuntimeError(`linalg.cross: inputs dimension ${dm} must have length 3. Got ${a._shape[d]} and ${b._shape[d]}`);
  }
  const c = (t: Tensor, i: number) => t.narrow(d, i, 1);
  const [a0, a1, a2] = [0, 1, 2].map((i) => c(a, i)) as [Tensor, Tensor, Tensor];
  const [b0, b1, b2] = [0, 1, 2].map((i) => c(b, i)) as [Tensor, Tensor, Tensor];
  return asNode('LinalgCrossBackward0', cat([a1.mul(b2).sub(a2.mul(b1)), a2.mul(b0).sub(a0.mul(b2)), a0.mul(b1).sub(a1.mul(b0))], d));
}

/** beta * input + alpha * product, ignoring input (NaN included) when beta is 0, as PyTorch's addmm family. */
function addScaled(input: Tensor, prod: Tensor, beta: number, alpha: number): Tensor {
  const p = alpha === 1 ? prod : prod.mul(alpha);
  if (beta === 0) return p.add(input.mul(0).masked_fill(input.isfinite().logical_not(), 0));
  return (beta === 1 ? input : input.mul(beta)).add(p);
}

/** `torch.addmv(input, mat, vec, *, beta=1, alpha=1)`: beta * input + alpha * (mat @ vec). @example torch.addmv(b, W, x) */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return asNode('AddmvBackward0', addScaled(input, mat.mv(vec), opts.beta ?? 1, opts.alpha ?? 1));
}

/** `torch.baddbmm(input, batch1, batch2, *, beta=1, alpha=1)`: beta * input + alpha * bmm(batch1, batch2). @example torch.baddbmm(c, a, b) */
export function baddbmm(input: Tensor, b1: Tensor, b2: Tensor, opts: { beta?: number; alpha?: number } = {}): Tensor {
  return asNode('BaddbmmBackward0', addScaled(input, b1.bmm(b2), opts.beta ?? 1, opts.alpha ?? 1));
}

/** `torch.dist(input, other, p=2)`: the p-norm of `input - other`. @example torch.dist(a, b) */
export function dist(a: Tensor, b: Tensor, p: number | { p?: number } = 2): Tensor {
  return asNode('DistBackward0', a.sub(b).norm(typeof p === 'number' ? p : (p.p ?? 2)));
}

/**
 * `torch.cdist(x1, x2, p=2)`: the p-norm distance between each row of x1 [.., P, M] and each row
 * of x2 [.., R, M], as [.., P, R].
 * Differs from PyTorch: always computed from the differences (PyTorch may use a matmul
 * expansion for p = 2 on large inputs, which rounds differently).
 * @example torch.cdist(torch.randn(5, 3), torch.randn(4, 3)).shape // [5, 4]
 */
export function cdist(x1: Tensor, x2: Tensor, p: number | { p?: number; compute_mode?: string } = 2): Tensor {
  const pn = typeof p === 'number' ? p : (p.p ?? 2);
  if (x1.dim() < 2) throw new RuntimeError(`cdist only supports at least 2D tensors, X1 got: ${x1.dim()}D`);
  if (x2.dim() < 2) throw new RuntimeError(`cdist only supports at least 2D tensors, X2 got: ${x2.dim()}D`);
  if (!x1.dtype.is_floating_point) throw new RuntimeError(`cdist only supports floating-point dtypes, X1 got: ${cTypeName(x1.dtype)}`);
  if (!x2.dtype.is_floating_point) throw new RuntimeError(`cdist only supports floating-point dtypes, X2 got: ${cTypeName(x2.dtype)}`);
  const m1 = x1._shape[x1.dim() - 1]!;
  const m2 = x2._shape[x2.dim() - 1]!;
  if (m1 !== m2) throw new RuntimeError(`X1 and X2 must have the same number of columns. X1: ${m1} X2: ${m2}`);
  if (pn < 0) throw new RuntimeError('cdist only supports non-negative p values');
  return asNode('CdistBackward0', x1.unsqueeze(-2).sub(x2.unsqueeze(-3)).norm(pn, -1));
}

/**
 * `torch.cosine_similarity(x1, x2, dim=1, eps=1e-8)`: the cosine of the angle between x1 and x2
 * along `dim` (broadcast), each norm clamped below at `eps`.
 * @example torch.cosine_similarity(a, b, 0)
 */
export function cosine_similarity(x1: Tensor, x2: Tensor, dim: number | { dim?: number; eps?: number } = 1, eps = 1e-8): Tensor {
  const o = pyArgs<{ dim: number; eps: number }>(['dim', 'eps'], [dim, eps]);
  const d = o.dim ?? 1;
  const e = o.eps ?? 1e-8;
  const unit = (t: Tensor) => {
    const f = t.dtype.is_floating_point ? t : t.to(x1.dtype.is_floating_point ? x1.dtype : x2.dtype.is_floating_point ? x2.dtype : t.dtype);
    return f.div(f.norm(2, d, true).clamp_min(e));
  };
  return unit(x1).mul(unit(x2)).sum(d);
}

function checkSquare(name: string, a: Tensor): void {
  if (a.dim() < 2) throw new RuntimeError(`${name}: The input tensor A must have at least 2 dimensions.`);
  const r = a._shape[a.dim() - 2]!;
  const c = a._shape[a.dim() - 1]!;
  if (r !== c) throw new RuntimeError(`${name}: A must be batches of square matrices, but they are ${r} by ${c} matrices`);
}

/**
 * `torch.linalg.matrix_power(A, n)`: A multiplied by itself n times (the identity for 0, powers
 * of the inverse for negative n), by repeated squaring.
 * @example torch.linalg.matrix_power(torch.tensor([[1, 1], [0, 1]]), 3) // [[1, 3], [0, 1]]
 */
export function matrix_power(a: Tensor, n: number, inv: (t: Tensor) => Tensor): Tensor {
  checkSquare('linalg.matrix_power', a);
  if (!Number.isInteger(n)) throw new TypeError(`matrix_power(): argument 'n' must be int, not float`);
  const size = a._shape[a.dim() - 1]!;
  if (n === 0) return eye(size, { dtype: a.dtype, device: a.device }).expand(a._shape).clone();
  let base = n < 0 ? inv(a) : a;
  let k = Math.abs(n);
  let acc: Tensor | null = null;
  while (k > 0) {
    if (k & 1) acc = acc ? acc.matmul(base) : base;
    k >>= 1;
    if (k) base = base.matmul(base);
  }
  return acc!;
}

/**
 * `torch.linalg.multi_dot(tensors)`: the chained matrix product; the first may be a 1-d row
 * vector and the last a 1-d column vector.
 * Differs from PyTorch: multiplies left to right (PyTorch picks the cheapest order, which only
 * changes rounding).
 * @example torch.linalg.multi_dot([A, B, C])
 */
export function multi_dot(tensors: readonly Tensor[]): Tensor {
  if (tensors.length < 2) throw new RuntimeError(`multi_dot(): expected at least 2 tensors but got ${tensors.length}`);
  tensors.forEach((t, i) => {
    const edge = i === 0 || i === tensors.length - 1;
    if (!(t.dim() === 2 || (edge && t.dim() === 1))) {
      const which = i === 0 ? 'first' : i === tensors.length - 1 ? 'last' : null;
      throw new RuntimeError(
        which
          ? `multi_dot(): the ${which} tensor must be 1D or 2D but got ${t.dim()}D`
          : `multi_dot(): tensor ${i} must be 2D but got ${t.dim()}D`,
      );
    }
  });
  return tensors.slice(1).reduce((acc, t) => matmul(acc, t), tensors[0]!);
}
