/**
 * Reductions over dims (`dim` an int or list, negative allowed, `keepdim`), with PyTorch's dtype
 * rules and backward. The backend reduces the trailing dims of a permuted view, so no reduction
 * copies its input.
 */

import type { ReduceOp } from '../backend.js';
import * as dt from '../dtype.js';
import type { DType } from '../dtype.js';
import { backendFor } from '../device.js';
import { IndexError, RuntimeError } from '../errors.js';
import { normDim, normDims, numelOf, sameShape } from '../shape.js';
import { Tensor, type Dims, type ValuesIndices } from '../tensor.js';
import { emptyTensor, record, viewOf } from './dispatch.js';
import { cTypeName } from './pointwise.js';
import { no_grad } from '../autograd/grad_mode.js';
import { cat } from './cat.js';

export { sort, topk } from './sort.js';
export { cumsum, cumprod } from './scan.js';
export { softmax, log_softmax } from './softmax.js';

type KeepOpts = boolean | { keepdim?: boolean; dtype?: DType } | undefined;

function keepOf(k: KeepOpts): boolean {
  return typeof k === 'boolean' ? k : (k?.keepdim ?? false);
}
function dtypeOf(k: KeepOpts): DType | undefined {
  return typeof k === 'object' ? k.dtype : undefined;
}

/** The shape after reducing `dims` of `shape`. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((n, i) => {
    if (!dims.includes(i)) out.push(n);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** Runs a backend reduction of `dims` (sorted, unique) into a new tensor of `dtype`. */
export function reduceKernel(x: Tensor, op: ReduceOp, dims: readonly number[], keepdim: boolean, dtype: DType): Tensor {
  const kept = x._shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const order = [...kept, ...dims];
  const input = {
    storage: x._storage,
    dtype: x.dtype,
    shape: order.map((d) => x._shape[d]!),
    strides: order.map((d) => x._strides[d]!),
    offset: x._offset,
  };
  if ((op === 'max' || op === 'min') && dims.some((d) => x._shape[d] === 0)) {
    throw new IndexError(
      `${op}(): Expected reduction dim ${dims.find((d) => x._shape[d] === 0)} to have non-zero size.`,
    );
  }
  const out = emptyTensor(reducedShape(x._shape, dims, keepdim), dtype, x.device);
  const outView = { ...viewOf(out), shape: kept.map((d) => x._shape[d]!), strides: keptStrides(out, x._shape, dims, keepdim) };
  backendFor(x.device).reduce(op, input, outView, dims.length);
  return out;
}

function keptStrides(out: Tensor, shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  if (!keepdim) return out._strides.slice();
  return out._strides.filter((_, i) => !dims.includes(i) || shape.length === 0);
}

/** Broadcasts a reduced gradient back over the reduced dims. */
export function expandBack(g: Tensor, shape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  let r = g;
  if (!keepdim) for (const d of dims) r = r.unsqueeze(d);
  return r.expand(shape);
}

/** Sums `g` down to `shape` (the inverse of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g._shape, shape)) return g;
  const lead = g.dim() - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.dim(); i++) {
    if (i < lead || (shape[i - lead] === 1 && g._shape[i] !== 1)) dims.push(i);
  }
  let r = dims.length ? sum(g, dims, true) : g;
  if (lead > 0) r = r.reshape(shape);
  return sameShape(r._shape, shape) ? r : r.reshape(shape);
}

function dimsOf(x: Tensor, dim: Dims | null | undefined): number[] {
  if (Array.isArray(dim) && dim.length === 0) return normDims(null, x.dim());
  return normDims(dim as Dims | null | undefined, x.dim());
}

export function sum(x: Tensor, dim?: Dims | null, keep?: KeepOpts): Tensor {
  const keepdim = keepOf(keep);
  const dtype = dtypeOf(keep) ?? (x.dtype.is_floating_point ? x.dtype : dt.int64);
  const src = x.dtype === dtype ? x : x.to(dtype);
  const dims = dimsOf(x, dim);
  const out = reduceKernel(src, 'sum', dims, keepdim, dtype);
  const shape = x._shape.slice();
  record(dim === undefined || dim === null ? 'SumBackward0' : 'SumBackward1', [src], [out], [], ([g]) => [
    expandBack(g!, shape, dims, keepdim),
  ]);
  return out;
}

export function mean(x: Tensor, dim?: Dims | null, keep?: KeepOpts): Tensor {
  const dtype = dtypeOf(keep) ?? x.dtype;
  if (!dtype.is_floating_point) {
    throw new RuntimeError(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${cTypeName(dtype)}`,
    );
  }
  const keepdim = keepOf(keep);
  const src = x.dtype === dtype ? x : x.to(dtype);
  const dims = dimsOf(x, dim);
  const n = dims.reduce((a, d) => a * x._shape[d]!, 1);
  const s = reduceKernel(src, 'sum', dims, keepdim, dtype);
  const out = no_grad(() => s.div_(n));
  const shape = x._shape.slice();
  record(dim === undefined || dim === null ? 'MeanBackward0' : 'MeanBackward1', [src], [out], [], ([g]) => [
    expandBack(g!.div(n), shape, dims, keepdim),
  ]);
  return out;
}

export function prod(x: Tensor, dim?: number | null, keep?: KeepOpts): Tensor {
  const keepdim = keepOf(keep);
  const dtype = dtypeOf(keep) ?? (x.dtype.is_floating_point ? x.dtype : dt.int64);
  const src = x.dtype === dtype ? x : x.to(dtype);
  const full = dim === undefined || dim === null;
  const dims = full ? normDims(null, x.dim()) : [normDim(dim, x.dim())];
  const out = reduceKernel(src, 'prod', dims, keepdim, dtype);
  const shape = x._shape.slice();
  record(full ? 'ProdBackward0' : 'ProdBackward1', [src], [out], [src], ([g], [s]) => {
    // the product of all other elements, exact with zeros: exclusive cumprods from both sides
    const flat = full ? s!.reshape(-1) : s!;
    const d = full ? 0 : dims[0]!;
    const n = flat._shape[d] ?? 1;
    const ones = flat.narrow(d, 0, 1).mul(0).add(1);
    const left = n > 1 ? cat([ones, flat.narrow(d, 0, n - 1).cumprod(d)], d) : ones;
    const rev = flat.flip(d);
    const right = n > 1 ? cat([ones, rev.narrow(d, 0, n - 1).cumprod(d)], d).flip(d) : ones;
    const others = left.mul(right).reshape(shape);
    return [expandBack(g!, shape, dims, keepdim).mul(others)];
  });
  return out;
}

/** Spreads `g` evenly over the positions equal to the reduced value (ties share). */
function evenly(g: Tensor, x: Tensor, out: Tensor, dims: number[], keepdim: boolean): Tensor {
  const shape = x._shape;
  const mask = x.eq(expandBack(out, shape, dims, keepdim)).to(g.dtype);
  const count = mask.sum(dims, true);
  return expandBack(g, shape, dims, keepdim).mul(mask).div(count);
}

function extreme(x: Tensor, op: 'max' | 'min', dim: Dims | null | undefined, keep: KeepOpts, node: string): Tensor {
  const keepdim = keepOf(keep);
  const dims = dimsOf(x, dim);
  if (x.numel() === 0 && (dim === undefined || dim === null)) {
    throw new RuntimeError(
      `${op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
    );
  }
  const out = reduceKernel(x, op, dims, keepdim, x.dtype);
  record(node, [x], [out], [x, out], ([g], [xs, o]) => [evenly(g!, xs!, o!, dims, keepdim)]);
  return out;
}

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as const, { values, indices });
}

/** max/min along one dim: values and indices (first occurrence; NaN wins, as in PyTorch). */
export function argExtreme(x: Tensor, op: 'max' | 'min', dim: number, keepdim: boolean, wantValues: boolean): ValuesIndices {
  const d = normDim(dim, x.dim());
  const n = x.dim() === 0 ? 1 : x._shape[d]!;
  if (n === 0) {
    throw new IndexError(`${op}(): Expected reduction dim ${d} to have non-zero size.`);
  }
  const src = x.dim() === 0 ? x.reshape(1) : x;
  const moved = src.movedim(d, -1);
  const outShape = reducedShape(src._shape, [d], keepdim && x.dim() > 0);
  const values = emptyTensor(outShape, x.dtype, x.device);
  const indices = emptyTensor(outShape, dt.int64, x.device);
  const kShape = moved._shape.slice(0, -1);
  const strip = (t: Tensor) => ({ ...viewOf(t), shape: kShape, strides: keepdim && x.dim() > 0 ? t._strides.filter((_, i) => i !== d) : t._strides });
  backendFor(x.device).argreduce(op, viewOf(moved), wantValues ? strip(values) : null, strip(indices));
  if (wantValues) {
    const shape = x._shape.slice();
    record(op === 'max' ? 'MaxBackward0' : 'MinBackward0', [x], [values], [indices], ([g], [idx]) => {
      let gg = g!;
      let ii = idx!;
      if (!keepdim && x.dim() > 0) {
        gg = gg.unsqueeze(d);
        ii = ii.unsqueeze(d);
      }
      const z = gg.new_zeros(x.dim() === 0 ? [1] : shape);
      return [z.scatter(x.dim() === 0 ? 0 : d, x.dim() === 0 ? ii.reshape(1) : ii, x.dim() === 0 ? gg.reshape(1) : gg).reshape(shape)];
    });
  }
  return valuesIndices(values, indices);
}

export function max(x: Tensor, dim?: number | Tensor, keep?: KeepOpts): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return x.maximum(dim);
  if (dim === undefined) return extreme(x, 'max', null, false, 'MaxBackward1');
  return argExtreme(x, 'max', dim, keepOf(keep), true);
}

export function min(x: Tensor, dim?: number | Tensor, keep?: KeepOpts): Tensor | ValuesIndices {
  if (dim instanceof Tensor) return x.minimum(dim);
  if (dim === undefined) return extreme(x, 'min', null, false, 'MinBackward1');
  return argExtreme(x, 'min', dim, keepOf(keep), true);
}

export function amax(x: Tensor, dim?: Dims | null, keep?: KeepOpts): Tensor {
  return extreme(x, 'max', dim, keep, 'AmaxBackward0');
}
export function amin(x: Tensor, dim?: Dims | null, keep?: KeepOpts): Tensor {
  return extreme(x, 'min', dim, keep, 'AminBackward0');
}

function noBoolArg(x: Tensor, op: string): void {
  if (x.dtype === dt.bool) throw new RuntimeError(`"${op}_cpu" not implemented for 'Bool'`);
}
export function argmax(x: Tensor, dim?: number | null, keep?: KeepOpts): Tensor {
  noBoolArg(x, 'argmax');
  if (dim === undefined || dim === null) return argExtreme(x.reshape(-1), 'max', 0, false, false).indices;
  return argExtreme(x, 'max', dim, keepOf(keep), false).indices;
}
export function argmin(x: Tensor, dim?: number | null, keep?: KeepOpts): Tensor {
  noBoolArg(x, 'argmin');
  if (dim === undefined || dim === null) return argExtreme(x.reshape(-1), 'min', 0, false, false).indices;
  return argExtreme(x, 'min', dim, keepOf(keep), false).indices;
}

// uint8 inputs keep uint8 results, as in PyTorch
export function all(x: Tensor, dim?: Dims | null, keep?: KeepOpts): Tensor {
  return reduceKernel(x, 'all', dimsOf(x, dim), keepOf(keep), x.dtype === dt.uint8 ? dt.uint8 : dt.bool);
}
export function any(x: Tensor, dim?: Dims | null, keep?: KeepOpts): Tensor {
  return reduceKernel(x, 'any', dimsOf(x, dim), keepOf(keep), x.dtype === dt.uint8 ? dt.uint8 : dt.bool);
}

type VarOpts = boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean } | undefined;

function varArgs(x: Tensor, dim: Dims | null | undefined, opts: VarOpts): { dims: number[]; correction: number; keepdim: boolean; n: number } {
  if (!x.dtype.is_floating_point) {
    throw new RuntimeError(`std and var only support floating point and complex dtypes`);
  }
  const o = typeof opts === 'boolean' ? { unbiased: opts } : (opts ?? {});
  const dims = dimsOf(x, dim);
  return {
    dims,
    correction: o.correction ?? (o.unbiased === false ? 0 : 1),
    keepdim: o.keepdim ?? false,
    n: dims.reduce((a, d) => a * x._shape[d]!, 1),
  };
}

/** `x.var(dim, {correction, keepdim})`; a boolean second argument is `unbiased`, as in PyTorch. */
export function var_(x: Tensor, dim?: Dims | null, opts?: VarOpts): Tensor {
  const { dims, correction, keepdim, n } = varArgs(x, dim, opts);
  const denom = Math.max(0, n - correction);
  const out = no_grad(() => {
    const c = x.sub(x.mean(dims, true));
    return c.mul(c).sum(dims, keepdim).div(denom);
  });
  const shape = x._shape.slice();
  record('VarBackward0', [x], [out], [x], ([g], [xs]) => [
    expandBack(g!, shape, dims, keepdim).mul(xs!.sub(xs!.mean(dims, true))).mul(2 / denom),
  ]);
  return out;
}

export function std(x: Tensor, dim?: Dims | null, opts?: VarOpts): Tensor {
  const { dims, correction, keepdim, n } = varArgs(x, dim, opts);
  const denom = Math.max(0, n - correction);
  const out = no_grad(() => var_(x, dims, { correction, keepdim }).sqrt_());
  const shape = x._shape.slice();
  record('StdBackward0', [x], [out], [x, out], ([g], [xs, o]) => [
    expandBack(g!.div(o!), shape, dims, keepdim).mul(xs!.sub(xs!.mean(dims, true))).div(denom),
  ]);
  return out;
}

export function logsumexp(x: Tensor, dim: Dims, keep?: KeepOpts): Tensor {
  const keepdim = keepOf(keep);
  const dims = dimsOf(x, dim);
  const src = x.dtype.is_floating_point ? x : x.to(dt.get_default_dtype());
  const out = no_grad(() => {
    if (src.numel() === 0) return src.exp().sum(dims, keepdim).log();
    // shift by the max (infinite maxima shift by 0) so exp cannot overflow
    const a = src.amax(dims, true);
    const m = a.masked_fill(a.isinf(), 0);
    const r = src.sub(m).exp().sum(dims, true).log().add(m);
    return keepdim ? r : dims.length ? r.squeeze(dims) : r;
  });
  const shape = x._shape.slice();
  record('LogsumexpBackward0', [src], [out], [src, out], ([g], [xs, o]) => [
    expandBack(g!, shape, dims, keepdim).mul(xs!.sub(expandBack(o!, shape, dims, keepdim)).exp()),
  ]);
  return out;
}

/** p-norms over all elements or `dim`: 2 ('fro'), 1, ±Infinity, 0 and general p (NormBackward1). */
export function norm(x: Tensor, p: number | 'fro', dim?: Dims | null, keep?: KeepOpts): Tensor {
  const keepdim = keepOf(keep);
  if (!x.dtype.is_floating_point) {
    throw new RuntimeError(`linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${cTypeName(x.dtype)}`);
  }
  const dims = dimsOf(x, dim);
  const pn = p === 'fro' ? 2 : p;
  const out = no_grad(() => {
    const a = x.abs();
    if (pn === 2) return a.mul(a).sum(dims, keepdim).sqrt();
    if (pn === Infinity) return a.amax(dims, keepdim);
    if (pn === -Infinity) return a.amin(dims, keepdim);
    if (pn === 0) return a.ne(0).to(x.dtype).sum(dims, keepdim);
    if (pn === 1) return a.sum(dims, keepdim);
    return a.pow(pn).sum(dims, keepdim).pow(1 / pn);
  });
  const shape = x._shape.slice();
  record('NormBackward1', [x], [out], [x, out], ([g], [xs, o]) => {
    const gx = expandBack(g!, shape, dims, keepdim);
    const ox = expandBack(o!, shape, dims, keepdim);
    if (pn === 0) return [gx.mul(0)];
    if (pn === 1) return [gx.mul(xs!.sgn())];
    if (pn === Infinity || pn === -Infinity) {
      const hit = xs!.abs().eq(ox).to(xs!.dtype);
      return [gx.mul(xs!.sgn()).mul(hit).div(hit.sum(dims, true))];
    }
    // d|x|_p / dx = x |x|^(p-2) / |x|_p^(p-1), zero where the norm is zero
    const scaled = xs!.mul(xs!.abs().pow(pn - 2)).div(ox.pow(pn - 1));
    return [gx.mul(scaled.masked_fill(ox.eq(0), 0))];
  });
  return out;
}

export { numelOf };
