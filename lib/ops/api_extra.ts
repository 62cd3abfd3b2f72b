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
  /** `x.nbytes`: numel * element_size (PyTorch 2's property). */
  readonly nbytes: number;
  /** `x.itemsize`: bytes per element (PyTorch 2's property). */
  readonly itemsize: number;
  /** `x.H`: the transpose of a matrix (no complex dtypes, so no conjugation). */
  readonly H: Tensor;
  /** `x.mH`: the last two dims transposed. */
  readonly mH: Tensor;
  ndimension(): number;
  is_complex(): boolean;
  is_nonzero(): boolean;
  /** A stable address-like number per storage plus the offset in bytes: equal for tensors sharing their first element. */
  data_ptr(): number;
  type_as(other: Tensor): Tensor;
  ravel(): Tensor;
  squeeze_(dim?: Dims): this;
  unsqueeze_(dim: number): this;
  transpose_(dim0: number, dim1: number): this;
  t_(): this;
  swapdims(dim0: number, dim1: number): Tensor;
  swapdims_(dim0: number, dim1: number): this;
  swapaxes_(dim0: number, dim1: number): this;
  moveaxis(source: Dims, destination: Dims): Tensor;
  adjoint(): Tensor;
  broadcast_to(shape: readonly number[]): Tensor;
  index_add(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
  index_fill(dim: number, index: Tensor, value: Scalar | Tensor): Tensor;
  index_fill_(dim: number, index: Tensor, value: Scalar | Tensor): this;
  index_copy(dim: number, index: Tensor, source: Tensor): Tensor;
  index_copy_(dim: number, index: Tensor, source: Tensor): this;
  argwhere(): Tensor;
  take_along_dim(indices: Tensor, dim?: number | null | { dim?: number | null }): Tensor;
  fill_diagonal_(fill_value: Scalar, wrap?: boolean | { wrap?: boolean }): this;
  clip_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this;
  clamp_min_(min: TensorOrScalar): this;
  clamp_max_(max: TensorOrScalar): this;
  subtract(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
  subtract_(other: TensorOrScalar, opts?: { alpha?: number }): this;
  divide(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor;
  divide_(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): this;
  floor_divide(other: TensorOrScalar): Tensor;
  floor_divide_(other: TensorOrScalar): this;
  absolute(): Tensor; absolute_(): this;
  arcsin(): Tensor; arcsin_(): this;
  arccos(): Tensor; arccos_(): this;
  arctan(): Tensor; arctan_(): this;
  arcsinh(): Tensor; arcsinh_(): this;
  arccosh(): Tensor; arccosh_(): this;
  arctanh(): Tensor; arctanh_(): this;
  arctan2(other: Tensor): Tensor; arctan2_(other: Tensor): this;
  logit(eps?: number | null | { eps?: number | null }): Tensor; logit_(eps?: number | null | { eps?: number | null }): this;
  erfc(): Tensor; erfc_(): this;
  erfinv(): Tensor; erfinv_(): this;
  lgamma(): Tensor; lgamma_(): this;
  digamma(): Tensor; digamma_(): this;
  sinc(): Tensor; sinc_(): this;
  deg2rad(): Tensor; deg2rad_(): this;
  rad2deg(): Tensor; rad2deg_(): this;
  xlogy(other: TensorOrScalar): Tensor; xlogy_(other: TensorOrScalar): this;
  float_power(exponent: TensorOrScalar): Tensor; float_power_(exponent: TensorOrScalar): this;
  copysign(other: TensorOrScalar): Tensor; copysign_(other: TensorOrScalar): this;
  heaviside(values: Tensor): Tensor; heaviside_(values: Tensor): this;
  logaddexp(other: Tensor): Tensor;
  logaddexp2(other: Tensor): Tensor;
  nan_to_num(...args: Tail<typeof px.nan_to_num>): Tensor; nan_to_num_(...args: Tail<typeof px.nan_to_num>): this;
  isreal(): Tensor;
  bitwise_not(): Tensor; bitwise_not_(): this;
  bitwise_and(other: TensorOrScalar): Tensor; bitwise_and_(other: TensorOrScalar): this;
  bitwise_or(other: TensorOrScalar): Tensor; bitwise_or_(other: TensorOrScalar): this;
  bitwise_xor(other: TensorOrScalar): Tensor; bitwise_xor_(other: TensorOrScalar): this;
  aminmax(opts?: { dim?: number | null; keepdim?: boolean }): st.MinMax;
  median(): Tensor;
  median(dim: number | st.KeepdimOptions, keepdim?: boolean | st.KeepdimOptions, opts?: st.KeepdimOptions): ValuesIndices;
  nanmedian(): Tensor;
  nanmedian(dim: number | st.KeepdimOptions, keepdim?: boolean | st.KeepdimOptions, opts?: st.KeepdimOptions): ValuesIndices;
  mode(...args: st.DimKeepArgs): ValuesIndices;
  kthvalue(k: number, ...args: Tail<(x: Tensor, ...r: Tail<typeof st.kthvalue>) => void>): ValuesIndices;
  quantile(q: number | Tensor, ...args: st.QuantileArgs): Tensor;
  nanquantile(q: number | Tensor, ...args: st.QuantileArgs): Tensor;
  nanmean(...args: st.ReduceArgs): Tensor;
  nansum(...args: st.ReduceArgs): Tensor;
  count_nonzero(dim?: Dims | null | { dim?: Dims | null }): Tensor;
  msort(): Tensor;
  cov(opts?: st.CovOptions): Tensor;
  corrcoef(): Tensor;
  trace(): Tensor;
  cumsum_(dim: number, opts?: { dtype?: DType }): this;
  cumprod_(dim: number, opts?: { dtype?: DType }): this;
  cummax(dim: number | { dim: number }): ValuesIndices;
  cummin(dim: number | { dim: number }): ValuesIndices;
  logcumsumexp(dim: number | { dim: number }): Tensor;
  diff(...args: Tail<typeof sx.diff>): Tensor;
  unique(opts?: { sorted?: boolean; return_inverse?: false; return_counts?: false; dim?: number | null }): Tensor;
  unique(...args: Tail<typeof cn.unique>): Tensor | Tensor[];
  unique_consecutive(opts?: { return_inverse?: false; return_counts?: false; dim?: number | null }): Tensor;
  unique_consecutive(...args: Tail<typeof cn.unique_consecutive>): Tensor | Tensor[];
  bincount(...args: Tail<typeof cn.bincount>): Tensor;
  histc(...args: Tail<typeof cn.histc>): Tensor;
  dist(other: Tensor, p?: number | { p?: number }): Tensor;
  vdot(other: Tensor): Tensor;
  inner(other: Tensor): Tensor;
  ger(vec2: Tensor): Tensor;
  addmv(mat: Tensor, vec: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  addmv_(mat: Tensor, vec: Tensor, opts?: { beta?: number; alpha?: number }): this;
  baddbmm(batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor;
  baddbmm_(batch1: Tensor, batch2: Tensor, opts?: { beta?: number; alpha?: number }): this;
  kron(other: Tensor): Tensor;
  cross(other: Tensor, dim?: number | null | { dim?: number | null }): Tensor;
  det(): Tensor;
  inverse(): Tensor;
  logdet(): Tensor;
  slogdet(): dec.SignLogAbsDet;
  pinverse(rcond?: number | { rcond?: number }): Tensor;
  matrix_power(n: number): Tensor;
  tensor_split(...args: Tail<typeof mp.tensor_split>): Tensor[];
  hsplit(sections: number | readonly number[]): Tensor[];
  vsplit(sections: number | readonly number[]): Tensor[];
  dsplit(sections: number | readonly number[]): Tensor[];
  fliplr(): Tensor;
  flipud(): Tensor;
  rot90(...args: Tail<typeof mp.rot90>): Tensor;
  diag(diagonal?: number | { diagonal?: number }): Tensor;
  diag_embed(...args: Tail<typeof mp.diag_embed>): Tensor;
  diagflat(offset?: number | { offset?: number }): Tensor;
  bernoulli(p?: number | rnd.GeneratorOptions, opts?: rnd.GeneratorOptions): Tensor;
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


/** `torch.pinverse(input, rcond=1e-15)`: `linalg.pinv` with PyTorch's older relative cutoff. */
function pinverse(x: Tensor, rcond: number | { rcond?: number } = 1e-15): Tensor {
  return dec.pinv(x, { rtol: typeof rcond === 'object' ? (rcond.rcond ?? 1e-15) : rcond });
}

/** The `torch.*` functions this module adds (spread into the namespace by torch.ts). */
export const torchExtras = {
  // creation
  diag: mp.diag, diag_embed: mp.diag_embed, diagflat: mp.diagflat, tril_indices: mp.tril_indices, triu_indices: mp.triu_indices,
  meshgrid: mp.meshgrid, cartesian_prod: mp.cartesian_prod, combinations: mp.combinations,
  // pointwise
  absolute: (x: Tensor): Tensor => x.abs(), positive: (x: Tensor): Tensor => x.positive(),
  arcsin: (x: Tensor): Tensor => x.asin(), arccos: (x: Tensor): Tensor => x.acos(), arctan: (x: Tensor): Tensor => x.atan(),
  arcsinh: (x: Tensor): Tensor => x.asinh(), arccosh: (x: Tensor): Tensor => x.acosh(), arctanh: (x: Tensor): Tensor => x.atanh(),
  arctan2: (x: Tensor, o: Tensor): Tensor => x.atan2(o),
  clamp_min: (x: Tensor, min: TensorOrScalar): Tensor => asNode(min instanceof Tensor ? 'ClampMinBackward1' : 'ClampMinBackward0', x.clamp(min, null)),
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
  matrix_power: (x: Tensor, n: number): Tensor => pr.matrix_power(x, n, dec.inv),
  get linalg(): typeof linalg { return linalg; },
  // joining, splitting, views
  hstack: mp.hstack, dstack: mp.dstack, column_stack: mp.column_stack, row_stack: mp.row_stack,
  tensor_split: mp.tensor_split, hsplit: mp.hsplit, vsplit: mp.vsplit, dsplit: mp.dsplit,
  fliplr: mp.fliplr, flipud: mp.flipud, rot90: mp.rot90,
  ravel: (x: Tensor): Tensor => x.reshape([-1]),
  swapdims: (x: Tensor, a: number, b: number): Tensor => x.transpose(a, b),
  moveaxis: (x: Tensor, s: Dims, d: Dims): Tensor => x.movedim(s, d),
  adjoint: (x: Tensor): Tensor => x.transpose(-2, -1),
  broadcast_tensors: mp.broadcast_tensors, broadcast_to: mp.broadcast_to,
  atleast_1d: mp.atleast_1d, atleast_2d: mp.atleast_2d, atleast_3d: mp.atleast_3d,
  index_add: mp.index_add, index_fill: mp.index_fill, index_copy: mp.index_copy, take_along_dim: mp.take_along_dim,
  argwhere: (x: Tensor): Tensor => nonzero(x),
  is_complex: (_x: Tensor): boolean => false,
  is_nonzero: (x: Tensor): boolean => x.is_nonzero(),
};
