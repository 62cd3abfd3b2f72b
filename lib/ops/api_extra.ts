/**
 * The PyTorch names added by the API coverage audit (test/golden/api_names.json): the Tensor
 * methods, installed on Tensor.prototype by `installExtras()` (called once by tensor.ts) and
 * typed by `TensorExtras`, and the `torch.*` functions in `torchExtras` (spread into the torch
 * namespace by torch.ts). Each delegates to the op family that defines it.
 */

import type { DType } from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { Tensor, type Dims, type Scalar, type TensorOrScalar, type ValuesIndices } from '../tensor.js';
import * as cp from './copy.js';
import * as mv from './movement.js';
import * as la from './linalg.js';
import * as rnd from './random.js';
import * as sp from './special.js';
import * as px from './pointwise_extra.js';
import * as st from './statistics.js';
import * as sx from './scan_extra.js';
import * as cn from './counting.js';
import * as mp from './manipulation.js';
import * as pr from './products.js';
import * as dec from './linalg_decomp.js';
import { linalg } from './linalg_namespace.js';
import { nonzero } from './scatter.js';
import { asNode } from './host_rows.js';

type Tail<F> = F extends (x: Tensor, ...rest: infer R) => unknown ? R : never;

/** The Tensor methods and properties this module installs. */
export interface TensorExtras {
  /** `x.nbytes`: numel * element_size (PyTorch 2's property). @example torch.zeros(2, 3).nbytes // 24 */
  readonly nbytes: number;
  /** `x.itemsize`: bytes per element (PyTorch 2's property). @example torch.zeros(2, {dtype: torch.float64}).itemsize // 8 */
  readonly itemsize: number;
  /** `x.H`: the transpose of a matrix (no complex dtypes, so no conjugation). @example torch.zeros(2, 3).H.shape // [3, 2] */
  readonly H: Tensor;
  /** `x.mH`: the last two dims transposed. @example torch.zeros(5, 2, 3).mH.shape // [5, 3, 2] */
  readonly mH: Tensor;
  /** `x.ndimension()`: an alias of `dim()`. @example torch.zeros(2, 3).ndimension() // 2 */
  ndimension(): number;
  /** `x.is_complex()`: always false (torchlab has no complex dtypes). @example torch.zeros(2).is_complex() // false */
  is_complex(): boolean;
  /**
   * `x.is_nonzero()`: the truth of a one-element tensor (Python's `bool(x)`); more or fewer elements
   * raise.
   * @example torch.tensor([0]).is_nonzero() // false
   */
  is_nonzero(): boolean;
  /**
   * A stable address-like number per storage plus the offset in bytes: equal for tensors sharing their
   * first element.
   * @example x.view(-1).data_ptr() === x.data_ptr() // true: same storage, same first element
   */
  data_ptr(): number;
  /** `x.type_as(other)`: `x.to(other.dtype)`. @example torch.tensor([1, 2]).type_as(torch.zeros(1)) // tensor([1., 2.]) */
  type_as(other: Tensor): Tensor;
  /**
   * `x.ravel()`: x flattened to 1-d (a view when possible).
   * @example torch.tensor([[1, 2], [3, 4]]).ravel() // tensor([1, 2, 3, 4])
   */
  ravel(): Tensor;
  /** `x.squeeze_(dim=None)`: `squeeze` in place (x's own shape changes). @example x.squeeze_(0) */
  squeeze_(dim?: Dims): this;
  /** `x.unsqueeze_(dim)`: `unsqueeze` in place. @example x.unsqueeze_(0) */
  unsqueeze_(dim: number): this;
  /** `x.transpose_(dim0, dim1)`: `transpose` in place. @example x.transpose_(0, 1) */
  transpose_(dim0: number, dim1: number): this;
  /** `x.t_()`: `t` in place. @example m.t_() */
  t_(): this;
  /** `x.swapdims(dim0, dim1)`: an alias of `transpose`. @example torch.zeros(2, 3).swapdims(0, 1).shape // [3, 2] */
  swapdims(dim0: number, dim1: number): Tensor;
  /** `x.swapdims_(dim0, dim1)`: `transpose_`. @example x.swapdims_(0, 1) */
  swapdims_(dim0: number, dim1: number): this;
  /** `x.swapaxes_(axis0, axis1)`: `transpose_`. @example x.swapaxes_(0, 1) */
  swapaxes_(dim0: number, dim1: number): this;
  /**
   * `x.moveaxis(source, destination)`: an alias of `movedim`.
   * @example torch.zeros(2, 3, 4).moveaxis(0, -1).shape // [3, 4, 2]
   */
  moveaxis(source: Dims, destination: Dims): Tensor;
  /**
   * `x.adjoint()`: the last two dims swapped (no complex dtypes, so no conjugation).
   * @example torch.zeros(2, 3).adjoint().shape // [3, 2]
   */
  adjoint(): Tensor;
  /**
   * `x.broadcast_to(shape)`: `x.expand(shape)`.
   * @example torch.tensor([1, 2]).broadcast_to([2, 2]) // tensor([[1, 2], [1, 2]])
   */
  broadcast_to(shape: readonly number[]): Tensor;
  /**
   * `x.index_add(dim, index, source, *, alpha=1)`: `index_add_` on a copy.
   * @example torch.zeros(3).index_add(0, torch.tensor([0, 0]), torch.ones(2)) // tensor([2., 0., 0.])
   */
  index_add(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
  /**
   * `x.index_fill(dim, index, value)`: a copy with the slices at `index` along `dim` set to `value`.
   * @example torch.zeros(3).index_fill(0, torch.tensor([1]), 5) // tensor([0., 5., 0.])
   */
  index_fill(dim: number, index: Tensor, value: Scalar | Tensor): Tensor;
  /** `x.index_fill_(dim, index, value)`: `index_fill` in place. @example x.index_fill_(1, torch.tensor([0, 2]), -1) */
  index_fill_(dim: number, index: Tensor, value: Scalar | Tensor): this;
  /**
   * `x.index_copy(dim, index, source)`: a copy with the slices at `index` along `dim` replaced by those
   * of `source`.
   * @example torch.zeros(3).index_copy(0, torch.tensor([2]), torch.ones(1)) // tensor([0., 0., 1.])
   */
  index_copy(dim: number, index: Tensor, source: Tensor): Tensor;
  /** `x.index_copy_(dim, index, source)`: `index_copy` in place. @example x.index_copy_(0, torch.tensor([0, 2]), rows) */
  index_copy_(dim: number, index: Tensor, source: Tensor): this;
  /**
   * `x.argwhere()`: the indices of the nonzero elements, one row each (as `nonzero()`).
   * @example torch.tensor([0, 3, 0, 4]).argwhere() // tensor([[1], [3]])
   */
  argwhere(): Tensor;
  /**
   * `x.take_along_dim(indices, dim=None)`: `gather` with broadcasting (of x flattened when dim is None).
   * @example x.take_along_dim(x.argsort(1), 1) // x sorted along dim 1
   */
  take_along_dim(indices: Tensor, dim?: number | null | { dim?: number | null }): Tensor;
  /**
   * `x.fill_diagonal_(fill_value, wrap=False)`: writes the main diagonal in place (all dims equal beyond
   * 2-d; `wrap` restarts it below a tall matrix's square).
   * @example torch.zeros(3, 3).fill_diagonal_(1) // the identity
   */
  fill_diagonal_(fill_value: Scalar, wrap?: boolean | { wrap?: boolean }): this;
  /** `x.clip_(min=None, max=None)`: an alias of `clamp_`. @example x.clip_(0, 1) */
  clip_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this;
  /** `x.clamp_min_(min)`: `clamp_(min)`. @example x.clamp_min_(0) */
  clamp_min_(min: TensorOrScalar): this;
  /** `x.clamp_max_(max)`: `clamp_(null, max)`. @example x.clamp_max_(1) */
  clamp_max_(max: TensorOrScalar): this;
  /** `x.subtract(other, *, alpha=1)`: an alias of `sub`. @example torch.tensor([3, 4]).subtract(1) // tensor([2, 3]) */
  subtract(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
  /** `x.subtract_(other, *, alpha=1)`: an alias of `sub_`. @example x.subtract_(1) */
  subtract_(other: TensorOrScalar, opts?: { alpha?: number }): this;
  /**
   * `x.divide(other, *, rounding_mode=None)`: an alias of `div`.
   * @example torch.tensor([1, 2]).divide(2) // tensor([0.5000, 1.0000])
   */
  divide(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor;
  /** `x.divide_(other, *, rounding_mode=None)`: an alias of `div_`. @example x.divide_(255) */
  divide_(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): this;
  /**
   * `x.floor_divide(other)`: `div(other, {rounding_mode: 'floor'})` (Python's `x // other`).
   * @example torch.tensor([-3, 3]).floor_divide(2) // tensor([-2,  1])
   */
  floor_divide(other: TensorOrScalar): Tensor;
  /** `x.floor_divide_(other)`: `floor_divide` in place. @example x.floor_divide_(2) */
  floor_divide_(other: TensorOrScalar): this;
  /** `x.absolute()`: an alias of `abs`. @example torch.tensor([-1, 2]).absolute() // tensor([1, 2]) */
  absolute(): Tensor;
  /** `x.absolute_()`: an alias of `abs_`. @example x.absolute_() */
  absolute_(): this;
  /** `x.arcsin()`: an alias of `asin`. @example torch.tensor([1]).arcsin() // tensor([1.5708]) */
  arcsin(): Tensor;
  /** `x.arcsin_()`: an alias of `asin_`. @example x.arcsin_() */
  arcsin_(): this;
  /** `x.arccos()`: an alias of `acos`. @example torch.tensor([1]).arccos() // tensor([0.]) */
  arccos(): Tensor;
  /** `x.arccos_()`: an alias of `acos_`. @example x.arccos_() */
  arccos_(): this;
  /** `x.arctan()`: an alias of `atan`. @example torch.tensor([1]).arctan() // tensor([0.7854]) */
  arctan(): Tensor;
  /** `x.arctan_()`: an alias of `atan_`. @example x.arctan_() */
  arctan_(): this;
  /** `x.arcsinh()`: an alias of `asinh`. @example torch.tensor([0]).arcsinh() // tensor([0.]) */
  arcsinh(): Tensor;
  /** `x.arcsinh_()`: an alias of `asinh_`. @example x.arcsinh_() */
  arcsinh_(): this;
  /** `x.arccosh()`: an alias of `acosh`. @example torch.tensor([1]).arccosh() // tensor([0.]) */
  arccosh(): Tensor;
  /** `x.arccosh_()`: an alias of `acosh_`. @example x.arccosh_() */
  arccosh_(): this;
  /** `x.arctanh()`: an alias of `atanh`. @example torch.tensor([0]).arctanh() // tensor([0.]) */
  arctanh(): Tensor;
  /** `x.arctanh_()`: an alias of `atanh_`. @example x.arctanh_() */
  arctanh_(): this;
  /** `x.arctan2(other)`: an alias of `atan2`. @example torch.tensor([1]).arctan2(torch.tensor([0])) // tensor([1.5708]) */
  arctan2(other: Tensor): Tensor;
  /** `x.arctan2_(other)`: an alias of `atan2_`. @example x.arctan2_(y) */
  arctan2_(other: Tensor): this;
  /**
   * `x.logit(eps=None)`: log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given.
   * @example torch.tensor([0.5]).logit() // tensor([0.])
   */
  logit(eps?: number | null | { eps?: number | null }): Tensor;
  /** `x.logit_(eps=None)`: `logit` in place. @example p.logit_(1e-6) */
  logit_(eps?: number | null | { eps?: number | null }): this;
  /** `x.erfc()`: 1 - erf(x), accurate in the tails. @example torch.tensor([0]).erfc() // tensor([1.]) */
  erfc(): Tensor;
  /** `x.erfc_()`: `erfc` in place. @example x.erfc_() */
  erfc_(): this;
  /** `x.erfinv()`: the inverse error function on [-1, 1]. @example torch.tensor([0]).erfinv() // tensor([0.]) */
  erfinv(): Tensor;
  /** `x.erfinv_()`: `erfinv` in place. @example x.erfinv_() */
  erfinv_(): this;
  /** `x.lgamma()`: log|Γ(x)|. @example torch.tensor([3]).lgamma() // tensor([0.6931]) */
  lgamma(): Tensor;
  /** `x.lgamma_()`: `lgamma` in place. @example x.lgamma_() */
  lgamma_(): this;
  /** `x.digamma()`: ψ(x) = d/dx log Γ(x). @example torch.tensor([1]).digamma() // tensor([-0.5772]) */
  digamma(): Tensor;
  /** `x.digamma_()`: `digamma` in place. @example x.digamma_() */
  digamma_(): this;
  /** `x.sinc()`: sin(πx) / (πx), 1 at 0. @example torch.tensor([0]).sinc() // tensor([1.]) */
  sinc(): Tensor;
  /** `x.sinc_()`: `sinc` in place. @example x.sinc_() */
  sinc_(): this;
  /** `x.deg2rad()`: degrees to radians. @example torch.tensor([180]).deg2rad() // tensor([3.1416]) */
  deg2rad(): Tensor;
  /** `x.deg2rad_()`: `deg2rad` in place (floating x). @example angles.deg2rad_() */
  deg2rad_(): this;
  /** `x.rad2deg()`: radians to degrees. @example torch.tensor([Math.PI]).rad2deg() // tensor([180.]) */
  rad2deg(): Tensor;
  /** `x.rad2deg_()`: `rad2deg` in place (floating x). @example angles.rad2deg_() */
  rad2deg_(): this;
  /**
   * `x.xlogy(other)`: x * log(other), 0 where x is 0.
   * @example torch.tensor([0, 2]).xlogy(torch.tensor([0, 1])) // tensor([0., 0.])
   */
  xlogy(other: TensorOrScalar): Tensor;
  /** `x.xlogy_(other)`: `xlogy` in place. @example p.xlogy_(q) */
  xlogy_(other: TensorOrScalar): this;
  /**
   * `x.float_power(exponent)`: `pow` computed and returned in float64.
   * @example torch.tensor([2]).float_power(3) // tensor([8.], dtype=torch.float64)
   */
  float_power(exponent: TensorOrScalar): Tensor;
  /**
   * `x.float_power_(exponent)`: `float_power` in place; x must be float64 (PyTorch's rule).
   * @example x.double().float_power_(2)
   */
  float_power_(exponent: TensorOrScalar): this;
  /**
   * `x.copysign(other)`: |x| with the sign of `other` (floating result).
   * @example torch.tensor([1, 2]).copysign(-1) // tensor([-1., -2.])
   */
  copysign(other: TensorOrScalar): Tensor;
  /** `x.copysign_(other)`: `copysign` in place. @example x.copysign_(y) */
  copysign_(other: TensorOrScalar): this;
  /**
   * `x.heaviside(values)`: 0 where x < 0, `values` where x == 0, 1 where x > 0.
   * @example torch.tensor([-1, 0, 2]).heaviside(torch.tensor([5])) // tensor([0, 5, 1])
   */
  heaviside(values: Tensor): Tensor;
  /** `x.heaviside_(values)`: `heaviside` in place. @example x.heaviside_(torch.tensor([0.5])) */
  heaviside_(values: Tensor): this;
  /**
   * `x.logaddexp(other)`: log(eˣ + eᵒᵗʰᵉʳ) without overflow (floating point only).
   * @example torch.tensor([0.5]).logaddexp(torch.tensor([0.5])) // tensor([1.1931])
   */
  logaddexp(other: Tensor): Tensor;
  /**
   * `x.logaddexp2(other)`: log2(2ˣ + 2ᵒᵗʰᵉʳ) without overflow (floating point only).
   * @example torch.tensor([1.5]).logaddexp2(torch.tensor([1.5])) // tensor([2.5000])
   */
  logaddexp2(other: Tensor): Tensor;
  /**
   * `x.nan_to_num(nan=0.0, posinf=None, neginf=None)`: NaN and ±inf replaced (±inf by the dtype's
   * largest finite values by default).
   * @example torch.tensor([NaN, 1]).nan_to_num() // tensor([0., 1.])
   */
  nan_to_num(...args: Tail<typeof px.nan_to_num>): Tensor;
  /** `x.nan_to_num_(nan=0.0, posinf=None, neginf=None)`: `nan_to_num` in place. @example loss.nan_to_num_(0) */
  nan_to_num_(...args: Tail<typeof px.nan_to_num>): this;
  /** `x.isreal()`: true everywhere (no complex dtypes). @example torch.tensor([1, 2]).isreal() // tensor([True, True]) */
  isreal(): Tensor;
  /**
   * `x.bitwise_not()`: `~x`: logical not on bool, two's complement on integers.
   * @example torch.tensor([true, false]).bitwise_not() // tensor([False,  True])
   */
  bitwise_not(): Tensor;
  /** `x.bitwise_not_()`: `bitwise_not` in place. @example mask.bitwise_not_() */
  bitwise_not_(): this;
  /**
   * `x.bitwise_and(other)`: `x & other` on bool and integer tensors.
   * @example torch.tensor([12]).bitwise_and(10) // tensor([8])
   */
  bitwise_and(other: TensorOrScalar): Tensor;
  /** `x.bitwise_and_(other)`: `bitwise_and` in place. @example mask.bitwise_and_(other) */
  bitwise_and_(other: TensorOrScalar): this;
  /** `x.bitwise_or(other)`: `x | other` on bool and integer tensors. @example torch.tensor([12]).bitwise_or(3) // tensor([15]) */
  bitwise_or(other: TensorOrScalar): Tensor;
  /** `x.bitwise_or_(other)`: `bitwise_or` in place. @example mask.bitwise_or_(other) */
  bitwise_or_(other: TensorOrScalar): this;
  /**
   * `x.bitwise_xor(other)`: `x ^ other` on bool and integer tensors.
   * @example torch.tensor([12]).bitwise_xor(10) // tensor([6])
   */
  bitwise_xor(other: TensorOrScalar): Tensor;
  /** `x.bitwise_xor_(other)`: `bitwise_xor` in place. @example mask.bitwise_xor_(other) */
  bitwise_xor_(other: TensorOrScalar): this;
  /**
   * `x.aminmax({dim, keepdim})`: `(min, max)` as a named tuple, over all elements or along `dim`.
   * @example const {min, max} = torch.tensor([3, 1, 2]).aminmax()
   */
  aminmax(opts?: { dim?: number | null; keepdim?: boolean }): st.MinMax;
  /**
   * `x.median()`: the lower median; `x.median(dim, keepdim=False)`: `(values, indices)` (see
   * `torch.median`).
   * @example torch.tensor([3, 1, 4, 2]).median() // tensor(2)
   */
  median(): Tensor;
  median(dim: number | st.KeepdimOptions, keepdim?: boolean | st.KeepdimOptions, opts?: st.KeepdimOptions): ValuesIndices;
  /**
   * `x.nanmedian()`, `x.nanmedian(dim, keepdim=False)`: `median` ignoring NaN.
   * @example torch.tensor([1, NaN, 3, 2]).nanmedian() // tensor(2.)
   */
  nanmedian(): Tensor;
  nanmedian(dim: number | st.KeepdimOptions, keepdim?: boolean | st.KeepdimOptions, opts?: st.KeepdimOptions): ValuesIndices;
  /**
   * `x.mode(dim=-1, keepdim=False)`: `(values, indices)` of the most frequent value of each slice.
   * @example torch.tensor([3, 1, 3, 2, 1]).mode().values // tensor(1)
   */
  mode(...args: st.DimKeepArgs): ValuesIndices;
  /**
   * `x.kthvalue(k, dim=-1, keepdim=False)`: `(values, indices)` of the k-th smallest (1-based).
   * @example torch.tensor([3, 1, 2]).kthvalue(2).values // tensor(2)
   */
  kthvalue(k: number, ...args: Tail<(x: Tensor, ...r: Tail<typeof st.kthvalue>) => void>): ValuesIndices;
  /**
   * `x.quantile(q, dim=None, keepdim=False, *, interpolation='linear')`: the q-th quantiles (see
   * `torch.quantile`).
   * @example torch.tensor([1, 2, 3, 4], {dtype: torch.float32}).quantile(0.5) // tensor(2.5000)
   */
  quantile(q: number | Tensor, ...args: st.QuantileArgs): Tensor;
  /**
   * `x.nanquantile(q, dim=None, keepdim=False, *, interpolation='linear')`: `quantile` ignoring NaN.
   * @example torch.tensor([1, NaN, 3]).nanquantile(0.5) // tensor(2.)
   */
  nanquantile(q: number | Tensor, ...args: st.QuantileArgs): Tensor;
  /**
   * `x.nanmean(dim=None, keepdim=False, *, dtype=None)`: the mean of the non-NaN elements.
   * @example torch.tensor([1, NaN, 3]).nanmean() // tensor(2.)
   */
  nanmean(...args: st.ReduceArgs): Tensor;
  /**
   * `x.nansum(dim=None, keepdim=False, *, dtype=None)`: the sum treating NaN as 0.
   * @example torch.tensor([1, NaN, 3]).nansum() // tensor(4.)
   */
  nansum(...args: st.ReduceArgs): Tensor;
  /**
   * `x.count_nonzero(dim=None)`: how many elements are nonzero (int64), of all or along `dim`.
   * @example torch.tensor([0, 1, 2]).count_nonzero() // tensor(2)
   */
  count_nonzero(dim?: Dims | null | { dim?: Dims | null }): Tensor;
  /** `x.msort()`: sorted along dim 0. @example torch.tensor([3, 1, 2]).msort() // tensor([1, 2, 3]) */
  msort(): Tensor;
  /**
   * `x.cov(*, correction=1, fweights=None, aweights=None)`: the covariance matrix of the variables in
   * x's rows.
   * @example torch.tensor([[1, 2, 3], [2, 4, 6]], {dtype: torch.float32}).cov() // tensor([[1., 2.], [2., 4.]])
   */
  cov(opts?: st.CovOptions): Tensor;
  /**
   * `x.corrcoef()`: the Pearson correlation matrix of the variables in x's rows.
   * @example torch.tensor([[1, 2, 3], [3, 2, 1]], {dtype: torch.float32}).corrcoef() // tensor([[ 1., -1.], [-1.,  1.]])
   */
  corrcoef(): Tensor;
  /** `x.trace()`: the sum of a matrix's main diagonal. @example torch.tensor([[1, 2], [3, 4]]).trace() // tensor(5) */
  trace(): Tensor;
  /** `x.cumsum_(dim, *, dtype=None)`: `cumsum` in place. @example x.cumsum_(0) */
  cumsum_(dim: number, opts?: { dtype?: DType }): this;
  /** `x.cumprod_(dim, *, dtype=None)`: `cumprod` in place. @example x.cumprod_(0) */
  cumprod_(dim: number, opts?: { dtype?: DType }): this;
  /**
   * `x.cummax(dim)`: `(values, indices)` of the running maxima along `dim`.
   * @example torch.tensor([1, 3, 2]).cummax(0).values // tensor([1, 3, 3])
   */
  cummax(dim: number | { dim: number }): ValuesIndices;
  /**
   * `x.cummin(dim)`: `(values, indices)` of the running minima along `dim`.
   * @example torch.tensor([3, 1, 2]).cummin(0).values // tensor([3, 1, 1])
   */
  cummin(dim: number | { dim: number }): ValuesIndices;
  /**
   * `x.logcumsumexp(dim)`: log(cumsum(exp(x))) along `dim`, without overflow.
   * @example torch.tensor([0, 0], {dtype: torch.float32}).logcumsumexp(0) // tensor([0.0000, 0.6931])
   */
  logcumsumexp(dim: number | { dim: number }): Tensor;
  /**
   * `x.diff(n=1, dim=-1, prepend=None, append=None)`: the n-th forward difference along `dim`.
   * @example torch.tensor([1, 4, 9]).diff() // tensor([3, 5])
   */
  diff(...args: Tail<typeof sx.diff>): Tensor;
  /**
   * `x.unique(sorted=True, return_inverse=False, return_counts=False, dim=None)`: the distinct values,
   * sorted (with the inverse indices and counts when asked: then an array).
   * @example torch.tensor([3, 1, 3]).unique() // tensor([1, 3])
   */
  unique(opts?: { sorted?: boolean; return_inverse?: false; return_counts?: false; dim?: number | null }): Tensor;
  unique(...args: Tail<typeof cn.unique>): Tensor | Tensor[];
  /**
   * `x.unique_consecutive(return_inverse=False, return_counts=False, dim=None)`: runs of equal values
   * collapsed to one.
   * @example torch.tensor([1, 1, 2, 1]).unique_consecutive() // tensor([1, 2, 1])
   */
  unique_consecutive(opts?: { return_inverse?: false; return_counts?: false; dim?: number | null }): Tensor;
  unique_consecutive(...args: Tail<typeof cn.unique_consecutive>): Tensor | Tensor[];
  /**
   * `x.bincount(weights=None, minlength=0)`: how often each value of a 1-d non-negative int tensor
   * occurs (or the sum of its weights).
   * @example torch.tensor([0, 2, 2]).bincount() // tensor([1, 0, 2])
   */
  bincount(...args: Tail<typeof cn.bincount>): Tensor;
  /**
   * `x.histc(bins=100, min=0, max=0)`: a histogram of equal-width bins over [min, max] (the data's range
   * when both are 0).
   * @example torch.tensor([1, 2, 1], {dtype: torch.float32}).histc(4, 0, 3) // tensor([0., 2., 1., 0.])
   */
  histc(...args: Tail<typeof cn.histc>): Tensor;
  /**
   * `x.dist(other, p=2)`: the p-norm of `x - other`.
   * @example torch.tensor([0, 0], {dtype: torch.float32}).dist(torch.tensor([3, 4], {dtype: torch.float32})) // tensor(5.)
   */
  dist(other: Tensor, p?: number | { p?: number }): Tensor;
  /**
   * `x.vdot(other)`: the dot product of two 1-d tensors (no complex dtypes: nothing to conjugate).
   * @example torch.tensor([1, 2]).vdot(torch.tensor([3, 4])) // tensor(11)
   */
  vdot(other: Tensor): Tensor;
  /**
   * `x.inner(other)`: sums products over the last dims of both.
   * @example torch.tensor([1, 2]).inner(torch.tensor([3, 4])) // tensor(11)
   */
  inner(other: Tensor): Tensor;
  /**
   * `x.ger(vec2)`: the outer product (PyTorch's deprecated name of `outer`).
   * @example torch.tensor([1, 2]).ger(torch.tensor([1, 10])) // tensor([[ 1, 10], [ 2, 20]])
   */
  ger(vec2: Tensor): Tensor;
  /** `x.addmv(mat, vec, *, beta=1, alpha=1)`: beta * x + alpha * (mat @ vec). @example b.addmv(W, v) */
  addmv(mat: Tensor, vec: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  /** `x.addmv_(mat, vec, *, beta=1, alpha=1)`: `addmv` in place. @example y.addmv_(W, v) */
  addmv_(mat: Tensor, vec: Tensor, opts?: { beta?: number; alpha?: number }): this;
  /**
   * `x.baddbmm(batch1, batch2, *, beta=1, alpha=1)`: beta * x + alpha * bmm(batch1, batch2).
   * @example c.baddbmm(a, b, {alpha: 0.5})
   */
  baddbmm(batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  /** `x.baddbmm_(batch1, batch2, *, beta=1, alpha=1)`: `baddbmm` in place. @example c.baddbmm_(a, b) */
  baddbmm_(batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }): this;
  /** `x.kron(other)`: the Kronecker product. @example torch.eye(2).kron(torch.ones(2, 2)).shape // [4, 4] */
  kron(other: Tensor): Tensor;
  /**
   * `x.cross(other, dim=None)`: the 3-vector cross product along `dim` (with no dim, the first dim of
   * size 3).
   * @example torch.tensor([1, 0, 0]).cross(torch.tensor([0, 1, 0])) // tensor([0, 0, 1])
   */
  cross(other: Tensor, dim?: number | null | { dim?: number | null }): Tensor;
  /**
   * `x.det()`: the determinant of each square matrix (`torch.linalg.det`).
   * @example torch.tensor([[1, 2], [3, 4]], {dtype: torch.float32}).det() // tensor(-2.)
   */
  det(): Tensor;
  /**
   * `x.inverse()`: the inverse of each square matrix (`torch.linalg.inv`).
   * @example torch.tensor([[2, 0], [0, 4]], {dtype: torch.float32}).inverse() // tensor([[0.5000, 0.0000], [0.0000, 0.2500]])
   */
  inverse(): Tensor;
  /**
   * `x.logdet()`: log det(x): NaN for a negative determinant, -inf for a singular matrix.
   * @example torch.eye(3).mul(2).logdet() // tensor(2.0794)
   */
  logdet(): Tensor;
  /** `x.slogdet()`: `(sign, logabsdet)` of the determinant, as a named tuple. @example const {sign, logabsdet} = A.slogdet() */
  slogdet(): dec.SignLogAbsDet;
  /**
   * `x.pinverse(rcond=1e-15)`: the Moore-Penrose pseudo-inverse (`torch.linalg.pinv` with a relative
   * cutoff).
   * @example A.pinverse().matmul(b)
   */
  pinverse(rcond?: number | { rcond?: number }): Tensor;
  /**
   * `x.matrix_power(n)`: x multiplied by itself n times (the identity for 0, the inverse's powers for n
   * < 0).
   * @example torch.tensor([[1, 1], [0, 1]]).matrix_power(3) // tensor([[1, 3], [0, 1]])
   */
  matrix_power(n: number): Tensor;
  /**
   * `x.tensor_split(indices_or_sections, dim=0)`: views split into n nearly equal parts, or at the given
   * indices.
   * @example torch.arange(5).tensor_split(2) // [tensor([0, 1, 2]), tensor([3, 4])]
   */
  tensor_split(...args: Tail<typeof mp.tensor_split>): Tensor[];
  /** `x.hsplit(sections)`: `tensor_split` along dim 1 (dim 0 for 1-d). @example torch.ones(2, 4).hsplit(2) // two [2, 2] views */
  hsplit(sections: number | readonly number[]): Tensor[];
  /** `x.vsplit(sections)`: `tensor_split` along dim 0 (at least 2-d). @example torch.ones(4, 2).vsplit(2) // two [2, 2] views */
  vsplit(sections: number | readonly number[]): Tensor[];
  /**
   * `x.dsplit(sections)`: `tensor_split` along dim 2 (at least 3-d).
   * @example torch.ones(1, 2, 4).dsplit(2) // two [1, 2, 2] views
   */
  dsplit(sections: number | readonly number[]): Tensor[];
  /** `x.fliplr()`: reversed along dim 1 (at least 2-d). @example torch.tensor([[1, 2]]).fliplr() // tensor([[2, 1]]) */
  fliplr(): Tensor;
  /** `x.flipud()`: reversed along dim 0. @example torch.tensor([1, 2]).flipud() // tensor([2, 1]) */
  flipud(): Tensor;
  /**
   * `x.rot90(k=1, dims=[0, 1])`: rotated by 90° k times in the plane of `dims`.
   * @example torch.tensor([[1, 2], [3, 4]]).rot90() // tensor([[2, 4], [1, 3]])
   */
  rot90(...args: Tail<typeof mp.rot90>): Tensor;
  /**
   * `x.diag(diagonal=0)`: a 1-d x gives the matrix with x on that diagonal; a 2-d x gives that diagonal.
   * @example torch.tensor([1, 2]).diag() // tensor([[1, 0], [0, 2]])
   */
  diag(diagonal?: number | { diagonal?: number }): Tensor;
  /**
   * `x.diag_embed(offset=0, dim1=-2, dim2=-1)`: matrices whose diagonal holds x's last dim.
   * @example torch.ones(5, 3).diag_embed().shape // [5, 3, 3]
   */
  diag_embed(...args: Tail<typeof mp.diag_embed>): Tensor;
  /**
   * `x.diagflat(offset=0)`: x flattened, on the diagonal of a matrix.
   * @example torch.tensor([[1, 2]]).diagflat() // tensor([[1, 0], [0, 2]])
   */
  diagflat(offset?: number | { offset?: number }): Tensor;
  /**
   * `x.bernoulli(p=None, *, generator=None)`: 0/1 draws that are 1 with probability x (or `p`).
   * @example torch.full([4], 0.5).bernoulli()
   */
  bernoulli(p?: number | rnd.GeneratorOptions, opts?: rnd.GeneratorOptions): Tensor;
  /**
   * `x.multinomial(num_samples, replacement=False, *, generator=None)`: indices drawn with the row's
   * weights as probabilities.
   * @example probs.multinomial(1) // one class per row
   */
  multinomial(num_samples: number, replacement?: boolean | rnd.MultinomialOptions, opts?: rnd.GeneratorOptions): Tensor;
}

// ---- data_ptr: stable fake addresses per storage ----

const bases = new WeakMap<object, number>();
let nextBase = 1;
function storageBase(storage: object): number {
  let b = bases.get(storage);
  if (b === undefined) bases.set(storage, (b = 0x10000000000 + 0x100000000 * nextBase++));
  return b;
}

function inplace<T extends Tensor>(self: T, r: Tensor): T {
  return cp.inplace(self, r);
}

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, after the class exists). */
export function installExtras(): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  const getters: Record<string, (this: Tensor) => unknown> = {
    nbytes(this: Tensor) { return this.numel() * this.dtype.itemsize; },
    itemsize(this: Tensor) { return this.dtype.itemsize; },
    H(this: Tensor) {
      if (this.dim() !== 2) throw new RuntimeError(`tensor.H is only supported on matrices (2-D tensors). Got ${this.dim()}-D tensor.`);
      return this.transpose(0, 1);
    },
    mH(this: Tensor) {
      if (this.dim() < 2) throw new RuntimeError(`tensor.mH is only supported on matrices or batches of matrices. Got ${this.dim()}-D tensor.`);
      return this.transpose(-2, -1);
    },
  };
  for (const [name, get] of Object.entries(getters)) {
    if (!(name in proto)) Object.defineProperty(proto, name, { get, configurable: true, enumerable: false });
  }
  const unaryAlias = (name: string, target: string) => {
    const call = (t: string) => function (this: Tensor) { return (this as unknown as Record<string, () => Tensor>)[t]!.call(this); };
    if (!(name in proto)) proto[name] = call(target);
    if (!(`${name}_` in proto)) proto[`${name}_`] = call(`${target}_`);
  };
  for (const [a, b] of [['absolute', 'abs'], ['arcsin', 'asin'], ['arccos', 'acos'], ['arctan', 'atan'], ['arcsinh', 'asinh'], ['arccosh', 'acosh'], ['arctanh', 'atanh']] as const) {
    unaryAlias(a, b);
  }
  /** An out-of-place method `f(this, ...args)` and, when `withInplace`, its `name_` variant. */
  // names the class already defines win: this table only fills gaps
  const method = (name: string, f: (x: Tensor, ...args: never[]) => unknown) => {
    if (name in proto) return;
    proto[name] = function (this: Tensor, ...args: never[]) { return f(this, ...args); };
  };
  const methods: Record<string, (x: Tensor, ...args: never[]) => unknown> = {
    ndimension: (x) => x.dim(),
    is_complex: () => false,
    is_nonzero: (x) => {
      const n = x.numel();
      if (n === 0) throw new RuntimeError('Boolean value of Tensor with no values is ambiguous');
      if (n > 1) throw new RuntimeError('Boolean value of Tensor with more than one value is ambiguous');
      return x.item() !== 0;
    },
    data_ptr: (x) => storageBase(x._storage) + x._offset * x.dtype.itemsize,
    type_as: (x, other: Tensor) => x.to(other.dtype),
    ravel: (x) => x.reshape([-1]),
    swapdims: (x, a: number, b: number) => x.transpose(a, b),
    moveaxis: (x, s: Dims, d: Dims) => x.movedim(s, d),
    adjoint: (x) => x.transpose(-2, -1),
    broadcast_to: mp.broadcast_to,
    index_add: mp.index_add,
    index_fill: mp.index_fill,
    index_copy: mp.index_copy,
    argwhere: (x) => nonzero(x),
    take_along_dim: mp.take_along_dim,
    fill_diagonal_: mp.fill_diagonal_,
    clamp_min_: (x, v: TensorOrScalar) => inplace(x, x.clamp(v, null)),
    clamp_max_: (x, v: TensorOrScalar) => inplace(x, x.clamp(null, v)),
    clip_: (x, lo?: TensorOrScalar | null, hi?: TensorOrScalar | null) => x.clamp_(lo, hi),
    subtract: (x, o: TensorOrScalar, opts?: { alpha?: number }) => x.sub(o, opts),
    subtract_: (x, o: TensorOrScalar, opts?: { alpha?: number }) => x.sub_(o, opts),
    divide: (x, o: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }) => x.div(o, opts),
    divide_: (x, o: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }) => x.div_(o, opts),
    floor_divide: (x, o: TensorOrScalar) => x.div(o, { rounding_mode: 'floor' }),
    floor_divide_: (x, o: TensorOrScalar) => x.div_(o, { rounding_mode: 'floor' }),
    arctan2: (x, o: Tensor) => x.atan2(o),
    arctan2_: (x, o: Tensor) => x.atan2_(o),
    float_power_: (x, e: TensorOrScalar) => {
      px.checkFloatPowerInplace(x);
      return inplace(x, px.float_power(x, e));
    },
    logaddexp: sp.logaddexp,
    logaddexp2: sp.logaddexp2,
    isreal: px.isreal,
    heaviside_: (x, v: Tensor) => inplace(x, px.heaviside(x, v)),
    aminmax: st.aminmax,
    median: st.median,
    nanmedian: st.nanmedian,
    mode: st.mode,
    kthvalue: st.kthvalue,
    quantile: st.quantile,
    nanquantile: st.nanquantile,
    nanmean: st.nanmean,
    nansum: st.nansum,
    count_nonzero: st.count_nonzero,
    msort: st.msort,
    cov: st.cov,
    corrcoef: st.corrcoef,
    trace: st.trace,
    cumsum_: (x, d: number, o?: { dtype?: DType }) => inplace(x, x.cumsum(d, o)),
    cumprod_: (x, d: number, o?: { dtype?: DType }) => inplace(x, x.cumprod(d, o)),
    cummax: sx.cummax,
    cummin: sx.cummin,
    logcumsumexp: sx.logcumsumexp,
    diff: sx.diff,
    unique: cn.unique,
    unique_consecutive: cn.unique_consecutive,
    bincount: cn.bincount,
    histc: cn.histc,
    dist: pr.dist,
    vdot: pr.vdot,
    inner: pr.inner,
    ger: (x, v: Tensor) => la.outer(x, v),
    kron: pr.kron,
    cross: pr.cross,
    det: dec.det,
    inverse: dec.inv,
    logdet: dec.logdet,
    slogdet: dec.slogdet,
    pinverse: (x, rcond?: number | { rcond?: number }) => dec.pinv(x, { rtol: typeof rcond === 'object' ? (rcond.rcond ?? 1e-15) : (rcond ?? 1e-15) }),
    matrix_power: (x, n: number) => pr.matrix_power(x, n, dec.inv),
    tensor_split: mp.tensor_split,
    hsplit: mp.hsplit,
    vsplit: mp.vsplit,
    dsplit: mp.dsplit,
    fliplr: mp.fliplr,
    flipud: mp.flipud,
    rot90: mp.rot90,
    diag: mp.diag,
    diag_embed: mp.diag_embed,
    diagflat: mp.diagflat,
    bernoulli: rnd.bernoulli,
    multinomial: rnd.multinomial,
    squeeze_: (x, d?: Dims) => mp.assumeView(x, mv.squeeze(x, d)),
    unsqueeze_: (x, d: number) => mp.assumeView(x, mv.unsqueeze(x, d)),
    transpose_: (x, a: number, b: number) => mp.assumeView(x, mv.transpose(x, a, b)),
    swapdims_: (x, a: number, b: number) => mp.assumeView(x, mv.transpose(x, a, b)),
    swapaxes_: (x, a: number, b: number) => mp.assumeView(x, mv.transpose(x, a, b)),
    t_: (x) => mp.assumeView(x, mv.t(x)),
  };
  for (const [name, f] of Object.entries(methods)) method(name, f);
  const withInplace: Record<string, (x: Tensor, ...args: never[]) => Tensor> = {
    logit: sp.logit, erfc: sp.erfc, erfinv: sp.erfinv, lgamma: sp.lgamma, digamma: sp.digamma, sinc: sp.sinc,
    xlogy: sp.xlogy, deg2rad: px.deg2rad, rad2deg: px.rad2deg, float_power: px.float_power, copysign: px.copysign,
    heaviside: px.heaviside, nan_to_num: px.nan_to_num,
    bitwise_not: px.bitwise_not, bitwise_and: px.bitwise_and, bitwise_or: px.bitwise_or, bitwise_xor: px.bitwise_xor,
    addmv: pr.addmv, baddbmm: pr.baddbmm, index_fill: mp.index_fill, index_copy: mp.index_copy,
  };
  for (const [name, f] of Object.entries(withInplace)) {
    method(name, f);
    // float_power_ and heaviside_ were installed above with their own checks
    method(`${name}_`, (x, ...args: never[]) => inplace(x, f(x, ...args)));
  }
}


/**
 * `torch.pinverse(input, rcond=1e-15)`: `linalg.pinv` with PyTorch's older relative cutoff.
 * @example torch.pinverse(torch.tensor([[2, 0], [0, 4]], {dtype: torch.float32})) // tensor([[0.5000, 0.0000], [0.0000, 0.2500]])
 */
function pinverse(x: Tensor, rcond: number | { rcond?: number } = 1e-15): Tensor {
  return dec.pinv(x, { rtol: typeof rcond === 'object' ? (rcond.rcond ?? 1e-15) : rcond });
}

/** The `torch.*` functions this module adds (spread into the namespace by torch.ts). */
export const torchExtras = {
  // creation
  diag: mp.diag, diag_embed: mp.diag_embed, diagflat: mp.diagflat, tril_indices: mp.tril_indices, triu_indices: mp.triu_indices,
  meshgrid: mp.meshgrid, cartesian_prod: mp.cartesian_prod, combinations: mp.combinations,
  // pointwise
  /** `torch.absolute(input)`: an alias of `abs`. @example torch.absolute(torch.tensor([-1, 2])) // tensor([1, 2]) */
  absolute: (x: Tensor): Tensor => x.abs(),
  /**
   * `torch.positive(input)`: input itself (Python's unary `+`; bool tensors raise).
   * @example torch.positive(torch.tensor([-1, 2])) // tensor([-1,  2])
   */
  positive: (x: Tensor): Tensor => x.positive(),
  /** `torch.arcsin(input)`: an alias of `asin`. @example torch.arcsin(torch.tensor([1])) // tensor([1.5708]) */
  arcsin: (x: Tensor): Tensor => x.asin(),
  /** `torch.arccos(input)`: an alias of `acos`. @example torch.arccos(torch.tensor([1])) // tensor([0.]) */
  arccos: (x: Tensor): Tensor => x.acos(),
  /** `torch.arctan(input)`: an alias of `atan`. @example torch.arctan(torch.tensor([1])) // tensor([0.7854]) */
  arctan: (x: Tensor): Tensor => x.atan(),
  /** `torch.arcsinh(input)`: an alias of `asinh`. @example torch.arcsinh(torch.tensor([0])) // tensor([0.]) */
  arcsinh: (x: Tensor): Tensor => x.asinh(),
  /** `torch.arccosh(input)`: an alias of `acosh`. @example torch.arccosh(torch.tensor([1])) // tensor([0.]) */
  arccosh: (x: Tensor): Tensor => x.acosh(),
  /** `torch.arctanh(input)`: an alias of `atanh`. @example torch.arctanh(torch.tensor([0])) // tensor([0.]) */
  arctanh: (x: Tensor): Tensor => x.atanh(),
  /**
   * `torch.arctan2(input, other)`: an alias of `atan2`.
   * @example torch.arctan2(torch.tensor([1]), torch.tensor([0])) // tensor([1.5708])
   */
  arctan2: (x: Tensor, o: Tensor): Tensor => x.atan2(o),
  /**
   * `torch.clamp_min(input, min)`: `clamp(input, min)` (grad_fn ClampMinBackward, as in PyTorch).
   * @example torch.clamp_min(torch.tensor([-1, 2]), 0) // tensor([0, 2])
   */
  clamp_min: (x: Tensor, min: TensorOrScalar): Tensor => asNode(min instanceof Tensor ? 'ClampMinBackward1' : 'ClampMinBackward0', x.clamp(min, null)),
  /**
   * `torch.clamp_max(input, max)`: `clamp(input, None, max)`.
   * @example torch.clamp_max(torch.tensor([-1, 2]), 0) // tensor([-1,  0])
   */
  clamp_max: (x: Tensor, max: TensorOrScalar): Tensor => asNode(max instanceof Tensor ? 'ClampMaxBackward1' : 'ClampMaxBackward0', x.clamp(null, max)),
  logit: sp.logit, erfc: sp.erfc, erfinv: sp.erfinv, lgamma: sp.lgamma, digamma: sp.digamma, xlogy: sp.xlogy, sinc: sp.sinc,
  logaddexp: sp.logaddexp, logaddexp2: sp.logaddexp2,
  float_power: px.float_power, copysign: px.copysign, heaviside: px.heaviside, deg2rad: px.deg2rad, rad2deg: px.rad2deg,
  nan_to_num: px.nan_to_num, rsub: px.rsub, isreal: px.isreal,
  bitwise_not: px.bitwise_not, bitwise_and: px.bitwise_and, bitwise_or: px.bitwise_or, bitwise_xor: px.bitwise_xor,
  // reductions and statistics
  aminmax: st.aminmax, median: st.median, nanmedian: st.nanmedian, mode: st.mode, kthvalue: st.kthvalue,
  quantile: st.quantile, nanquantile: st.nanquantile, nanmean: st.nanmean, nansum: st.nansum, count_nonzero: st.count_nonzero,
  msort: st.msort, cov: st.cov, corrcoef: st.corrcoef, trace: st.trace,
  cummax: sx.cummax, cummin: sx.cummin, logcumsumexp: sx.logcumsumexp, diff: sx.diff,
  unique: cn.unique, unique_consecutive: cn.unique_consecutive, bincount: cn.bincount, histc: cn.histc,
  searchsorted: cn.searchsorted, bucketize: cn.bucketize, isin: cn.isin,
  // products and linear algebra
  vdot: pr.vdot, inner: pr.inner, ger: la.outer, addmv: pr.addmv, baddbmm: pr.baddbmm, tensordot: pr.tensordot, kron: pr.kron,
  cross: pr.cross, dist: pr.dist, cdist: pr.cdist, cosine_similarity: pr.cosine_similarity, block_diag: mp.block_diag,
  det: dec.det, inverse: dec.inv, logdet: dec.logdet, slogdet: dec.slogdet, pinverse,
  /**
   * `torch.matrix_power(input, n)`: `x.matrix_power(n)` (an alias of `torch.linalg.matrix_power`).
   * @example torch.matrix_power(torch.tensor([[1, 1], [0, 1]]), 3) // tensor([[1, 3], [0, 1]])
   */
  matrix_power: (x: Tensor, n: number): Tensor => pr.matrix_power(x, n, dec.inv),
  get linalg(): typeof linalg { return linalg; },
  // joining, splitting, views
  hstack: mp.hstack, dstack: mp.dstack, column_stack: mp.column_stack, row_stack: mp.row_stack,
  tensor_split: mp.tensor_split, hsplit: mp.hsplit, vsplit: mp.vsplit, dsplit: mp.dsplit,
  fliplr: mp.fliplr, flipud: mp.flipud, rot90: mp.rot90,
  /**
   * `torch.ravel(input)`: input flattened to 1-d (a view when possible).
   * @example torch.ravel(torch.tensor([[1, 2], [3, 4]])) // tensor([1, 2, 3, 4])
   */
  ravel: (x: Tensor): Tensor => x.reshape([-1]),
  /**
   * `torch.swapdims(input, dim0, dim1)`: an alias of `transpose`.
   * @example torch.swapdims(torch.zeros(2, 3), 0, 1).shape // [3, 2]
   */
  swapdims: (x: Tensor, a: number, b: number): Tensor => x.transpose(a, b),
  /**
   * `torch.moveaxis(input, source, destination)`: an alias of `movedim`.
   * @example torch.moveaxis(torch.zeros(2, 3, 4), 0, -1).shape // [3, 4, 2]
   */
  moveaxis: (x: Tensor, s: Dims, d: Dims): Tensor => x.movedim(s, d),
  /**
   * `torch.adjoint(input)`: the last two dims swapped (no complex dtypes, so no conjugation).
   * @example torch.adjoint(torch.zeros(2, 3)).shape // [3, 2]
   */
  adjoint: (x: Tensor): Tensor => x.transpose(-2, -1),
  broadcast_tensors: mp.broadcast_tensors, broadcast_to: mp.broadcast_to,
  atleast_1d: mp.atleast_1d, atleast_2d: mp.atleast_2d, atleast_3d: mp.atleast_3d,
  index_add: mp.index_add, index_fill: mp.index_fill, index_copy: mp.index_copy, take_along_dim: mp.take_along_dim,
  /**
   * `torch.argwhere(input)`: the indices of the nonzero elements, one row each.
   * @example torch.argwhere(torch.tensor([0, 3, 0, 4])) // tensor([[1], [3]])
   */
  argwhere: (x: Tensor): Tensor => nonzero(x),
  /** `torch.is_complex(input)`: always false (no complex dtypes). @example torch.is_complex(torch.zeros(2)) // false */
  is_complex: (_x: Tensor): boolean => false,
  /**
   * `torch.is_nonzero(input)`: the truth of a one-element tensor; more or fewer elements raise.
   * @example torch.is_nonzero(torch.tensor([1.5])) // true
   */
  is_nonzero: (x: Tensor): boolean => x.is_nonzero(),
};
