/**
 * Joining, splitting, flipping and building tensors beyond cat/stack/split: `dstack`,
 * `column_stack`, `tensor_split`, `hsplit`/`vsplit`/`dsplit`, `fliplr`/`flipud`, `rot90`,
 * `broadcast_to`/`broadcast_tensors`, `atleast_*d`, `diag`/`diag_embed`/`diagflat`,
 * `tril_indices`/`triu_indices`, `meshgrid`, `cartesian_prod`, `combinations`, `block_diag`,
 * `take_along_dim`, `index_fill`, `index_copy`, `fill_diagonal_`, and the in-place view ops
 * (`squeeze_`, `unsqueeze_`, `transpose_`, `t_`). All compose views and differentiable ops.
 */

import * as dt from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { broadcastShapes, normDim } from '../shape.js';
import { Tensor, type Scalar } from '../tensor.js';
import { cat, stack } from './cat.js';
import { arange, fromValues, tensor, zeros, type TensorOptions } from './creation.js';
import { is_grad_enabled } from '../autograd/grad_mode.js';
import { pyArgs } from '../nn/_args.js';
import { cTypeName } from './pointwise.js';
import { asNode } from './host_rows.js';

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

// ---- at least n-d ----

/** `torch.atleast_1d(x)` (or several: an array back): 0-d becomes shape [1]. @example torch.atleast_1d(torch.tensor(5)).shape // [1] */
export function atleast_1d(x: Tensor): Tensor;
export function atleast_1d(...xs: Tensor[] | [readonly Tensor[]]): Tensor[];
export function atleast_1d(...xs: (Tensor | readonly Tensor[])[]): Tensor | Tensor[] {
  return atleast(xs, (t) => (t.dim() === 0 ? t.reshape([1]) : t));
}
/** `torch.atleast_2d(x)`: 0-d becomes [1, 1], 1-d [n] becomes [1, n]. @example torch.atleast_2d(torch.tensor([1, 2])).shape // [1, 2] */
export function atleast_2d(x: Tensor): Tensor;
export function atleast_2d(...xs: Tensor[] | [readonly Tensor[]]): Tensor[];
export function atleast_2d(...xs: (Tensor | readonly Tensor[])[]): Tensor | Tensor[] {
  return atleast(xs, to2d);
}
/** `torch.atleast_3d(x)`: 0-d becomes [1, 1, 1], [n] becomes [1, n, 1], [m, n] becomes [m, n, 1]. @example torch.atleast_3d(torch.ones(2, 3)).shape // [2, 3, 1] */
export function atleast_3d(x: Tensor): Tensor;
export function atleast_3d(...xs: Tensor[] | [readonly Tensor[]]): Tensor[];
export function atleast_3d(...xs: (Tensor | readonly Tensor[])[]): Tensor | Tensor[] {
  return atleast(xs, to3d);
}
function to2d(t: Tensor): Tensor {
  return t.dim() === 0 ? t.reshape([1, 1]) : t.dim() === 1 ? t.unsqueeze(0) : t;
}
function to3d(t: Tensor): Tensor {
  if (t.dim() === 0) return t.reshape([1, 1, 1]);
  if (t.dim() === 1) return t.unsqueeze(0).unsqueeze(-1);
  return t.dim() === 2 ? t.unsqueeze(-1) : t;
}
function atleast(xs: readonly (Tensor | readonly Tensor[])[], f: (t: Tensor) => Tensor): Tensor | Tensor[] {
  if (xs.length === 1 && xs[0] instanceof Tensor) return f(xs[0]);
  const list = xs.length === 1 && Array.isArray(xs[0]) ? (xs[0] as readonly Tensor[]) : (xs as Tensor[]);
  return list.map(f);
}

// ---- stacking ----

/** `torch.dstack(tensors)`: joins along the third dim after `atleast_3d`. @example torch.dstack([a, b]) */
export function dstack(tensors: readonly Tensor[]): Tensor {
  return cat(tensors.map(to3d), 2);
}

/** `torch.column_stack(tensors)`: 0-d and 1-d tensors become columns, then joined along dim 1. @example torch.column_stack([x, y]) // [n, 2] */
export function column_stack(tensors: readonly Tensor[]): Tensor {
  if (tensors.length === 0) throw new RuntimeError('column_stack expects a non-empty TensorList');
  return cat(tensors.map((t) => (t.dim() <= 1 ? t.reshape([t.numel(), 1]) : t)), 1);
}

/** `torch.vstack(tensors)` / `torch.row_stack`: joins along dim 0 after `atleast_2d`. @example torch.row_stack([a, b]) */
export function row_stack(tensors: readonly Tensor[]): Tensor {
  return cat(tensors.map(to2d), 0);
}

/** `torch.hstack(tensors)`: joins 1-d tensors along dim 0 and others along dim 1, after `atleast_1d`. @example torch.hstack([a, b]) */
export function hstack(tensors: readonly Tensor[]): Tensor {
  const ts = tensors.map((t) => (t.dim() === 0 ? t.reshape([1]) : t));
  return cat(ts, ts[0] !== undefined && ts[0].dim() === 1 ? 0 : 1);
}

/**
 * `torch.block_diag(*tensors)`: the tensors (0-d, 1-d as one row, or 2-d) along the diagonal of
 * a zero matrix, in their promoted dtype.
 * @example torch.block_diag(torch.ones(2, 2), torch.tensor([[5]])) // 3x3
 */
export function block_diag(...tensors: (Tensor | readonly Tensor[])[]): Tensor {
  const list = tensors.length === 1 && Array.isArray(tensors[0]) ? (tensors[0] as readonly Tensor[]) : (tensors as Tensor[]);
  list.forEach((t, i) => {
    if (t.dim() > 2) {
      throw new RuntimeError(`torch.block_diag: Input tensors must have 2 or fewer dimensions. Input ${i} has ${t.dim()} dimensions`);
    }
  });
  if (list.length === 0) return zeros([1, 0]);
  const dtype = list.map((t) => t.dtype).reduce((a, b) => dt.promote_types(a, b));
  const mats = list.map((t) => (t.dim() === 0 ? t.reshape([1, 1]) : t.dim() === 1 ? t.unsqueeze(0) : t).to(dtype));
  const totalCols = mats.reduce((a, m) => a + m._shape[1]!, 0);
  const device = list[0]!.device;
  let left = 0;
  const rows = mats.map((m) => {
    const [r, c] = m._shape as [number, number];
    const parts = [zeros([r, left], { dtype, device }), m, zeros([r, totalCols - left - c], { dtype, device })];
    left += c;
    return cat(parts, 1);
  });
  return asNode('BlockDiagBackward0', cat(rows, 0));
}

// ---- splitting ----

/**
 * `torch.tensor_split(input, indices_or_sections, dim=0)`: views split into `n` nearly equal
 * parts (the first `size % n` one longer), or at the given indices (which may run past the end).
 * @example torch.tensor_split(torch.arange(7), 3) // sizes 3, 2, 2
 */
export function tensor_split(x: Tensor, sections: number | readonly number[] | Tensor, dim: number | { dim?: number } = 0): Tensor[] {
  const dm = typeof dim === 'number' ? dim : (dim.dim ?? 0);
  if (x.dim() === 0) throw new RuntimeError('tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims');
  const d = normDim(dm, x.dim());
  const n = x._shape[d]!;
  if (sections instanceof Tensor && sections.dtype.is_floating_point) {
    throw new RuntimeError(`tensor_split expected tensor_indices_or_sections to have integer dtype, but got ${cTypeName(sections.dtype)}`);
  }
  const s = sections instanceof Tensor ? (sections.dim() === 0 ? sections.item() : (sections.tolist() as number[])) : sections;
  let cuts: number[];
  if (typeof s === 'number') {
    if (s <= 0) throw new RuntimeError(`number of sections must be larger than 0, got ${s}`);
    const base = Math.floor(n / s);
    const extra = n % s;
    cuts = [];
    let at = 0;
    for (let i = 0; i < s - 1; i++) {
      at += base + (i < extra ? 1 : 0);
      cuts.push(at);
    }
  } else cuts = s.slice();
  const out: Tensor[] = [];
  let start = 0;
  for (const c of [...cuts, n]) {
    const a = Math.min(Math.max(start, 0), n);
    const b = Math.min(Math.max(c, a), n);
    out.push(x.narrow(d, a, b - a));
    start = c;
  }
  return out;
}

function dirSplit(name: string, x: Tensor, sections: number | readonly number[], minDim: number, dim: number): Tensor[] {
  if (x.dim() < minDim) {
    throw new RuntimeError(`torch.${name} requires a tensor with at least ${minDim} dimension, but got a tensor with ${x.dim()} dimensions!`);
  }
  if (typeof sections === 'number') {
    const n = x._shape[dim]!;
    if (sections === 0 || n % sections !== 0) {
      throw new RuntimeError(
        `torch.${name} attempted to split along dimension ${dim}, but the size of the dimension ${n} is not divisible by the split_size ${sections}!`,
      );
    }
  }
  return tensor_split(x, sections, dim);
}

/** `torch.hsplit(input, sections)`: tensor_split along dim 1 (dim 0 for 1-d), equal parts only. @example torch.hsplit(torch.ones(2, 4), 2) */
export function hsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  return dirSplit('hsplit', x, sections, 1, x.dim() === 1 ? 0 : 1);
}
/** `torch.vsplit(input, sections)`: tensor_split along dim 0 of a tensor with at least 2 dims. @example torch.vsplit(torch.ones(4, 2), 2) */
export function vsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  return dirSplit('vsplit', x, sections, 2, 0);
}
/** `torch.dsplit(input, sections)`: tensor_split along dim 2 of a tensor with at least 3 dims. @example torch.dsplit(torch.ones(1, 2, 4), 2) */
export function dsplit(x: Tensor, sections: number | readonly number[]): Tensor[] {
  return dirSplit('dsplit', x, sections, 3, 2);
}

// ---- flips and rotations ----

/** `torch.fliplr(input)`: reversed along dim 1 (at least 2-d). @example torch.fliplr(torch.eye(2)) */
export function fliplr(x: Tensor): Tensor {
  if (x.dim() < 2) throw new RuntimeError('Input must be >= 2-d.');
  return x.flip(1);
}
/** `torch.flipud(input)`: reversed along dim 0 (at least 1-d). @example torch.flipud(torch.tensor([1, 2])) // [2, 1] */
export function flipud(x: Tensor): Tensor {
  if (x.dim() < 1) throw new RuntimeError('Input must be >= 1-d.');
  return x.flip(0);
}

/**
 * `torch.rot90(input, k=1, dims=[0, 1])`: rotated by 90° k times in the plane of `dims`, from the
 * first towards the second.
 * @example torch.rot90(torch.tensor([[1, 2], [3, 4]])) // [[2, 4], [1, 3]]
 */
export function rot90(x: Tensor, k: number | { k?: number; dims?: readonly number[] } = 1, dims: readonly number[] | { dims?: readonly number[] } = [0, 1]): Tensor {
  const o = pyArgs<{ k: number; dims: readonly number[] }>(['k', 'dims'], [k, dims]);
  const ds = o.dims ?? [0, 1];
  if (ds.length !== 2) throw new RuntimeError(`expected total rotation dims == 2, but got dims = ${ds.length}`);
  if (x.dim() < 2) throw new RuntimeError(`expected total dims >= 2, but got total dims = ${x.dim()}`);
  const d0 = normDim(ds[0]!, x.dim());
  const d1 = normDim(ds[1]!, x.dim());
  if (d0 === d1) throw new RuntimeError(`expected rotation dims to be different, but got dim0 = ${d0} and dim1 = ${d1}`);
  const turns = (((o.k ?? 1) % 4) + 4) % 4;
  const r = turns === 1 ? x.flip(d1).transpose(d0, d1) : turns === 2 ? x.flip(d0, d1) : turns === 3 ? x.flip(d0).transpose(d0, d1) : x.clone();
  return asNode('Rot90Backward0', r);
}

// ---- broadcasting ----

/** `torch.broadcast_to(input, shape)`: `input.expand(shape)`. @example torch.broadcast_to(torch.tensor([1, 2]), [3, 2]) */
export function broadcast_to(x: Tensor, shape: readonly number[]): Tensor {
  return x.expand([...shape]);
}

/** `torch.broadcast_tensors(*tensors)`: each tensor expanded to their common shape. @example const [a2, b2] = torch.broadcast_tensors(a, b) */
export function broadcast_tensors(...tensors: (Tensor | readonly Tensor[])[]): Tensor[] {
  const list = tensors.length === 1 && Array.isArray(tensors[0]) ? (tensors[0] as readonly Tensor[]) : (tensors as Tensor[]);
  const shape = broadcastShapes(...list.map((t) => t._shape));
  return list.map((t) => t.expand(shape));
}

// ---- diagonals ----

/**
 * `torch.diag_embed(input, offset=0, dim1=-2, dim2=-1)`: matrices (in the new dims `dim1`,
 * `dim2`) whose `offset` diagonal holds the last dim of `input`.
 * @example torch.diag_embed(torch.tensor([1, 2])) // [[1, 0], [0, 2]]
 */
export function diag_embed(x: Tensor, offset: number | { offset?: number; dim1?: number; dim2?: number } = 0, dim1 = -2, dim2 = -1): Tensor {
  const o = pyArgs<{ offset: number; dim1: number; dim2: number }>(['offset', 'dim1', 'dim2'], [offset, dim1, dim2]);
  const k = o.offset ?? 0;
  const outDim = x.dim() + 1;
  const d1 = normDim(o.dim1 ?? -2, outDim);
  const d2 = normDim(o.dim2 ?? -1, outDim);
  if (d1 === d2) throw new RuntimeError(`diagonal dimensions cannot be identical ${o.dim1 ?? -2}, ${o.dim2 ?? -1}`);
  const v = x.dim() === 0 ? x.reshape([1]) : x;
  const n = v._shape[v.dim() - 1]!;
  const m = n + Math.abs(k);
  const lead = v._shape.slice(0, -1);
  // where(eye, v, 0): NaN and inf stay on the diagonal
  const eye = arange(n, { device: x.device }).unsqueeze(1).eq(arange(n, { device: x.device }));
  let mat = v.unsqueeze(-1).where(eye, 0); // [..., n, n], row i holds v[i] at column i
  if (k !== 0) {
    const z = (r: number, c: number) => zeros([...lead, r, c], { dtype: x.dtype, device: x.device });
    mat = k > 0 ? cat([cat([z(n, k), mat], -1), z(k, m)], -2) : cat([z(-k, m), cat([mat, z(n, -k)], -1)], -2);
  }
  return asNode('DiagEmbedBackward0', mat.movedim([outDim - 2, outDim - 1], [d1, d2]));
}

/**
 * `torch.diag(input, diagonal=0)`: a 1-d input gives the square matrix with it on the `diagonal`;
 * a 2-d input gives a copy of that diagonal.
 * @example torch.diag(torch.tensor([1, 2])) // [[1, 0], [0, 2]]
 */
export function diag(x: Tensor, diagonal: number | { diagonal?: number } = 0): Tensor {
  const k = typeof diagonal === 'number' ? diagonal : (diagonal.diagonal ?? 0);
  if (x.dim() === 1) return asNode('DiagBackward0', diag_embed(x, k));
  if (x.dim() === 2) return asNode('DiagBackward0', x.diagonal(k).clone());
  throw new RuntimeError('matrix or a vector expected');
}

/** `torch.diagflat(input, offset=0)`: the flattened input on a diagonal. @example torch.diagflat(torch.tensor([[1, 2]])) // 2x2 */
export function diagflat(x: Tensor, offset: number | { offset?: number } = 0): Tensor {
  return diag(x.reshape([-1]), typeof offset === 'number' ? offset : (offset.offset ?? 0));
}

function triIndices(row: number, col: number, offset: number, lower: boolean, opts: TensorOptions): Tensor {
  const rs: number[] = [];
  const cs: number[] = [];
  for (let i = 0; i < row; i++) {
    for (let j = 0; j < col; j++) {
      if (lower ? j - i <= offset : j - i >= offset) {
        rs.push(i);
        cs.push(j);
      }
    }
  }
  const dtype = opts.dtype ?? dt.int64;
  return tensor(rs.length ? [rs, cs] : [[], []], { dtype, ...(opts.device !== undefined ? { device: opts.device } : {}) }).reshape([2, rs.length]);
}

/**
 * `torch.tril_indices(row, col, offset=0, *, dtype=torch.long, device)`: the [2, N] row and
 * column indices of the lower triangle (on and below the `offset` diagonal), row by row.
 * @example torch.tril_indices(3, 3) // [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
 */
export function tril_indices(row: number, col: number, offset: number | TensorOptions = 0, opts: TensorOptions = {}): Tensor {
  return typeof offset === 'number' ? triIndices(row, col, offset, true, opts) : triIndices(row, col, 0, true, offset);
}

/** `torch.triu_indices(row, col, offset=0, *, dtype, device)`: the upper triangle's indices. @example torch.triu_indices(2, 2) // [[0, 0, 1], [0, 1, 1]] */
export function triu_indices(row: number, col: number, offset: number | TensorOptions = 0, opts: TensorOptions = {}): Tensor {
  return typeof offset === 'number' ? triIndices(row, col, offset, false, opts) : triIndices(row, col, 0, false, offset);
}

/**
 * `x.fill_diagonal_(fill_value, wrap=False)`: writes the main diagonal (all dims equal beyond
 * 2-d); with `wrap`, a tall matrix's diagonal restarts every `cols + 1` rows.
 * @example torch.zeros(3, 3).fill_diagonal_(1)
 */
export function fill_diagonal_(x: Tensor, value: Scalar, wrap: boolean | { wrap?: boolean } = false): Tensor {
  const w = typeof wrap === 'boolean' ? wrap : (wrap.wrap ?? false);
  if (x.dim() < 2) throw new RuntimeError('dimensions must larger than 1');
  if (x.dim() > 2 && x._shape.some((s) => s !== x._shape[0])) throw new RuntimeError('all dimensions of input must be of equal length');
  const rows = x._shape[0]!;
  const cols = x._shape[1]!;
  const pos: number[] = [];
  if (x.dim() === 2) {
    const limit = w && rows > cols ? rows * cols : Math.min(rows, cols) * cols;
    for (let p = 0; p < limit; p += cols + 1) pos.push(p);
    const r = tensor(pos.map((p) => Math.floor(p / cols)), { dtype: dt.int64, device: x.device });
    const c = tensor(pos.map((p) => p % cols), { dtype: dt.int64, device: x.device });
    if (pos.length) x.set(r, c, value);
    return x;
  }
  const i = arange(rows, { device: x.device });
  x.set(...x._shape.map(() => i), value);
  return x;
}

// ---- grids and combinations ----

/**
 * `torch.meshgrid(*tensors, indexing='ij')`: coordinate grids from 1-d tensors; `'xy'` swaps
 * the first two dims (Cartesian indexing). The grids are expanded views.
 * Differs from PyTorch 1.13: no warning when `indexing` is left out ('ij', as PyTorch defaults).
 * @example const [X, Y] = torch.meshgrid(torch.arange(3), torch.arange(2), {indexing: 'xy'})
 */
export function meshgrid(...args: (Tensor | readonly Tensor[] | { indexing?: 'ij' | 'xy' })[]): Tensor[] {
  const last = args[args.length - 1];
  const opts = last !== undefined && !(last instanceof Tensor) && !Array.isArray(last) ? (last as { indexing?: 'ij' | 'xy' }) : {};
  const rest = last === opts ? args.slice(0, -1) : args;
  const list = (rest.length === 1 && Array.isArray(rest[0]) ? rest[0] : rest) as Tensor[];
  const indexing = opts.indexing ?? 'ij';
  if (indexing !== 'ij' && indexing !== 'xy') {
    throw new RuntimeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${String(indexing)}`);
  }
  list.forEach((t) => {
    if (t.dim() > 1) throw new RuntimeError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ${t}`);
  });
  const ts = list.map((t) => t.reshape([-1]));
  const swap = indexing === 'xy' && ts.length >= 2;
  const order = ts.map((_, i) => i);
  if (swap) [order[0], order[1]] = [1, 0];
  const shape = order.map((i) => ts[i]!.numel());
  return ts.map((t, i) => {
    const at = order.indexOf(i);
    return t.reshape(shape.map((s, k) => (k === at ? s : 1))).expand(shape);
  });
}

/**
 * `torch.cartesian_prod(*tensors)`: every combination of elements of the 1-d tensors, one per
 * row (a single tensor comes back as is).
 * @example torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4])) // [[1, 3], [1, 4], [2, 3], [2, 4]]
 */
export function cartesian_prod(...tensors: (Tensor | readonly Tensor[])[]): Tensor {
  const list = tensors.length === 1 && Array.isArray(tensors[0]) ? (tensors[0] as readonly Tensor[]) : (tensors as Tensor[]);
  list.forEach((t) => {
    if (t.dim() !== 1) throw new RuntimeError(`Expect a 1D vector, but got shape ${shapeStr(t._shape)}`);
  });
  if (list.length === 1) return list[0]!;
  return stack(meshgrid(...list).map((g) => g.reshape([-1])), 1);
}

/**
 * `torch.combinations(input, r=2, with_replacement=False)`: the r-length combinations of a 1-d
 * tensor's elements (as itertools.combinations), one per row.
 * @example torch.combinations(torch.tensor([1, 2, 3])) // [[1, 2], [1, 3], [2, 3]]
 */
export function combinations(x: Tensor, r: number | { r?: number; with_replacement?: boolean } = 2, with_replacement: boolean | { with_replacement?: boolean } = false): Tensor {
  const o = pyArgs<{ r: number; with_replacement: boolean }>(['r', 'with_replacement'], [r, with_replacement]);
  const k = o.r ?? 2;
  const rep = o.with_replacement ?? false;
  if (x.dim() !== 1) throw new RuntimeError(`Expect a 1D vector, but got shape ${shapeStr(x._shape)}`);
  if (k < 0) throw new RuntimeError(`Expect a non-negative number, but got ${k}`);
  if (k === 0) return x.new_empty([0]);
  const n = x._shape[0]!;
  const combos: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number) => {
    if (cur.length === k) {
      combos.push(cur.slice());
      return;
    }
    for (let i = start; i < n; i++) {
      cur.push(i);
      rec(rep ? i : i + 1);
      cur.pop();
    }
  };
  rec(0);
  if (combos.length === 0) return x.new_empty([0, k]);
  const idx = fromValues(Float64Array.from(combos.flat()), [combos.length * k], dt.int64, x.device);
  return x.index_select(0, idx).reshape([combos.length, k]);
}

// ---- indexing ----

/**
 * `torch.take_along_dim(input, indices, dim=None)`: `gather` with broadcasting (input and indices
 * broadcast except along `dim`); without `dim`, indexes the flattened input.
 * @example torch.take_along_dim(x, x.argmax(1, {keepdim: true}), 1)
 */
export function take_along_dim(x: Tensor, indices: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  const dm = typeof dim === 'object' && dim !== null ? dim.dim : dim;
  if (indices.dtype !== dt.int64) {
    throw new RuntimeError(`torch.take_along_dim(): dtype of indices should be Long but got ${cTypeName(indices.dtype)}`);
  }
  if (dm === undefined || dm === null) return x.reshape([-1]).gather(0, indices.reshape([-1]));
  if (x.dim() !== indices.dim()) {
    throw new RuntimeError(
      `torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${x.dim()} dimensions for input, and ${indices.dim()} dimensions for indices`,
    );
  }
  const d = normDim(dm, x.dim());
  const xs = x._shape.slice();
  const is = indices._shape.slice();
  xs[d] = 1;
  is[d] = 1;
  const b = broadcastShapes(xs, is);
  const xb = x.expand(b.map((s, k) => (k === d ? x._shape[d]! : s)));
  const ib = indices.expand(b.map((s, k) => (k === d ? indices._shape[d]! : s)));
  return xb.gather(d, ib);
}

/** A bool mask that is true at `index` along `d` and broadcasts against x. */
function dimMask(x: Tensor, d: number, index: Tensor): Tensor {
  const n = x.dim() === 0 ? 1 : x._shape[d]!;
  const hit = zeros([n], { dtype: dt.bool, device: x.device });
  if (index.numel() > 0) hit.index_put_([index.reshape([-1])], true);
  return x.dim() === 0 ? hit.reshape([]) : hit.reshape(x._shape.map((s, k) => (k === d ? s : 1)));
}

function checkIndex(name: string, index: Tensor): void {
  if (index.dtype !== dt.int64 && index.dtype !== dt.int32) {
    throw new RuntimeError(`${name}(): Expected dtype int64 for index`);
  }
  if (index.dim() > 1) throw new RuntimeError(`${name}(): Index is supposed to be a vector`);
}

/**
 * `x.index_fill(dim, index, value)`: a copy with the slices at `index` along `dim` set to `value`
 * (a number or a 0-d tensor).
 * @example torch.zeros(2, 3).index_fill(1, torch.tensor([0, 2]), 5)
 */
export function index_fill(x: Tensor, dim: number, index: Tensor, value: Scalar | Tensor): Tensor {
  checkIndex('index_fill_', index);
  const d = normDim(dim, x.dim());
  return asNode(value instanceof Tensor ? 'IndexFillBackward1' : 'IndexFillBackward0', x.masked_fill(dimMask(x, d, index), value));
}

/**
 * `x.index_copy(dim, index, source)`: a copy with the slices at `index` along `dim` replaced by
 * the slices of `source` (indices should be unique, as in PyTorch).
 * @example torch.zeros(2, 3).index_copy(1, torch.tensor([2, 0]), torch.ones(2, 2))
 */
export function index_copy(x: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  checkIndex('index_copy_', index);
  const d = normDim(dim, x.dim());
  if (x.dtype !== source.dtype) {
    throw new RuntimeError(`index_copy_(): self and source expected to have the same dtype, but got (self) ${cTypeName(x.dtype)} and (source) ${cTypeName(source.dtype)}`);
  }
  const cleared = x.masked_fill(dimMask(x, d, index), 0);
  const out = cleared.clone();
  out.index_add_(d, index.to(dt.int64), source);
  return asNode('IndexCopyBackward0', out);
}

/**
 * `x.index_add(dim, index, source, *, alpha=1)`: the out-of-place `index_add_`.
 * @example torch.zeros(3).index_add(0, torch.tensor([0, 0]), torch.ones(2)) // [2, 0, 0]
 */
export function index_add(x: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor {
  const out = x.clone();
  out.index_add_(dim, index, source, opts);
  return out;
}

// ---- in-place views ----

/** Makes `self` take the metadata (and graph position) of `v`, a view of self: `squeeze_` and friends. */
export function assumeView<T extends Tensor>(self: T, v: Tensor): T {
  if (self.is_leaf && self._requiresGrad && is_grad_enabled()) {
    throw new RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  self._shape = v._shape.slice();
  self._strides = v._strides.slice();
  self._offset = v._offset;
  self._sizeCache = null;
  if (v.grad_fn) {
    self.grad_fn = v.grad_fn;
    self._outputNr = v._outputNr;
  }
  return self;
}
