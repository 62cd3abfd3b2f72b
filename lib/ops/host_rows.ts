/**
 * Reading a tensor as rows along one dim on the host, and building results back from rows: the
 * plumbing of the ops that need per-slice control flow (mode, median, cummax, unique, ...) the
 * scalar algebra cannot express. Reads block as `item()` does, also for 'cuda' tensors.
 */

import type { DType, TypedArray } from '../dtype.js';
import type { Device } from '../device.js';
import { Tensor, type ValuesIndices } from '../tensor.js';
import { readValues } from './copy.js';
import { fromValues } from './creation.js';
import { scatterAddAlong } from './sort.js';
import { record } from './dispatch.js';

export interface Rows {
  /** Row-major values, `rows` rows of `n`. */
  vals: TypedArray;
  rows: number;
  n: number;
  /** x's shape with dim d moved last (a 0-d tensor reads as [1]). */
  lastShape: number[];
}

/** x's values with dim `d` moved last, as contiguous rows. */
export function rowsOf(x: Tensor, d: number): Rows {
  const t = x.dim() === 0 ? x.reshape([1]) : x.movedim(d, -1);
  const lastShape = t._shape.slice();
  const n = lastShape[lastShape.length - 1]!;
  const vals = readValues(t);
  return { vals, rows: n === 0 ? 0 : vals.length / n, n, lastShape };
}

/**
 * A tensor from rows laid out with the reduced/scanned dim last: `lastShape` is that layout;
 * the dim goes back to `d` (or is dropped when `drop`, or is kept as size 1 when its row length is 1).
 */
export function fromRows(vals: TypedArray, lastShape: readonly number[], dtype: DType, device: Device, d: number, ndim: number, drop = false): Tensor {
  const t = fromValues(vals, lastShape.slice(), dtype, device);
  if (ndim === 0) return t.reshape([]);
  if (drop) return t.squeeze(-1).contiguous();
  return d === ndim - 1 ? t : t.movedim(-1, d).contiguous();
}

/** NaN sorts as the largest value, as in PyTorch's sort. */
export function nanLast(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `(values, indices)` as PyTorch's named tuple. */
export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  return Object.assign([values, indices] as const, { values, indices });
}

/**
 * Records the backward of an op that picks one element per slice along `d` (median, mode,
 * kthvalue): the gradient goes back to the picked index.
 */
export function recordSelect(name: string, x: Tensor, values: Tensor, indices: Tensor, d: number, keepdim: boolean): void {
  const shape = x._shape.slice();
  record(name, [x], [values], [indices], ([g], [idx]) => {
    if (shape.length === 0) return [g!.reshape([])];
    const gk = keepdim ? g! : g!.unsqueeze(d);
    const ik = keepdim ? idx! : idx!.unsqueeze(d);
    return [scatterAddAlong(shape, d, ik, gk)];
  });
}

/**
 * `r` under PyTorch's node name, for an op composed of other ops: one pass-through node on top of
 * the composite's graph, so `grad_fn.name()` reads as PyTorch's (its next_functions still show
 * the composite). Returns `r` itself when no graph was recorded.
 */
export function asNode(name: string, r: Tensor): Tensor {
  if (!r.requires_grad) return r;
  const out = new Tensor(r._storage, r.device, r._shape.slice(), r._strides.slice(), r._offset);
  record(name, [r], [out], [], ([g]) => [g!]);
  return out;
}
