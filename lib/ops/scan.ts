/**
 * Inclusive scans along a dim (`cumsum`, `cumprod`) on the backend's scan kernel, which scans
 * the last dim of a view: the dim is moved last in the view handed over, so nothing is copied.
 */

import * as dt from '../dtype.js';
import type { DType } from '../dtype.js';
import { backendFor } from '../device.js';
import { RuntimeError } from '../errors.js';
import { normDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { emptyTensor, record } from './dispatch.js';
import { cTypeName } from './pointwise.js';
import { lastDimView } from './sort.js';
import { cat } from './cat.js';
import { ones } from './creation.js';
import { is_grad_enabled } from '../autograd/grad_mode.js';

/** Runs the scan kernel; returns the (possibly cast) source it read and the result. */
function scan(x: Tensor, dim: number, dtype: DType | undefined, op: 'cumsum' | 'cumprod'): [Tensor, Tensor, number] {
  const d = normDim(dim, x.dim());
  const outDtype = dtype ?? (x.dtype.is_floating_point ? x.dtype : dt.int64);
  if (outDtype === dt.bool) throw new RuntimeError(`"${op}_out_${x.device.type}" not implemented for '${cTypeName(outDtype)}'`);
  const src = x.dtype === outDtype ? x : x.to(outDtype);
  const out = emptyTensor(src._shape, outDtype, src.device);
  if (src.numel() > 0) backendFor(src.device).scan(op, lastDimView(src, d), lastDimView(out, d), null);
  return [src, out, d];
}

/** Σ_{j ≥ i} g_j along `d`: the adjoint of cumsum. */
function reverseCumsum(g: Tensor, d: number): Tensor {
  if (g.dim() === 0) return g;
  return g.flip(d).cumsum(d).flip(d);
}

/**
 * `torch.cumsum(input, dim, dtype=None)`: running sums along `dim`. Integer and bool inputs
 * give int64 unless `dtype` is given; with `dtype` the input is cast first.
 * @example torch.cumsum(torch.tensor([1, 2, 3]), 0) // tensor([1, 3, 6])
 */
export function cumsum(x: Tensor, dim: number, dtype?: DType): Tensor {
  const [src, out, d] = scan(x, dim, dtype, 'cumsum');
  record('CumsumBackward0', [src], [out], [], ([g]) => [reverseCumsum(g!, d)]);
  return out;
}

/**
 * The gradient of y = cumprod(x) along `d`, exact when x holds zeros (as PyTorch's
 * cumprod_backward). Without zeros it is revcumsum(g*y)/x. With zeros and no graph to build, an
 * O(n) form: positions before the first zero get revcumsum(g*y)/x, the first zero gets
 * revcumsum(g*c) (c: the cumprod with that zero set to 1), later positions 0. That form is not
 * the derivative's derivative, so under create_graph the O(n²) sum of omitted products is used.
 */
function cumprodGrad(x: Tensor, y: Tensor, g: Tensor, d: number): Tensor {
  if (x.dim() === 0) return g;
  const isZero = x.eq(0);
  if (!isZero.any().item()) return reverseCumsum(g.mul(y), d).div(x);
  if (is_grad_enabled()) return omittedProducts(x, y, g, d);
  const zerosSoFar = isZero.cumsum(d);
  const before = zerosSoFar.eq(0);
  const first = isZero.logical_and(zerosSoFar.eq(1));
  const safe = x.masked_fill(before.logical_not(), 1);
  const beforeGrad = reverseCumsum(g.mul(y), d).div(safe);
  const firstGrad = reverseCumsum(g.mul(x.masked_fill(first, 1).cumprod(d)), d);
  return beforeGrad.where(before, firstGrad.where(first, 0));
}

/** grad_k = Σ_{j≥k} g_j Π_{i≤j, i≠k} x_i, one k at a time, with differentiable ops only. */
function omittedProducts(x: Tensor, y: Tensor, g: Tensor, d: number): Tensor {
  const n = x._shape[d]!;
  const oneShape = x._shape.slice();
  oneShape[d] = 1;
  const one = ones(oneShape, { dtype: x.dtype, device: x.device });
  const parts: Tensor[] = [];
  for (let k = 0; k < n; k++) {
    const after = k < n - 1 ? cat([one, x.narrow(d, k + 1, n - k - 1).cumprod(d)], d) : one;
    const omitted = k === 0 ? after : after.mul(y.narrow(d, k - 1, 1));
    parts.push(g.narrow(d, k, n - k).mul(omitted).sum(d, true));
  }
  return cat(parts, d);
}

/**
 * `torch.cumprod(input, dim, dtype=None)`: running products along `dim`, with PyTorch's dtype
 * rule (integers → int64). The gradient is exact with zeros in the input.
 * @example torch.cumprod(torch.tensor([1., 2., 3.]), 0) // tensor([1., 2., 6.])
 */
export function cumprod(x: Tensor, dim: number, dtype?: DType): Tensor {
  const [src, out, d] = scan(x, dim, dtype, 'cumprod');
  record('CumprodBackward0', [src], [out], [src, out], ([g], [s, y]) => [cumprodGrad(s!, y!, g!, d)]);
  return out;
}
