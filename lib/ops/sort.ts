/**
 * Sorting (`sort`, `argsort` through it, `topk`) and the index plumbing they share with flip and
 * repeat_interleave: reading a tensor through computed element offsets (the backend's `take`)
 * and adding a gradient back through them (its `put`). Offsets are built with int64 tensor ops
 * on the tensor's own device, so nothing is read back to the host.
 */

import type { View } from '../backend.js';
import { int64 } from '../dtype.js';
import { backendFor, type Device } from '../device.js';
import { RuntimeError } from '../errors.js';
import { contiguousStrides, normDim, numelOf } from '../shape.js';
import type { Tensor, ValuesIndices } from '../tensor.js';
import { emptyTensor, record, viewOf } from './dispatch.js';
import { arange, full, zeros } from './creation.js';
import { no_grad } from '../autograd/grad_mode.js';

/** @internal A kernel view of `t` with dim `d` moved last (0-d tensors read as shape [1]). */
export function lastDimView(t: Tensor, d: number): View {
  if (t._shape.length === 0) return { ...viewOf(t), shape: [1], strides: [1] };
  const order = t._shape.map((_, i) => i).filter((i) => i !== d);
  order.push(d);
  return { ...viewOf(t), shape: order.map((i) => t._shape[i]!), strides: order.map((i) => t._strides[i]!) };
}

/** int64 element offsets `offset + Σ_k i_k * strides[k]` for every multi-index of `shape`. */
function stridedOffsets(shape: readonly number[], strides: readonly number[], offset: number, device: Device): Tensor {
  let o = full([], offset, { dtype: int64, device });
  shape.forEach((n, k) => {
    if (n === 1 || strides[k] === 0) return;
    const at = shape.map((_, j) => (j === k ? n : 1));
    o = o.add(arange(n, { dtype: int64, device }).mul(strides[k]!).view(at));
  });
  return o.expand(shape).contiguous();
}

/**
 * @internal A new contiguous tensor of `shape` reading `src`'s storage at the strided pattern
 * (`strides` may be negative: flip reads backwards). Not recorded.
 */
export function takeStrided(src: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const out = emptyTensor(shape, src.dtype, src.device);
  if (numelOf(shape) === 0) return out;
  const offs = stridedOffsets(shape, strides, offset, src.device);
  backendFor(src.device).take(src._storage, viewOf(offs), viewOf(out));
  return out;
}

/**
 * @internal `src.gather(d, index)` for an int64 `index` with src's rank: out = src[.., index[..], ..].
 * Recorded as GatherBackward0 (its backward is scatterAddAlong), so double backward works.
 */
export function gatherAlong(src: Tensor, d: number, index: Tensor): Tensor {
  const out = emptyTensor(index._shape, src.dtype, src.device);
  if (out.numel() > 0) {
    const strides = src._strides.map((s, k) => (k === d ? 0 : s));
    const offs = no_grad(() => stridedOffsets(index._shape, strides, src._offset, src.device).add(index.mul(src._strides[d]!)));
    backendFor(src.device).take(src._storage, viewOf(offs), viewOf(out));
  }
  const shape = src._shape.slice();
  record('GatherBackward0', [src], [out], [index], ([g], [idx]) => [scatterAddAlong(shape, d, idx!, g!)]);
  return out;
}

/**
 * @internal Zeros of `shape` with `values` added at `index` along `d` (repeated indices add up),
 * as `zeros(shape).scatter_add(d, index, values)`. Recorded as ScatterAddBackward0.
 */
export function scatterAddAlong(shape: readonly number[], d: number, index: Tensor, values: Tensor): Tensor {
  const out = zeros(shape.slice(), { dtype: values.dtype, device: values.device });
  if (index.numel() > 0) {
    const cs = contiguousStrides(shape);
    const strides = cs.map((s, k) => (k === d ? 0 : s));
    const offs = no_grad(() => stridedOffsets(index._shape, strides, 0, values.device).add(index.mul(cs[d]!)));
    backendFor(values.device).put(out._storage, viewOf(offs), viewOf(values.contiguous()), true);
  }
  record('ScatterAddBackward0', [values], [out], [index], ([g], [idx]) => [gatherAlong(g!, d, idx!)]);
  return out;
}

function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as const, { values, indices });
}

/** Sorted values and indices along `d` (a new contiguous pair), not recorded. */
function sortRaw(x: Tensor, d: number, descending: boolean): [Tensor, Tensor] {
  const values = emptyTensor(x._shape, x.dtype, x.device);
  const indices = emptyTensor(x._shape, int64, x.device);
  if (x.numel() > 0) {
    backendFor(x.device).sort(lastDimView(x, d), lastDimView(values, d), lastDimView(indices, d), descending);
  }
  return [values, indices];
}

type SortOptions = { dim?: number; descending?: boolean; stable?: boolean };

/**
 * `torch.sort(input, dim=-1, descending=False, stable=False)`: sorted values and the indices
 * they came from, as a `(values, indices)` named tuple. NaN sorts as the largest value.
 * Differs from PyTorch: the sort is always stable (PyTorch only promises it with `stable`).
 * Keyword arguments may be given as an options object in place of `dim`.
 * @example const [v, i] = torch.sort(x, 0, true); x.sort({dim: 1, descending: true}).indices
 */
export function sort(x: Tensor, dim?: number | SortOptions, descending?: boolean): ValuesIndices {
  const o: SortOptions = typeof dim === 'object' && dim !== null ? dim : { dim: dim ?? -1, descending: descending ?? false };
  const d = normDim(o.dim ?? -1, x.dim());
  const [values, indices] = sortRaw(x, d, o.descending ?? false);
  const shape = x._shape.slice();
  // PyTorch's overload with `stable` records SortBackward1
  record(o.stable === undefined ? 'SortBackward0' : 'SortBackward1', [x], [values], [indices], ([g], [idx]) => [
    shape.length === 0 ? g! : scatterAddAlong(shape, d, idx!, g!),
  ]);
  return valuesIndices(values, indices);
}

type TopkOptions = { dim?: number; largest?: boolean; sorted?: boolean };

/**
 * `torch.topk(input, k, dim=-1, largest=True, sorted=True)`: the `k` largest (or smallest)
 * values along `dim` and their indices. NaN counts as larger than every number.
 * Differs from PyTorch: results are always sorted (`sorted: false` allows any order), and
 * ties keep their original order.
 * @example const {values, indices} = x.topk(3); torch.topk(x, 2, {dim: 0, largest: false})
 */
export function topk(
  x: Tensor,
  k: number,
  dim?: number | TopkOptions,
  largest?: boolean,
  sorted?: boolean,
): ValuesIndices {
  const o: TopkOptions = typeof dim === 'object' && dim !== null ? dim : { dim: dim ?? -1, largest: largest ?? true, sorted: sorted ?? true };
  const d = normDim(o.dim ?? -1, x.dim());
  const n = x.dim() === 0 ? 1 : x._shape[d]!;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RuntimeError('selected index k out of range');
  const [sv, si] = sortRaw(x, d, o.largest ?? true);
  const [values, indices] =
    k === n || x.dim() === 0 ? [sv, si] : no_grad(() => [sv.narrow(d, 0, k).clone(), si.narrow(d, 0, k).clone()]);
  const shape = x._shape.slice();
  record('TopkBackward0', [x], [values], [indices], ([g], [idx]) => [
    shape.length === 0 ? g! : scatterAddAlong(shape, d, idx!, g!),
  ]);
  return valuesIndices(values, indices);
}
