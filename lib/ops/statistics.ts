/**
 * Order statistics and NaN-aware reductions: `median`, `nanmedian`, `mode`, `kthvalue`,
 * `quantile`, `nanquantile`, `msort`, `nansum`, `nanmean`, `count_nonzero`, `aminmax`, `cov`,
 * `corrcoef`, `trace`. Quantiles, the NaN reductions, cov and trace compose differentiable ops;
 * the per-slice selections (median, mode, kthvalue) run on the host and record a backward that
 * sends the gradient to the picked element, as PyTorch's do.
 */

import * as dt from '../dtype.js';
import type { DType } from '../dtype.js';
import { IndexError, RuntimeError } from '../errors.js';
import { normDim, normDims } from '../shape.js';
import { Tensor, type Dims, type ValuesIndices } from '../tensor.js';
import { record } from './dispatch.js';
import { tensor } from './creation.js';
import { cTypeName } from './pointwise.js';
import { asNode, nanLast, recordSelect, rowsOf, fromRows, valuesIndices } from './host_rows.js';
import { pyArgs } from '../nn/_args.js';
import { no_grad } from '../autograd/grad_mode.js';

export interface KeepdimOptions { dim?: number; keepdim?: boolean }
/** Positional `(dim, keepdim)` or one options object, as Python's `f(x, 1, keepdim=True)`. */
export type DimKeepArgs = [dim?: number | null | KeepdimOptions, keepdim?: boolean | KeepdimOptions, opts?: KeepdimOptions];

function dimKeep(args: readonly unknown[]): { dim: number | null; keepdim: boolean } {
  const o = pyArgs<{ dim: number | null; keepdim: boolean }>(['dim', 'keepdim'], args);
  return { dim: o.dim ?? null, keepdim: o.keepdim ?? false };
}

// ---- selections: median, nanmedian, mode, kthvalue ----

/** Sorted (value, index) of one row, NaN last, ties by position. */
function sortedRow(vals: ArrayLike<number>, base: number, n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => nanLast(vals[base + a]!, vals[base + b]!) || a - b);
  return idx;
}

type Pick = (vals: ArrayLike<number>, base: number, n: number) => number;

/** One picked element per row along `d`: values and int64 indices, recorded as `node`. */
function selectAlong(x: Tensor, d: number, keepdim: boolean, pick: Pick, node: string): ValuesIndices {
  const { vals, rows, n, lastShape } = rowsOf(x, d);
  const outShape = [...lastShape.slice(0, -1), 1];
  const v = new x.dtype.array(rows);
  const ix = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = pick(vals, r * n, n);
    ix[r] = i;
    v[r] = vals[r * n + i]!;
  }
  const nd = x.dim();
  const values = fromRows(v, outShape, x.dtype, x.device, d, nd, !keepdim);
  const indices = fromRows(ix, outShape, dt.int64, x.device, d, nd, !keepdim);
  recordSelect(node, x, values, indices, d, keepdim || nd === 0);
  return valuesIndices(values, indices);
}

function checkNonEmpty(fn: string, x: Tensor, d: number): void {
  if (x.dim() > 0 && x._shape[d] === 0) {
    throw new IndexError(`${fn}(): Expected reduction dim ${d} to have non-zero size.`);
  }
}

const medianPick = (ignoreNan: boolean): Pick => (vals, base, n) => {
  const order = sortedRow(vals, base, n);
  let k = n;
  if (ignoreNan) {
    while (k > 0 && Number.isNaN(vals[base + order[k - 1]!]!)) k--;
    if (k === 0) return order[0]!;
  } else if (Number.isNaN(vals[base + order[n - 1]!]!)) {
    // a NaN anywhere makes the median NaN: PyTorch points at the first NaN
    for (const i of order) if (Number.isNaN(vals[base + i]!)) return i;
  }
  return order[(k - 1) >> 1]!;
};

/** The lower median of all elements as a 0-d tensor; the gradient is shared by the elements equal to it. */
function medianAll(x: Tensor, ignoreNan: boolean, node: string): Tensor {
  const flat = x.reshape([-1]);
  if (flat.numel() === 0) return no_grad(() => x.new_full([], NaN));
  const { values } = no_grad(() => selectAlong(flat.detach(), 0, false, medianPick(ignoreNan), node));
  const out = values;
  record(node, [x], [out], [x, out], ([g], [xs, o]) => {
    const hit = o!.isnan().item() ? xs!.isnan() : xs!.eq(o!);
    return [hit.to(g!.dtype).mul(g!.div(hit.sum()))];
  });
  return out;
}

/**
 * `torch.median(input)`: the lower median (of an even count, the smaller middle value); NaN if
 * any element is NaN. `median(input, dim, keepdim=False)` gives `(values, indices)`.
 * Differs from PyTorch: among equal middle values the index of the first (in order) is returned.
 * @example torch.median(torch.tensor([3, 1, 4, 2])) // tensor(2)
 * @example const [v, i] = torch.median(x, 1, {keepdim: true})
 */
export function median(x: Tensor): Tensor;
export function median(x: Tensor, ...args: [dim: number | KeepdimOptions, keepdim?: boolean | KeepdimOptions, opts?: KeepdimOptions]): ValuesIndices;
export function median(x: Tensor, ...args: DimKeepArgs): Tensor | ValuesIndices {
  return medianImpl(x, args, false);
}

/**
 * `torch.nanmedian(input)`, `nanmedian(input, dim, keepdim=False)`: the median ignoring NaN (NaN
 * only where a slice is all NaN).
 * @example torch.nanmedian(torch.tensor([1, NaN, 3, 2])) // tensor(2.)
 */
export function nanmedian(x: Tensor): Tensor;
export function nanmedian(x: Tensor, ...args: [dim: number | KeepdimOptions, keepdim?: boolean | KeepdimOptions, opts?: KeepdimOptions]): ValuesIndices;
export function nanmedian(x: Tensor, ...args: DimKeepArgs): Tensor | ValuesIndices {
  return medianImpl(x, args, true);
}

function medianImpl(x: Tensor, args: readonly unknown[], ignoreNan: boolean): Tensor | ValuesIndices {
  const { dim, keepdim } = dimKeep(args);
  const name = ignoreNan ? 'Nanmedian' : 'Median';
  if (dim === null) return medianAll(x, ignoreNan, `${name}Backward0`);
  const d = normDim(dim, x.dim());
  checkNonEmpty(ignoreNan ? 'nanmedian' : 'median', x, d);
  return selectAlong(x, d, keepdim, medianPick(ignoreNan), `${name}Backward1`);
}

/**
 * `torch.mode(input, dim=-1, keepdim=False)`: the most frequent value of each slice (the
 * smallest among equally frequent ones) and the index of its last occurrence.
 * @example torch.mode(torch.tensor([3, 1, 3, 2, 1])) // values=tensor(1), indices=tensor(4)
 */
export function mode(x: Tensor, ...args: DimKeepArgs): ValuesIndices {
  const o = pyArgs<{ dim: number | null; keepdim: boolean }>(['dim', 'keepdim'], args);
  const d = normDim(o.dim ?? -1, x.dim());
  checkNonEmpty('mode', x, d);
  return selectAlong(x, d, o.keepdim ?? false, (vals, base, n) => {
    const order = sortedRow(vals, base, n);
    let best = -1;
    let bestCount = 0;
    for (let s = 0; s < n; ) {
      let e = s + 1;
      const v = vals[base + order[s]!]!;
      while (e < n && nanLast(vals[base + order[e]!]!, v) === 0) e++;
      if (e - s > bestCount) {
        bestCount = e - s;
        best = order[e - 1]!; // ties sort by position: the run's last entry is the last occurrence
      }
      s = e;
    }
    return best;
  }, 'ModeBackward0');
}

export interface KthvalueOptions { dim?: number; keepdim?: boolean }

/**
 * `torch.kthvalue(input, k, dim=-1, keepdim=False)`: the k-th smallest value (1-based) of each
 * slice and its index.
 * @example torch.kthvalue(torch.tensor([3, 1, 2]), 2) // values=tensor(2), indices=tensor(2)
 */
export function kthvalue(x: Tensor, k: number, ...args: [dim?: number | KthvalueOptions, keepdim?: boolean | KthvalueOptions, opts?: KthvalueOptions]): ValuesIndices {
  const o = pyArgs<{ dim: number; keepdim: boolean }>(['dim', 'keepdim'], args);
  const d = normDim(o.dim ?? -1, x.dim());
  const n = x.dim() === 0 ? 1 : x._shape[d]!;
  if (!(k >= 1 && k <= n)) throw new RuntimeError(`kthvalue(): selected number k out of range for dimension ${d}`);
  return selectAlong(x, d, o.keepdim ?? false, (vals, base, len) => sortedRow(vals, base, len)[k - 1]!, 'KthvalueBackward0');
}

/**
 * `torch.msort(input)`: sorted along the first dim (`sort(input, 0).values`).
 * @example torch.msort(torch.tensor([[3, 1], [1, 2]])) // tensor([[1, 1], [3, 2]])
 */
export function msort(x: Tensor): Tensor {
  return x.sort(0).values;
}

// ---- quantiles ----

export type Interpolation = 'linear' | 'lower' | 'higher' | 'midpoint' | 'nearest';
export interface QuantileOptions { dim?: number | null; keepdim?: boolean; interpolation?: Interpolation }
export type QuantileArgs = [dim?: number | null | QuantileOptions, keepdim?: boolean | QuantileOptions, opts?: QuantileOptions];

function quantileImpl(x: Tensor, q: number | Tensor, args: readonly unknown[], ignoreNan: boolean): Tensor {
  const fn = ignoreNan ? 'nanquantile' : 'quantile';
  const o = pyArgs<{ dim: number | null; keepdim: boolean; interpolation: Interpolation }>(['dim', 'keepdim'], args);
  const interpolation = o.interpolation ?? 'linear';
  if (x.dtype !== dt.float32 && x.dtype !== dt.float64) {
    throw new RuntimeError(`${fn}() input tensor must be either float or double dtype`);
  }
  if (x.numel() === 0) throw new RuntimeError(`${fn}() input tensor must be non-empty`);
  if (!['linear', 'lower', 'higher', 'midpoint', 'nearest'].includes(interpolation)) {
    throw new RuntimeError(`${fn}() interpolation must be one of linear, lower, higher, midpoint or nearest, but got ${String(interpolation)}`);
  }
  let qt: Tensor;
  if (q instanceof Tensor) {
    if (q.dim() > 1) throw new RuntimeError(`${fn}() q must be a scalar or 1D tensor`);
    if (q.dtype !== x.dtype) throw new RuntimeError(`${fn}() q tensor must be same dtype as the input tensor`);
    const vals = q.numel() > 0 ? q.reshape([-1]).tolist() as number[] : [];
    for (const v of vals) if (!(v >= 0 && v <= 1)) throw new RuntimeError(`${fn}() q values must be in the range [0, 1]`);
    qt = q.reshape([-1]).to(x.device);
  } else {
    if (!(q >= 0 && q <= 1)) throw new RuntimeError(`${fn}() q must be in the range [0, 1] but got ${q}`);
    qt = tensor([q], { dtype: x.dtype, device: x.device });
  }
  const dim = o.dim ?? null;
  const keepdim = o.keepdim ?? false;
  const d = dim === null ? -1 : normDim(dim, x.dim());
  const src = dim === null ? x.reshape([-1]) : x.dim() === 0 ? x.reshape([1]) : x.movedim(d, -1);
  const sorted = src.sort(-1).values;
  const n = src.size(-1);
  const nan = src.isnan();
  const count = ignoreNan ? nan.logical_not().sum(-1, true).to(x.dtype) : src.new_full([...src._shape.slice(0, -1), 1], n);
  // ranks into the sorted valid values, one per q: shape [..., Q]
  const rank = qt.mul(count.sub(1)).clamp(0, null);
  const gatherAt = (r: Tensor) => sorted.gather(-1, r.to(dt.int64).clamp(0, n - 1));
  let out: Tensor;
  if (interpolation === 'lower') out = gatherAt(rank.floor());
  else if (interpolation === 'higher') out = gatherAt(rank.ceil());
  else if (interpolation === 'nearest') out = gatherAt(rank.round());
  else {
    const lo = rank.floor();
    const below = gatherAt(lo);
    const above = gatherAt(rank.ceil());
    const w = interpolation === 'midpoint' ? rank.new_full(rank._shape, 0.5) : rank.sub(lo);
    out = below.lerp(above, w);
  }
  const invalid = ignoreNan ? count.eq(0) : nan.any(-1, true);
  out = out.masked_fill(invalid, NaN);
  // [..., Q] -> [Q, ...] (or [...] for a number q), then the reduced dim back as size 1 with keepdim
  out = q instanceof Tensor ? out.movedim(-1, 0) : out.squeeze(-1);
  if (keepdim) {
    const lead = q instanceof Tensor ? [qt.numel()] : [];
    const kept = dim === null ? x._shape.map(() => 1) : x._shape.map((s, i) => (i === d ? 1 : s));
    out = out.reshape([...lead, ...kept]);
  }
  return q instanceof Tensor && q.dim() === 0 ? out.squeeze(0) : out;
}

/**
 * `torch.quantile(input, q, dim=None, keepdim=False, *, interpolation='linear')`: the q-th
 * quantiles (q a number or a 1-D tensor, in [0, 1]) of all elements or along `dim`; a tensor `q`
 * puts its dim first. NaN where a slice has a NaN. Floating point input only; differentiable.
 * @example torch.quantile(torch.tensor([1, 2, 3, 4], {dtype: torch.float32}), 0.5) // tensor(2.5000)
 */
export function quantile(x: Tensor, q: number | Tensor, ...args: QuantileArgs): Tensor {
  return quantileImpl(x, q, args, false);
}

/**
 * `torch.nanquantile(...)`: `quantile` ignoring NaN (NaN only where a slice is all NaN).
 * @example torch.nanquantile(torch.tensor([1, NaN, 3]), 0.5) // tensor(2.)
 */
export function nanquantile(x: Tensor, q: number | Tensor, ...args: QuantileArgs): Tensor {
  return quantileImpl(x, q, args, true);
}

// ---- NaN-aware and counting reductions ----

export interface ReduceOptions { dim?: Dims | null; keepdim?: boolean; dtype?: DType }
export type ReduceArgs = [dim?: Dims | null | ReduceOptions, keepdim?: boolean | ReduceOptions, opts?: ReduceOptions];

function reduceArgs(args: readonly unknown[]): { dim: Dims | null; keepdim: boolean; dtype: DType | undefined } {
  const o = pyArgs<ReduceOptions>(['dim', 'keepdim'], args);
  return { dim: o.dim ?? null, keepdim: o.keepdim ?? false, dtype: o.dtype };
}

/**
 * `torch.nansum(input, dim=None, keepdim=False, *, dtype=None)`: the sum treating NaN as zero.
 * @example torch.nansum(torch.tensor([1, NaN, 2])) // tensor(3.)
 */
export function nansum(x: Tensor, ...args: ReduceArgs): Tensor {
  const { dim, keepdim, dtype } = reduceArgs(args);
  // where (not masked_fill): its backward multiplies by the mask, so an infinite gradient gives NaN as PyTorch's
  const src = x.dtype.is_floating_point ? x.where(x.isnan().logical_not(), 0) : x;
  return asNode('NansumBackward0', src.sum(dim, dtype ? { keepdim, dtype } : keepdim));
}

/**
 * `torch.nanmean(input, dim=None, keepdim=False, *, dtype=None)`: the mean of the non-NaN
 * elements (NaN where there are none). Floating point input only.
 * @example torch.nanmean(torch.tensor([1, NaN, 2])) // tensor(1.5000)
 */
export function nanmean(x: Tensor, ...args: ReduceArgs): Tensor {
  const { dim, keepdim, dtype } = reduceArgs(args);
  if (!x.dtype.is_floating_point) {
    throw new RuntimeError(`nanmean(): expected input to have floating point dtype but got ${cTypeName(x.dtype)}`);
  }
  const keep = x.isnan().logical_not();
  const n = keep.sum(dim, keepdim);
  return nansum(x, dim, { keepdim, ...(dtype ? { dtype } : {}) }).div(n);
}

/**
 * `torch.count_nonzero(input, dim=None)`: how many elements are non-zero (int64), over all
 * elements or the given dim(s).
 * @example torch.count_nonzero(torch.tensor([[0, 1], [2, 0]]), 0) // tensor([1, 1])
 */
export function count_nonzero(x: Tensor, dim?: Dims | null | { dim?: Dims | null }): Tensor {
  const d = dim !== null && typeof dim === 'object' && !Array.isArray(dim) ? (dim as { dim?: Dims | null }).dim : (dim as Dims | null | undefined);
  if (Array.isArray(d)) normDims(d, x.dim()); // the duplicate-dim error
  return x.ne(0).sum(d ?? null);
}

export type MinMax = readonly [Tensor, Tensor] & { readonly min: Tensor; readonly max: Tensor };

/**
 * `torch.aminmax(input, *, dim=None, keepdim=False)`: `(min, max)` as a named tuple (`.min`,
 * `.max`), over all elements or along `dim`.
 * @example const {min, max} = torch.aminmax(x, {dim: 1})
 */
export function aminmax(x: Tensor, opts: { dim?: number | null; keepdim?: boolean } = {}): MinMax {
  const dim = opts.dim ?? null;
  const keepdim = opts.keepdim ?? false;
  const empty = dim === null ? x.numel() === 0 : x.dim() > 0 && x._shape[normDim(dim, x.dim())] === 0;
  if (empty) {
    throw new RuntimeError('aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.');
  }
  const min = dim === null ? x.amin(null, keepdim) : x.amin(dim, keepdim);
  const max = dim === null ? x.amax(null, keepdim) : x.amax(dim, keepdim);
  return Object.assign([min, max] as const, { min, max });
}

// ---- covariance ----

export interface CovOptions { correction?: number; fweights?: Tensor | null; aweights?: Tensor | null }

/**
 * `torch.cov(input, *, correction=1, fweights=None, aweights=None)`: the covariance matrix of
 * the variables in the rows of `input` (observations in the columns); a 1-D input is one
 * variable and gives a 0-d tensor. Integers give the default float dtype.
 * @example torch.cov(torch.tensor([[0, 1, 2], [2, 1, 0]], {dtype: torch.float32})) // [[1, -1], [-1, 1]]
 */
export function cov(x: Tensor, opts: CovOptions = {}): Tensor {
  if (x.dim() > 2) throw new RuntimeError(`cov(): expected input to have two or fewer dimensions but got an input with ${x.dim()} dimensions`);
  const correction = opts.correction ?? 1;
  const xf = x.dtype.is_floating_point ? x : x.to(dt.get_default_dtype());
  const m = xf.dim() < 2 ? xf.reshape([1, -1]) : xf;
  const nObs = m._shape[1]!;
  let w: Tensor | null = null;
  const checkW = (t: Tensor, name: string) => {
    if (t.dim() > 1) throw new RuntimeError(`cov(): expected ${name} to have one or fewer dimensions but got ${name} with ${t.dim()} dimensions`);
    if (t.numel() !== nObs) {
      throw new RuntimeError(`cov(): expected ${name} to have the same number of elements as there are observations in the input but got ${t.numel()} elements`);
    }
  };
  if (opts.fweights) {
    checkW(opts.fweights, 'fweights');
    if (opts.fweights.dtype.is_floating_point) throw new RuntimeError('cov(): expected fweights to have integral dtype');
    w = opts.fweights;
  }
  if (opts.aweights) {
    checkW(opts.aweights, 'aweights');
    if (!opts.aweights.dtype.is_floating_point) throw new RuntimeError('cov(): expected aweights to have floating point dtype');
    w = w ? w.mul(opts.aweights) : opts.aweights;
  }
  let avg: Tensor;
  let factor: Tensor | number;
  if (w === null) {
    avg = m.mean(1, true);
    factor = nObs - correction;
  } else {
    const wf = w.to(m.dtype);
    const wSum = wf.sum();
    avg = m.mul(wf).sum(1, true).div(wSum);
    factor = opts.aweights ? wSum.sub(wf.mul(opts.aweights.to(m.dtype)).sum().div(wSum).mul(correction)) : wSum.sub(correction);
  }
  const c = m.sub(avg);
  const cw = w === null ? c : c.mul(w.to(m.dtype));
  const f = typeof factor === 'number' ? Math.max(factor, 0) : factor.clamp(0, null);
  const out = c.matmul(cw.t()).div(f);
  return x.dim() < 2 ? out.squeeze() : out;
}

/**
 * `torch.corrcoef(input)`: Pearson correlation coefficients of the variables in the rows,
 * clipped to [-1, 1].
 * @example torch.corrcoef(torch.tensor([[0, 1, 2], [2, 1, 5]], {dtype: torch.float32}))
 */
export function corrcoef(x: Tensor): Tensor {
  const c = cov(x);
  if (c.dim() === 0) return c.div(c);
  const s = c.diagonal().sqrt();
  return c.div(s.unsqueeze(1)).div(s.unsqueeze(0)).clamp(-1, 1);
}

/**
 * `torch.trace(input)`: the sum of a matrix's main diagonal (integers sum to int64).
 * @example torch.trace(torch.tensor([[1, 2], [3, 4]])) // tensor(5)
 */
export function trace(x: Tensor): Tensor {
  if (x.dim() !== 2) throw new RuntimeError(`trace: expected a matrix, but got tensor with dim ${x.dim()}`);
  return asNode('TraceBackward0', x.diagonal().sum());
}

