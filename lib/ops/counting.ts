/**
 * Counting and searching: `unique`, `unique_consecutive`, `bincount`, `histc`, `searchsorted`,
 * `bucketize`, `isin`. Their output sizes depend on the values, so they run on the host (reads
 * block, as `item()` does, also for 'cuda' tensors) and are not differentiable, as in PyTorch.
 */

import * as dt from '../dtype.js';
import type { DType } from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { normDim, sameShape } from '../shape.js';
import { Tensor, type Scalar } from '../tensor.js';
import { readValues } from './copy.js';
import { fromValues, tensor } from './creation.js';
import { cTypeName } from './pointwise.js';
import { nanLast } from './host_rows.js';
import { pyArgs } from '../nn/_args.js';

function typed(dtype: DType, vals: ArrayLike<number>): dt.TypedArray {
  const a = new dtype.array(vals.length);
  a.set(vals);
  return a;
}
const int64Of = (vals: ArrayLike<number>, shape: number[], x: Tensor, dtype: DType = dt.int64): Tensor =>
  fromValues(typed(dtype, vals), shape, dtype, x.device);

// ---- unique ----

export interface UniqueOptions { sorted?: boolean; return_inverse?: boolean; return_counts?: boolean; dim?: number | null }
type UniqueArgs = [sorted?: boolean | UniqueOptions, return_inverse?: boolean | UniqueOptions, return_counts?: boolean | UniqueOptions, dim?: number | null | UniqueOptions, opts?: UniqueOptions];

/** The slices of `x` along `d` as rows of values (the whole tensor flattened, one value a row, when d is null). */
function slicesOf(x: Tensor, d: number | null): { rows: number[][]; count: number } {
  if (d === null) {
    const v = readValues(x);
    return { rows: Array.from(v, (e) => [e]), count: v.length };
  }
  const t = x.movedim(d, 0);
  const count = t._shape[0]!;
  const v = readValues(t);
  const w = count === 0 ? 0 : v.length / count;
  return { rows: Array.from({ length: count }, (_, i) => Array.from(v.subarray(i * w, (i + 1) * w))), count };
}

/** Lexicographic order of rows, NaN last; NaN never equals NaN (each is its own unique value). */
function cmpRows(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = nanLast(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}
const sameRow = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => v === b[i]);

/** Unique rows of a grouping `order` (consecutive equal rows merge), with the inverse and counts. */
function groupRows(x: Tensor, d: number | null, order: number[], rows: number[][], count: number, opts: UniqueOptions): Tensor | Tensor[] {
  const groups: number[] = []; // the first row of each group
  const counts: number[] = [];
  const inverse = new Float64Array(count);
  for (const i of order) {
    const g = groups.length - 1;
    if (g >= 0 && sameRow(rows[groups[g]!]!, rows[i]!)) {
      counts[g]!++;
      inverse[i] = g;
    } else {
      groups.push(i);
      counts.push(1);
      inverse[i] = groups.length - 1;
    }
  }
  const flat = groups.flatMap((i) => rows[i]!);
  let out: Tensor;
  if (d === null) out = fromValues(typed(x.dtype, flat), [groups.length], x.dtype, x.device);
  else {
    const rest = x._shape.filter((_, k) => k !== d);
    out = fromValues(typed(x.dtype, flat), [groups.length, ...rest], x.dtype, x.device).movedim(0, d).contiguous();
  }
  const res = [out];
  if (opts.return_inverse) res.push(int64Of(inverse, d === null ? x._shape.slice() : [count], x));
  if (opts.return_counts) res.push(int64Of(counts, [counts.length], x));
  return res.length === 1 ? out : res;
}

function uniqueOpts(args: readonly unknown[], names: readonly (keyof UniqueOptions)[]): UniqueOptions {
  return pyArgs<UniqueOptions>(names, args);
}

/**
 * `torch.unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None)`: the
 * distinct values (or distinct slices along `dim`), sorted; with `return_inverse` / `return_counts`
 * an array `[output, inverse_indices?, counts?]`.
 * Differs from PyTorch: the output is always sorted (PyTorch's `sorted=False` order is
 * unspecified), and NaNs come last, each its own value (PyTorch 1.13 puts them first).
 * @example torch.unique(torch.tensor([3, 1, 3])) // tensor([1, 3])
 * @example const [u, inv, counts] = torch.unique(x, {return_inverse: true, return_counts: true})
 */
export function unique(x: Tensor, opts?: { sorted?: boolean; return_inverse?: false; return_counts?: false; dim?: number | null }): Tensor;
export function unique(x: Tensor, ...args: UniqueArgs): Tensor | Tensor[];
export function unique(x: Tensor, ...args: UniqueArgs): Tensor | Tensor[] {
  const o = uniqueOpts(args, ['sorted', 'return_inverse', 'return_counts', 'dim']);
  const d = o.dim === undefined || o.dim === null ? null : normDim(o.dim, x.dim());
  const { rows, count } = slicesOf(x, d);
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => cmpRows(rows[a]!, rows[b]!) || a - b);
  return groupRows(x, d, order, rows, count, o);
}

/**
 * `torch.unique_consecutive(input, return_inverse=False, return_counts=False, dim=None)`: merges
 * runs of equal consecutive values (or slices along `dim`), keeping their order.
 * @example torch.unique_consecutive(torch.tensor([1, 1, 2, 1])) // tensor([1, 2, 1])
 */
export function unique_consecutive(x: Tensor, opts?: { return_inverse?: false; return_counts?: false; dim?: number | null }): Tensor;
export function unique_consecutive(x: Tensor, ...args: [return_inverse?: boolean | UniqueOptions, return_counts?: boolean | UniqueOptions, dim?: number | null | UniqueOptions, opts?: UniqueOptions]): Tensor | Tensor[];
export function unique_consecutive(x: Tensor, ...args: (boolean | number | null | UniqueOptions | undefined)[]): Tensor | Tensor[] {
  const o = uniqueOpts(args, ['return_inverse', 'return_counts', 'dim']);
  const d = o.dim === undefined || o.dim === null ? null : normDim(o.dim, x.dim());
  const { rows, count } = slicesOf(x, d);
  return groupRows(x, d, Array.from({ length: count }, (_, i) => i), rows, count, o);
}

// ---- histograms ----

/**
 * `torch.bincount(input, weights=None, minlength=0)`: how often each value 0..max occurs in a 1-D
 * tensor of non-negative integers (int64), or the sums of `weights` per value (the weights'
 * float dtype; float64 for integer weights).
 * @example torch.bincount(torch.tensor([0, 2, 2])) // tensor([1, 0, 2])
 */
export function bincount(x: Tensor, weights?: Tensor | null | { weights?: Tensor | null; minlength?: number }, minlength?: number | { minlength?: number }): Tensor {
  const o = pyArgs<{ weights: Tensor | null; minlength: number }>(['weights', 'minlength'], [weights, minlength]);
  const w = o.weights ?? null;
  const minLen = o.minlength ?? 0;
  if (x.dtype.is_floating_point || x.dtype === dt.bool) throw new RuntimeError(`"bincount_cpu" not implemented for '${cTypeName(x.dtype)}'`);
  if (minLen < 0) throw new RuntimeError('minlength should be >= 0');
  const vals = readValues(x);
  if (x.dim() !== 1 || vals.some((v) => v < 0)) throw new RuntimeError('bincount only supports 1-d non-negative integral inputs.');
  if (w !== null && (w.dim() !== 1 || w.numel() !== x.numel())) throw new RuntimeError('weights should be 1-d and have the same length as input');
  let len = minLen;
  for (const v of vals) if (v + 1 > len) len = v + 1;
  const outDtype = w === null ? dt.int64 : w.dtype === dt.float32 ? dt.float32 : dt.float64;
  const out = new outDtype.array(len);
  const wv = w === null ? null : readValues(w);
  for (let i = 0; i < vals.length; i++) out[vals[i]!] += wv === null ? 1 : wv[i]!;
  return fromValues(out, [len], outDtype, x.device);
}

export interface HistcOptions { bins?: number; min?: number; max?: number }

/**
 * `torch.histc(input, bins=100, min=0, max=0)`: a histogram of `bins` equal bins over [min, max]
 * (the data's range when min == max); values outside are ignored, `max` falls in the last bin.
 * Floating point only; the result has the input's dtype.
 * Differs from PyTorch: NaNs are ignored (PyTorch 1.13 counts them in an arbitrary bin).
 * @example torch.histc(torch.tensor([1, 2, 1], {dtype: torch.float32}), 4, 0, 3) // tensor([0., 2., 1., 0.])
 */
export function histc(x: Tensor, ...args: [bins?: number | HistcOptions, min?: number | HistcOptions, max?: number | HistcOptions, opts?: HistcOptions]): Tensor {
  const o = pyArgs<HistcOptions>(['bins', 'min', 'max'], args);
  const bins = o.bins ?? 100;
  if (!x.dtype.is_floating_point) throw new RuntimeError(`"histogram_cpu" not implemented for '${cTypeName(x.dtype)}'`);
  if (bins <= 0) throw new RuntimeError(`torch.histogram(): bins must be > 0, but got ${bins} for dimension 0`);
  let lo = o.min ?? 0;
  let hi = o.max ?? 0;
  if (lo > hi) throw new RuntimeError('torch.histc: max must be larger than min');
  const vals = readValues(x);
  if (lo === hi && vals.length > 0) {
    lo = Infinity;
    hi = -Infinity;
    for (const v of vals) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === hi) {
    lo -= 1;
    hi += 1;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new RuntimeError(`torch.histc: range of [${lo}, ${hi}] is not finite`);
  const out = new x.dtype.array(bins);
  // the bin edges as PyTorch computes them in the input's precision
  const cast = x.dtype === dt.float32 ? Math.fround : (v: number) => v;
  for (const v of vals) {
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.floor(cast(cast((v - lo) * bins) / (hi - lo)));
    if (b >= bins) b = bins - 1;
    out[b]! += 1;
  }
  return fromValues(out, [bins], x.dtype, x.device);
}

// ---- searching ----

export interface SearchOptions { out_int32?: boolean; right?: boolean; side?: 'left' | 'right' | null; sorter?: Tensor | null }

/**
 * First position in the sorted `seq[base .. base+n)` (read through `perm`) where v fits, with
 * PyTorch's predicates (`!(s >= v)` / `!(s > v)`), which also fix where NaN lands.
 */
function bound(seq: ArrayLike<number>, base: number, n: number, v: number, right: boolean, perm: ArrayLike<number> | null): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const s = seq[base + (perm ? perm[base + mid]! : mid)]!;
    if (right ? !(s > v) : !(s >= v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `torch.searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None,
 * sorter=None)`: where each value would be inserted to keep the (last-dim) sorted sequence
 * sorted: the first such index, or the last with `right` / `side: 'right'`.
 * @example torch.searchsorted(torch.tensor([1, 3, 5]), torch.tensor([3, 6])) // tensor([1, 3])
 */
export function searchsorted(seq: Tensor, values: Tensor | Scalar, opts: SearchOptions = {}): Tensor {
  if (opts.side !== undefined && opts.side !== null && opts.side !== 'left' && opts.side !== 'right') {
    throw new RuntimeError(`torch.searchsorted(): side can only be 'left' or 'right' but got ${String(opts.side)}`);
  }
  if (opts.side && opts.right !== undefined && (opts.side === 'right') !== opts.right) {
    throw new RuntimeError(`torch.searchsorted(): side and right can't be set to opposites, got side of ${opts.side} while right was ${opts.right ? 'True' : 'False'}`);
  }
  const right = opts.side ? opts.side === 'right' : (opts.right ?? false);
  const v = values instanceof Tensor ? values : tensor(values, { device: seq.device });
  if (seq.dim() === 0) throw new RuntimeError('torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension');
  if (seq.dim() !== 1 && (seq.dim() !== v.dim() || !sameShape(seq._shape.slice(0, -1), v._shape.slice(0, -1)))) {
    throw new RuntimeError(
      `torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor [${seq._shape.join(', ')}] and input value tensor [${v._shape.join(', ')}]`,
    );
  }
  if (opts.sorter && !sameShape(opts.sorter._shape, seq._shape)) {
    throw new RuntimeError('torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor ' +
      `[${seq._shape.join(', ')}]and got sorter tensor [${opts.sorter._shape.join(', ')}]`);
  }
  const s = readValues(seq);
  const perm = opts.sorter ? readValues(opts.sorter) : null;
  const vv = readValues(v);
  const n = seq._shape[seq.dim() - 1]!;
  const perRow = seq.dim() === 1 ? vv.length : (v._shape[v.dim() - 1] ?? 1);
  const out = new Float64Array(vv.length);
  for (let i = 0; i < vv.length; i++) {
    const base = seq.dim() === 1 ? 0 : Math.floor(i / perRow) * n;
    out[i] = bound(s, base, n, vv[i]!, right, perm);
  }
  return int64Of(out, v._shape.slice(), v, opts.out_int32 ? dt.int32 : dt.int64);
}

/**
 * `torch.bucketize(input, boundaries, *, out_int32=False, right=False)`: the bucket of each
 * value among the sorted 1-D `boundaries` (`searchsorted(boundaries, input)`).
 * @example torch.bucketize(torch.tensor([3, 6]), torch.tensor([1, 3, 5])) // tensor([1, 3])
 */
export function bucketize(x: Tensor | Scalar, boundaries: Tensor, opts: { out_int32?: boolean; right?: boolean } = {}): Tensor {
  if (boundaries.dim() !== 1) throw new RuntimeError(`boundaries tensor must be 1 dimension, but got dim(${boundaries.dim()})`);
  return searchsorted(boundaries, x, opts);
}

/**
 * `torch.isin(elements, test_elements, *, assume_unique=False, invert=False)`: whether each
 * element occurs in `test_elements` (a bool tensor of elements' shape; NaN matches nothing).
 * @example torch.isin(torch.tensor([1, 2, 3]), torch.tensor([2, 5])) // tensor([False,  True, False])
 */
export function isin(elements: Tensor | Scalar, test: Tensor | Scalar, opts: { assume_unique?: boolean; invert?: boolean } = {}): Tensor {
  if (!(elements instanceof Tensor) && !(test instanceof Tensor)) {
    throw new TypeError('isin() received an invalid combination of arguments - got (number, number)');
  }
  const like = (elements instanceof Tensor ? elements : test) as Tensor;
  const e = elements instanceof Tensor ? elements : tensor(elements, { device: like.device });
  // NaN matches nothing (a Set would match it)
  const set = new Set(Array.from(test instanceof Tensor ? readValues(test) : [+test]).filter((v) => !Number.isNaN(v)));
  const ev = readValues(e);
  const out = new Uint8Array(ev.length);
  for (let i = 0; i < ev.length; i++) out[i] = set.has(ev[i]!) !== (opts.invert ?? false) ? 1 : 0;
  return fromValues(out, e._shape.slice(), dt.bool, e.device);
}
