/**
 * Indexing: `x[...]` reading and writing, `index_put_`, `gather`/`scatter`, `index_select`/
 * `index_add_`, `masked_select`, `nonzero` and `take`.
 *
 * `x.get(...items)` is the mechanical translation of Python's `x[items]`, and
 * `x.set(...items, value)` of `x[items] = value`. Each item is one entry of the Python tuple:
 * - a number selects one position and drops that dim (`x.get(0)` is `x[0]`, `-1` the last);
 *   out of range is `IndexError: index 5 is out of bounds for dimension 0 with size 3`;
 * - a string is a Python slice: `':'`, `'1:3'`, `'::2'`, `'-1:'`, `':-1'`, `'1:10:3'`
 *   (bounds clamp as in Python; a negative step is `ValueError: step must be greater than zero`);
 * - `null` is `None` (a new axis of size 1) and `'...'` is `Ellipsis`;
 * - a Tensor of int64/int32 or a `number[]` is an integer array index, a bool (or uint8) Tensor
 *   or a `boolean[]` is a mask; a k-d mask consumes k dims and stands for its `nonzero()` columns.
 *
 * Basic items (numbers, slices, None, Ellipsis) give a view sharing x's storage, recorded with
 * the view ops' nodes (SelectBackward0, SliceBackward0, UnsqueezeBackward0; AliasBackward0 for
 * `x[...]`). Array indices and masks copy (IndexBackward0, whose gradient accumulates with
 * `index_put` accumulate=true). Several array indices broadcast together; when they are
 * adjacent the broadcast shape replaces the indexed dims in place, when separated by a slice
 * (or None/Ellipsis) it moves to the front, as in NumPy and PyTorch.
 *
 * Writes (`set`, `index_put_`, `scatter_`, `index_add_`) go into x's storage; when autograd is
 * involved the op is computed out of place, recorded (CopySlices, IndexPutBackward0, ...), and
 * x takes the result's place in the graph, as PyTorch's in-place ops do.
 *
 * Everything reduces to int64 storage offsets computed with tensor ops (arange, mul, add over
 * the strides) fed to the backend's `take` and `put` kernels. Index values are read to check
 * bounds (PyTorch syncs there too).
 *
 * Differences from PyTorch (1.13): int32 index tensors are accepted as in PyTorch 2.x; a k-d mask
 * followed by further items consumes k dims (NumPy's rule, which 1.13 gets wrong); `set` casts a
 * tensor value to x's dtype also for array indices (1.13 raises); out-of-range `index_select`
 * always says `index out of range in self`.
 *
 * @example
 * const x = torch.arange(12).reshape(3, 4);
 * x.get(0)                      // x[0]            -> tensor([0, 1, 2, 3])
 * x.get(':', '1:3')             // x[:, 1:3]       -> a view
 * x.get(null, '...', -1)        // x[None, ..., -1]
 * x.get([0, 2], [1, 3])         // x[[0, 2], [1, 3]] -> tensor([1, 11])
 * x.get(x.gt(5))                // x[x > 5]
 * x.set(x.gt(5), 0)             // x[x > 5] = 0
 */

import * as dt from '../dtype.js';
import { int64 } from '../dtype.js';
import { backendFor } from '../device.js';
import { IndexError, RuntimeError, ValueError } from '../errors.js';
import { broadcastShapes, broadcastStrides, normDim, numelOf, sameShape, shapeStr } from '../shape.js';
import { Tensor, type Scalar } from '../tensor.js';
import { emptyTensor, needsGrad, record, sameDevice, viewOf } from './dispatch.js';
import * as mv from './movement.js';
import { readValues } from './copy.js';
import * as cr from './creation.js';
import { cTypeName, rebase } from './pointwise.js';
import { sumTo } from './reduction.js';
import { is_grad_enabled, no_grad } from '../autograd/grad_mode.js';

export type IndexItem = number | string | null | Tensor | readonly number[] | readonly boolean[];

/** Per-dim integer indices after masks are expanded: null where a dim is taken whole. */
type IndexList = readonly (Tensor | null)[];

const isT = (v: unknown): v is Tensor => v instanceof Tensor;
const isMask = (t: Tensor): boolean => t.dtype === dt.bool || t.dtype === dt.uint8;
const isIntIndex = (t: Tensor): boolean => t.dtype === dt.int64 || t.dtype === dt.int32;
const ones = (k: number): number[] => new Array<number>(k).fill(1);
/** PyTorch's `ensure_nonempty_*`: a 0-d tensor acts as 1-d of size 1 in gather/scatter. */
const neShape = (t: Tensor): number[] => (t.dim() === 0 ? [1] : t._shape);
const neStrides = (t: Tensor): number[] => (t.dim() === 0 ? [1] : t._strides);

function int64Full(shape: readonly number[], value: number, t: Tensor): Tensor {
  return cr.full(shape, value, { dtype: int64, device: t.device });
}

function checkInplace(x: Tensor, throughView = false): void {
  if (is_grad_enabled() && x.is_leaf && x._requiresGrad) {
    throw new RuntimeError(`a ${throughView ? 'view of a ' : ''}leaf Variable that requires grad is being used in an in-place operation.`);
  }
}

// ---- offsets and the raw kernels ----

interface Layout {
  shape: number[];
  /** indexed dims, in order */
  pos: number[];
  bshape: number[];
  /** dims kept whole before and after the broadcast index block */
  before: number[];
  after: number[];
}

/** Where the indexing result's dims come from (PyTorch's AdvancedIndex, transposeToFront). */
function layoutOf(t: Tensor, list: IndexList): Layout {
  const nd = t.dim();
  const pos: number[] = [];
  for (let d = 0; d < nd; d++) if (list[d]) pos.push(d);
  const bshape = broadcastShapes(...pos.map((d) => list[d]!._shape));
  const adjacent = pos.length === 0 || pos[pos.length - 1]! - pos[0]! + 1 === pos.length;
  const rest: number[] = [];
  for (let d = 0; d < nd; d++) if (!list[d]) rest.push(d);
  const before = adjacent && pos.length ? rest.filter((d) => d < pos[0]!) : [];
  const after = rest.filter((d) => !before.includes(d));
  const shape = [...before.map((d) => t._shape[d]!), ...bshape, ...after.map((d) => t._shape[d]!)];
  return { shape, pos, bshape, before, after };
}

/** `index * stride` as int64 (no multiply for stride 1). */
function scaled(index: Tensor, stride: number): Tensor {
  const i = index.to(int64);
  return stride === 1 ? i : i.mul(stride);
}

/** `arange(n) * stride` shaped to broadcast along result dim p of an nd-dim result. */
function rangeTerm(t: Tensor, n: number, stride: number, p: number, nd: number): Tensor {
  const shp = ones(nd);
  shp[p] = n;
  return cr.arange(0, n * stride, stride, { dtype: int64, device: t.device }).view(shp);
}

/**
 * Sums broadcastable offset terms plus `base`, smallest first, so only the last addition runs
 * over the full result (the offsets may come back as a broadcast view of `shape`).
 */
function sumTerms(terms: Tensor[], base: number, shape: readonly number[], t: Tensor): Tensor {
  terms.sort((a, b) => a.numel() - b.numel());
  let off: Tensor = terms.length ? terms[0]! : int64Full([], 0, t);
  if (base !== 0) off = off.add(base);
  for (const term of terms.slice(1)) off = off.add(term);
  return sameShape(off._shape, shape) ? off : off.expand(shape);
}

/** int64 storage offsets (of `t`'s storage) of every element of the indexing result. */
function offsetsOf(t: Tensor, list: IndexList, lay: Layout): Tensor {
  const nd = lay.shape.length;
  const terms: Tensor[] = [];
  if (lay.pos.length) {
    let adv: Tensor | null = null;
    for (const d of lay.pos) {
      const term = scaled(list[d]!, t._strides[d]!);
      adv = adv ? adv.add(term) : term;
    }
    const a = adv!;
    terms.push(a.reshape([...ones(lay.before.length + lay.bshape.length - a.dim()), ...a._shape, ...ones(lay.after.length)]));
  }
  const place = (d: number, p: number) => {
    if (t._shape[d]! > 1 && t._strides[d] !== 0) terms.push(rangeTerm(t, t._shape[d]!, t._strides[d]!, p, nd));
  };
  lay.before.forEach((d, i) => place(d, i));
  lay.after.forEach((d, i) => place(d, lay.before.length + lay.bshape.length + i));
  return sumTerms(terms, t._offset, lay.shape, t);
}

/** out[i] = storage of `src` at offsets[i], shaped `shape`. */
function takeRaw(src: Tensor, offsets: Tensor, shape: readonly number[]): Tensor {
  const out = emptyTensor(shape, src.dtype, src.device);
  if (numelOf(shape) > 0) backendFor(src.device).take(src._storage, viewOf(offsets), viewOf(out));
  return out;
}

/** index_put's check that the value broadcasts to the indexing result (is_expandable_to). */
function checkValueShape(from: readonly number[], to: readonly number[]): void {
  const off = to.length - from.length;
  if (off >= 0 && from.every((n, i) => n === 1 || n === to[off + i])) return;
  throw new RuntimeError(`shape mismatch: value tensor of shape ${shapeStr(from)} cannot be broadcast to indexing result of shape ${shapeStr(to)}`);
}

/** Writes (or adds) `value`, broadcast to `shape`, at `offsets` of dst's storage. */
function putValues(dst: Tensor, offsets: Tensor, shape: readonly number[], value: Tensor | Scalar, accumulate: boolean): void {
  let v = isT(value) ? value : cr.full([], value, { dtype: dst.dtype, device: dst.device });
  checkValueShape(v._shape, shape);
  if (v.dtype !== dst.dtype || v.device !== dst.device) v = v.to(dst.device, dst.dtype);
  v = v.expand(shape);
  if (numelOf(shape) > 0) backendFor(dst.device).put(dst._storage, viewOf(offsets), viewOf(v), accumulate);
  dst._storage.version++;
}

/**
 * dst storage at offsets *= values. The put kernel only assigns or adds, so repeated offsets
 * are applied in rounds that each touch an offset at most once.
 */
function putMultiply(dst: Tensor, offsets: Tensor, values: Tensor): void {
  const offs = readValues(offsets);
  const vals = values.to(dst.dtype).contiguous().reshape(-1);
  const seen = new Map<number, number>();
  const rounds: number[][] = [];
  for (let i = 0; i < offs.length; i++) {
    const r = seen.get(offs[i]!) ?? 0;
    seen.set(offs[i]!, r + 1);
    (rounds[r] ??= []).push(i);
  }
  const be = backendFor(dst.device);
  for (const sel of rounds) {
    const at = (f: (i: number) => number) => cr.fromValues(Float64Array.from(sel, f), [sel.length], int64, dst.device);
    const o = at((i) => offs[i]!);
    const cur = takeRaw(dst, o, [sel.length]);
    const v = takeRaw(vals, at((i) => i + vals._offset), [sel.length]);
    be.put(dst._storage, viewOf(o), viewOf(cur.mul(v).to(dst.dtype)), false);
  }
  dst._storage.version++;
}

// ---- index lists: masks, dtypes, bounds ----

/**
 * PyTorch's make_info checks: index dtypes, masks expanded to their nonzero() columns (shape
 * checked against the dims they cover), broadcasting, and bounds (negatives wrapped).
 */
function expandIndices(t: Tensor, list: IndexList): (Tensor | null)[] {
  for (const ix of list) {
    if (ix && !isMask(ix) && !isIntIndex(ix)) throw new IndexError('tensors used as indices must be long, int, byte or bool tensors');
  }
  const out: (Tensor | null)[] = [];
  const fromMask = new Set<Tensor>();
  for (const raw of list) {
    if (!raw) {
      out.push(null);
      continue;
    }
    const ix = raw.device === t.device ? raw : raw.to(t.device);
    if (!isMask(ix)) {
      out.push(ix);
      continue;
    }
    const k = out.length;
    if (k + ix.dim() > t.dim()) throw new IndexError(`too many indices for tensor of dimension ${t.dim()}`);
    for (let j = 0; j < ix.dim(); j++) {
      if (ix._shape[j] !== t._shape[k + j]) {
        throw new IndexError(
          `The shape of the mask ${shapeStr(ix._shape)} at index ${j} does not match the shape of the indexed tensor ${shapeStr(t._shape)} at index ${k + j}`,
        );
      }
    }
    const nz = nonzero(ix);
    for (let j = 0; j < ix.dim(); j++) {
      const col = nz.select(1, j);
      fromMask.add(col);
      out.push(col);
    }
  }
  if (out.length > t.dim()) throw new IndexError(`too many indices for tensor of dimension ${t.dim()}`);
  const shapes = out.filter(isT).map((ix) => ix._shape);
  try {
    broadcastShapes(...shapes);
  } catch {
    throw new IndexError(`shape mismatch: indexing tensors could not be broadcast together with shapes ${shapes.map(shapeStr).join(', ')}`);
  }
  let j = 0;
  return out.map((ix, d) => {
    if (!ix) return null;
    const n = t._shape[d]!;
    const ordinal = j++;
    if (fromMask.has(ix)) return ix;
    let negative = false;
    for (const v of readValues(ix)) {
      if (v < -n || v >= n) throw new IndexError(`index ${v} is out of bounds for dimension ${ordinal} with size ${n}`);
      if (v < 0) negative = true;
    }
    return negative ? ix.remainder(n) : ix;
  });
}

// ---- the differentiable building blocks ----

/** `aten::index` on checked indices: copies, recorded as IndexBackward0. */
function indexOp(x: Tensor, list: IndexList): Tensor {
  const lay = layoutOf(x, list);
  const out = takeRaw(x, offsetsOf(x, list, lay), lay.shape);
  const shape = x._shape.slice();
  record('IndexBackward0', [x], [out], [], ([g]) => [indexPutOp(g!.new_zeros(shape), list, g!, true)]);
  return out;
}

/** Writes `value` into `view` (a view of some tensor) at `list`, or copies it in when list is null. */
function writeRegion(view: Tensor, list: IndexList | null, value: Tensor | Scalar, accumulate: boolean): void {
  if (!list) {
    view.copy_(isT(value) ? value.expand(view._shape) : value);
    return;
  }
  const lay = layoutOf(view, list);
  putValues(view, offsetsOf(view, list, lay), lay.shape, value, accumulate);
}

/**
 * The out-of-place form of a write into `region(x)[list]`: a copy of x with `value` written
 * (or added), recorded as `node`. Gradients: x's is g with the written region zeroed (all of g
 * when accumulating), value's is the region of g, summed back to value's shape.
 */
function assignOutOfPlace(
  x: Tensor,
  region: (t: Tensor) => Tensor,
  list: IndexList | null,
  value: Tensor | Scalar,
  accumulate: boolean,
  node: string,
): Tensor {
  const r = no_grad(() => {
    const c = x.clone();
    writeRegion(region(c), list, value, accumulate);
    return c;
  });
  const shape = x._shape.slice();
  let keep: Tensor | null = null;
  record(node, [x, value], [r], [], ([g]) => {
    let gx = g!;
    if (!accumulate) {
      keep ??= no_grad(() => {
        const m = cr.ones(shape, { dtype: g!.dtype, device: g!.device });
        writeRegion(region(m), list, 0, false);
        return m;
      });
      gx = g!.mul(keep);
    }
    let gv: Tensor | null = null;
    if (isT(value) && value.requires_grad) {
      gv = sumTo(list ? indexOp(region(g!), list) : region(g!), value._shape);
      if (gv.dtype !== value.dtype) gv = gv.to(value.dtype);
    }
    return [gx, gv];
  });
  return r;
}

const identity = (t: Tensor): Tensor => t;

/** `x.index_put(list, values, accumulate)` out of place, on checked indices. */
function indexPutOp(x: Tensor, list: IndexList, values: Tensor | Scalar, accumulate: boolean): Tensor {
  return assignOutOfPlace(x, identity, list, values, accumulate, 'IndexPutBackward0');
}

// ---- getitem / setitem ----

type Item =
  | { k: 'int'; v: number }
  | { k: 'slice'; start: number | null; stop: number | null; step: number }
  | { k: 'none' }
  | { k: 'ellipsis' }
  | { k: 'tensor'; t: Tensor };

type Step = { op: 'select'; dim: number; i: number } | { op: 'slice'; dim: number; start: number; stop: number; step: number } | { op: 'unsqueeze'; dim: number };

const INVALID = 'only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices';
const SLICE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function parseItem(it: IndexItem, x: Tensor): Item {
  if (it === null) return { k: 'none' };
  if (typeof it === 'number') {
    if (!Number.isInteger(it)) throw new IndexError(`${INVALID} (got float)`);
    return { k: 'int', v: it };
  }
  if (typeof it === 'string') {
    if (it.trim() === '...') return { k: 'ellipsis' };
    const m = SLICE.exec(it);
    if (!m) throw new IndexError(`${INVALID} (got str '${it}'; write slices as in Python: ':', '1:3', '::2')`);
    const num = (s: string | undefined) => (s === undefined ? null : Number(s));
    const step = num(m[3]) ?? 1;
    if (step === 0) throw new ValueError('slice step cannot be zero');
    if (step < 0) throw new ValueError('step must be greater than zero');
    return { k: 'slice', start: num(m[1]), stop: num(m[2]), step };
  }
  if (isT(it)) return { k: 'tensor', t: it };
  if (Array.isArray(it)) {
    const arr = it as readonly (number | boolean)[];
    const t = arr.length === 0
      ? cr.zeros([0], { dtype: int64, device: x.device })
      : cr.tensor(arr as (number | boolean)[], { device: x.device });
    return { k: 'tensor', t };
  }
  throw new IndexError(`${INVALID} (got ${typeof it})`);
}

function replay(t: Tensor, steps: readonly Step[]): Tensor {
  let r = t;
  for (const s of steps) {
    if (s.op === 'select') r = mv.select(r, s.dim, s.i);
    else if (s.op === 'slice') r = mv.slice(r, s.dim, s.start, s.stop, s.step);
    else r = mv.unsqueeze(r, s.dim);
  }
  return r;
}

/**
 * PyTorch's applySlicing: applies the basic items as views and collects the tensor items in
 * index_put's list form (a k-d mask fills one slot and covers k dims).
 */
function applySlicing(x: Tensor, index: readonly IndexItem[]): { result: Tensor; steps: Step[]; list: (Tensor | null)[] } {
  const items = index.map((it) => parseItem(it, x));
  if (items.length === 1 && x.dim() === 0) {
    if (items[0]!.k === 'int') {
      throw new IndexError(
        'invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number',
      );
    }
    if (items[0]!.k === 'slice') throw new IndexError('slice() cannot be applied to a 0-dim tensor.');
  }
  let specified = 0;
  for (const it of items) {
    if (it.k === 'int' || it.k === 'slice') specified++;
    else if (it.k === 'tensor') specified += isMask(it.t) ? it.t.dim() : 1;
  }
  if (specified > x.dim()) throw new IndexError(`too many indices for tensor of dimension ${x.dim()}`);

  let r = x;
  let dim = 0;
  let covered = 0;
  const steps: Step[] = [];
  const list: (Tensor | null)[] = [];
  const select = (v: number, realDim: number) => {
    const n = r._shape[dim]!;
    if (v < -n || v >= n) throw new IndexError(`index ${v} is out of bounds for dimension ${realDim} with size ${n}`);
    const s: Step = { op: 'select', dim, i: v < 0 ? v + n : v };
    steps.push(s);
    r = replay(r, [s]);
  };
  const push = (s: Step) => {
    steps.push(s);
    r = replay(r, [s]);
    dim++;
  };
  const recordIndex = (t: Tensor, span: number) => {
    while (covered < dim) {
      list.push(null);
      covered++;
    }
    list.push(t);
    covered += span;
    dim += span;
  };
  items.forEach((it, realDim) => {
    switch (it.k) {
      case 'int':
        select(it.v, realDim);
        break;
      case 'slice':
        push({ op: 'slice', dim, start: it.start ?? 0, stop: it.stop ?? Number.MAX_SAFE_INTEGER, step: it.step });
        break;
      case 'ellipsis':
        dim += x.dim() - specified;
        break;
      case 'none':
        push({ op: 'unsqueeze', dim });
        break;
      case 'tensor': {
        const t = it.t;
        if (t.dim() === 0 && isIntIndex(t)) {
          select(t.item(), realDim);
        } else if (t.dim() === 0 && isMask(t)) {
          // a 0-d mask adds a dim of size 1 and keeps it (true) or empties it (false)
          push({ op: 'unsqueeze', dim });
          dim--;
          recordIndex(cr.zeros([t.item() ? 1 : 0], { dtype: int64, device: x.device }), 1);
        } else {
          recordIndex(t, isMask(t) ? t.dim() : 1);
        }
        break;
      }
    }
  });
  return { result: r, steps, list };
}

/**
 * `x[index]`: see the top of this file for the translation of each item.
 * @example x.get(':', 0); x.get(mask); x.get(torch.tensor([2, 0]))
 */
export function getitem(x: Tensor, index: readonly IndexItem[]): Tensor {
  const { result, list } = applySlicing(x, index);
  if (list.length) return indexOp(result, expandIndices(result, list));
  if (result !== x) return result;
  const v = mv.makeView(x, x._shape.slice(), x._strides.slice(), x._offset);
  record('AliasBackward0', [x], [v], [], ([g]) => [g!]);
  return v;
}

/** NumPy's setitem rule, kept by PyTorch: leading size-1 dims of the value are dropped. */
function stripLeadingOnes(v: Tensor): Tensor {
  let k = 0;
  while (k < v.dim() && v._shape[k] === 1) k++;
  return k ? v.view(v._shape.slice(k)) : v;
}

/**
 * `x[index] = value`: the value (number or tensor) broadcasts to the indexed region and is cast
 * to x's dtype. Basic indices copy into the view; array indices and masks use index_put_.
 * Under autograd x's grad_fn becomes IndexPutBackward0 for array indices/masks alone, else
 * CopySlices (the write goes through a view).
 * Differs from PyTorch 1.13: a tensor value of another dtype is cast also with array indices.
 * @example x.set(mask, 0); x.set(':', 1, t); x.set(idx, values)
 */
export function setitem(x: Tensor, index: readonly IndexItem[], value: Tensor | Scalar): void {
  const { result: view, steps, list } = no_grad(() => applySlicing(x, index));
  const v = isT(value) ? stripLeadingOnes(value) : value;
  // x[...] = v and x[()] = v are plain copy_ in PyTorch (its graph node included)
  if (steps.length === 0 && list.length === 0) {
    x.copy_(isT(v) ? v.expand(x._shape) : v);
    return;
  }
  const long = list.length ? expandIndices(view, list) : null;
  if (!needsGrad([x, v])) {
    no_grad(() => writeRegion(view, long, v, false));
    return;
  }
  checkInplace(x, steps.length > 0);
  // an advanced write into a view of x (any basic item first) is CopySlices in PyTorch too
  const node = steps.length ? 'torch::autograd::CopySlices' : 'IndexPutBackward0';
  const r = assignOutOfPlace(x, (t) => replay(t, steps), long, v, false, node);
  rebase(x, r);
}

/**
 * `x.index_put_(indices, values, accumulate)`: `x[indices] = values` (or `+=` with accumulate,
 * where repeated indices add up). `values` must have x's dtype, as in PyTorch.
 * Differs from PyTorch: a `null` entry takes its dim whole (like `:`), and a number value is
 * accepted.
 * @example x.index_put_([torch.tensor([0, 0])], torch.tensor(1.), true)
 */
export function index_put_(x: Tensor, indices: readonly (Tensor | null)[], values: Tensor | Scalar, accumulate: boolean): void {
  if (indices.length > x.dim()) {
    throw new IndexError(`too many indices for tensor of dimension ${x.dim()} (got ${indices.length})`);
  }
  const list = expandIndices(x, indices);
  const lay = layoutOf(x, list);
  if (isT(values)) {
    checkValueShape(values._shape, lay.shape);
    if (values.dtype !== x.dtype) {
      throw new RuntimeError(
        `Index put requires the source and destination dtypes match, got ${cTypeName(x.dtype)} for the destination and ${cTypeName(values.dtype)} for the source.`,
      );
    }
  }
  if (!needsGrad([x, values])) {
    no_grad(() => putValues(x, offsetsOf(x, list, lay), lay.shape, values, accumulate));
    return;
  }
  checkInplace(x);
  rebase(x, indexPutOp(x, list, values, accumulate));
}

// ---- gather / scatter ----

/** Checks gather/scatter index values against `size` (no negative indices here). */
function checkDimIndex(index: Tensor, d: number, size: number): void {
  for (const v of readValues(index)) {
    if (v < 0 || v >= size) throw new RuntimeError(`index ${v} is out of bounds for dimension ${d} with size ${size}`);
  }
}

/** Storage offsets in `t` of t[i0, ..., index[i], ...] over index's positions (dim `d`). */
function dimOffsets(t: Tensor, d: number, index: Tensor): Tensor {
  const ishape = neShape(index);
  const strides = neStrides(t);
  const terms = [scaled(index.reshape(ishape), strides[d]!)];
  ishape.forEach((n, k) => {
    if (k !== d && n > 1 && strides[k] !== 0) terms.push(rangeTerm(t, n, strides[k]!, k, ishape.length));
  });
  return sumTerms(terms, t._offset, ishape, t);
}

const sizeAt = (t: Tensor, k: number): number => (t.dim() === 0 ? 1 : t._shape[k]!);

function gatherShapeCheck(x: Tensor, d: number, index: Tensor): void {
  const nd = Math.max(x.dim(), 1);
  if (nd !== Math.max(index.dim(), 1)) throw new RuntimeError('Index tensor must have the same number of dimensions as input tensor');
  for (let k = 0; k < nd; k++) {
    if (k !== d && sizeAt(index, k) > sizeAt(x, k)) {
      throw new RuntimeError(
        `Size does not match at dimension ${k} expected index ${shapeStr(index._shape)} to be smaller than self ${shapeStr(x._shape)} apart from dimension ${d}`,
      );
    }
  }
}

function scatterShapeCheck(x: Tensor, d: number, index: Tensor, src: Tensor | null): void {
  const nd = Math.max(x.dim(), 1);
  if (nd !== Math.max(index.dim(), 1)) throw new RuntimeError('Index tensor must have the same number of dimensions as self tensor');
  if (src && Math.max(src.dim(), 1) !== nd) throw new RuntimeError('Index tensor must have the same number of dimensions as src tensor');
  let wrong = false;
  for (let k = 0; k < nd; k++) {
    if ((k !== d && sizeAt(index, k) > sizeAt(x, k)) || (src && sizeAt(index, k) > sizeAt(src, k))) wrong = true;
  }
  if (!wrong) return;
  const msg = `Expected index ${shapeStr(index._shape)} to be smaller than self ${shapeStr(x._shape)} apart from dimension ${d}`;
  throw new RuntimeError(src ? `${msg} and to be smaller size than src ${shapeStr(src._shape)}` : msg);
}

/**
 * `torch.gather(x, dim, index)`: out[i][j][k] = x[i][index[i][j][k]][k] for dim 1; the result
 * has index's shape. GatherBackward0 scatters the gradient back with scatter_add.
 * @example torch.tensor([[1, 2], [3, 4]]).gather(1, torch.tensor([[0, 0], [1, 0]])) // [[1, 1], [4, 3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim(dim, x.dim());
  sameDevice([x, index]);
  if (index.numel() !== 0) {
    if (index.dtype !== int64) throw new RuntimeError('gather(): Expected dtype int64 for index');
    gatherShapeCheck(x, d, index);
    checkDimIndex(index, d, sizeAt(x, d));
  }
  const out = takeRaw(x, dimOffsets(x, d, index), index._shape);
  const shape = x._shape.slice();
  record('GatherBackward0', [x], [out], [index], ([g], [idx]) => [scatter_add(g!.new_zeros(shape), d, idx!, g!)]);
  return out;
}

type ScatterMode = 'assign' | 'add' | 'multiply';

/** The part of `src` that scatter reads: its leading corner of index's shape. */
function srcRegion(src: Tensor, index: Tensor): Tensor {
  if (sameShape(src._shape, index._shape)) return src;
  let r = src.dim() === 0 ? src.reshape(1) : src;
  neShape(index).forEach((n, k) => {
    if (r._shape[k] !== n) r = r.narrow(k, 0, n);
  });
  return r.reshape(index._shape);
}

/** The gradient of src: `gi` (index-shaped) placed in the leading corner of src's shape. */
function padToSrc(gi: Tensor, src: Tensor, index: Tensor): Tensor {
  if (sameShape(gi._shape, src._shape)) return gi;
  if (numelOf(src._shape) === numelOf(index._shape)) return gi.reshape(src._shape);
  const shape = neShape(src);
  const region = (t: Tensor) => srcRegion(t.reshape(shape), index);
  return assignOutOfPlace(gi.new_zeros(src._shape), region, null, gi, false, 'torch::autograd::CopySlices');
}

/** Writes src (tensor or scalar) into `dst`'s storage at index along d. */
function scatterRaw(dst: Tensor, d: number, index: Tensor, src: Tensor | Scalar, mode: ScatterMode): void {
  const off = dimOffsets(dst, d, index);
  const vals = isT(src) ? srcRegion(src, index) : cr.full(index._shape, src, { dtype: dst.dtype, device: dst.device });
  if (mode === 'multiply') putMultiply(dst, off, vals);
  else putValues(dst, off, index._shape, vals, mode === 'add');
}

/**
 * The gradients of a scatter. For 'multiply' they are exact with zeros: each contribution's
 * partial is the product of the others, counted with how many zeros a position receives.
 */
function scatterGrads(g: Tensor, self: Tensor, d: number, idx: Tensor, src: Tensor | Scalar, mode: ScatterMode): [Tensor, Tensor | null] {
  if (mode === 'assign') return [scatter(g, d, idx, 0), isT(src) ? padToSrc(g.gather(d, idx), src, idx) : null];
  if (mode === 'add') return [g, isT(src) ? padToSrc(g.gather(d, idx), src, idx) : null];
  if (!isT(src)) return [g.mul(no_grad(() => scatter(cr.ones_like(g), d, idx, src, 'multiply'))), null];
  const s = srcRegion(src, idx);
  const zero = s.eq(0);
  const safe = s.masked_fill(zero, 1);
  const zeros = no_grad(() => scatter_add(g.new_zeros(self._shape), d, idx, zero.to(g.dtype)));
  const nonzeroProd = scatter(cr.ones_like(g), d, idx, safe, 'multiply');
  const gx = g.mul(nonzeroProd.masked_fill(zeros.ne(0), 0));
  const zi = zeros.gather(d, idx);
  const pi = nonzeroProd.gather(d, idx);
  const others = pi.div(safe).masked_fill(zi.ne(0), 0).where(zero.logical_not(), pi.masked_fill(zi.ne(1), 0));
  return [gx, padToSrc(g.mul(self).gather(d, idx).mul(others), src, idx)];
}

function scatterOp(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, mode: ScatterMode, node: string, inplace: boolean): Tensor {
  const d = normDim(dim, x.dim());
  sameDevice(isT(src) ? [x, index, src] : [x, index]);
  if (index.numel() !== 0 && index.dtype !== int64) throw new RuntimeError(`scatter(): Expected dtype int64 for index`);
  if (isT(src) && src.dtype !== x.dtype) throw new RuntimeError('scatter(): Expected self.dtype to be equal to src.dtype');
  if (index.numel() !== 0) {
    scatterShapeCheck(x, d, index, isT(src) ? src : null);
    checkDimIndex(index, d, sizeAt(x, d));
  }
  if (!needsGrad([x, src])) {
    const dst = inplace ? x : no_grad(() => x.clone());
    if (index.numel() !== 0) no_grad(() => scatterRaw(dst, d, index, src, mode));
    return dst;
  }
  if (inplace) checkInplace(x);
  // the multiply gradient reads self's old values, which an in-place scatter overwrites
  const self = mode === 'multiply' && inplace ? x.clone() : x;
  const r = no_grad(() => x.clone());
  if (index.numel() !== 0) no_grad(() => scatterRaw(r, d, index, src, mode));
  const saved = mode === 'multiply' ? [index, self] : [index];
  record(node, [x, src], [r], saved, ([g], [idx]) => scatterGrads(g!, self, d, idx!, src, mode));
  return inplace ? rebase(x, r) : r;
}

function modeOf(reduce: string | undefined): ScatterMode {
  if (reduce === undefined) return 'assign';
  if (reduce === 'add' || reduce === 'multiply') return reduce;
  throw new RuntimeError('reduce argument must be either add or multiply.');
}

function scatterNode(src: Tensor | Scalar, mode: ScatterMode): string {
  if (mode !== 'assign') return 'ScatterReduceBackward0';
  return isT(src) ? 'ScatterBackward0' : 'ScatterBackward1';
}

/**
 * `torch.scatter(x, dim, index, src)`: a copy of x with out[i][index[i][j]] = src[i][j] (dim 1);
 * `src` is a tensor or a number; `reduce` 'add' or 'multiply' combines instead of assigning.
 * Differs from PyTorch: with `reduce` the op is differentiable (PyTorch has no derivative);
 * a src larger than index gets a zero-padded gradient (PyTorch raises in backward).
 * @example torch.zeros(2, 3).scatter(1, torch.tensor([[2], [0]]), 1.0)
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, reduce?: 'add' | 'multiply'): Tensor {
  const mode = modeOf(reduce);
  return scatterOp(x, dim, index, src, mode, scatterNode(src, mode), false);
}

/** `x.scatter_(dim, index, src, {reduce})`: scatter in place. @example x.scatter_(0, idx, 1) */
export function scatter_(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, reduce?: 'add' | 'multiply'): void {
  const mode = modeOf(reduce);
  scatterOp(x, dim, index, src, mode, scatterNode(src, mode), true);
}

/**
 * `torch.scatter_add(x, dim, index, src)`: a copy of x with src added at index along dim
 * (repeated indices add up). ScatterAddBackward0 gathers the gradient for src.
 * @example torch.zeros(3).scatter_add(0, torch.tensor([0, 0, 2]), torch.ones(3)) // [2, 0, 1]
 */
export function scatter_add(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterOp(x, dim, index, src, 'add', 'ScatterAddBackward0', false);
}

/** `x.scatter_add_(dim, index, src)`: scatter_add in place. @example counts.scatter_add_(0, labels, ones) */
export function scatter_add_(x: Tensor, dim: number, index: Tensor, src: Tensor): void {
  scatterOp(x, dim, index, src, 'add', 'ScatterAddBackward0', true);
}

// ---- index_select / index_add_ ----

/** The index list taking `index` (1-d, checked) along dim d. */
function dimList(d: number, index: Tensor): (Tensor | null)[] {
  const list: (Tensor | null)[] = new Array<Tensor | null>(d).fill(null);
  list.push(index.reshape(-1));
  return list;
}

function checkRange(index: Tensor, size: number): void {
  for (const v of readValues(index)) if (v < 0 || v >= size) throw new IndexError('index out of range in self');
}

/**
 * `torch.index_select(x, dim, index)`: the entries of x at `index` (1-d, int64 or int32) along
 * dim. IndexSelectBackward0 adds the gradient back with index_add.
 * Differs from PyTorch: an out-of-range index always says `index out of range in self`.
 * @example torch.arange(6).reshape(2, 3).index_select(1, torch.tensor([2, 0])) // [[2, 0], [5, 3]]
 */
export function index_select(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normDim(dim, x.dim());
  if (index.dim() > 1) throw new IndexError('index_select(): Index is supposed to be a vector');
  if (!isIntIndex(index)) throw new RuntimeError('index_select(): Expected dtype int32 or int64 for index');
  sameDevice([x, index]);
  checkRange(index, sizeAt(x, d));
  if (x.dim() === 0) {
    const out = no_grad(() => x.clone());
    record('IndexSelectBackward0', [x], [out], [], ([g]) => [g!]);
    return out;
  }
  const list = dimList(d, index);
  const lay = layoutOf(x, list);
  const out = takeRaw(x, offsetsOf(x, list, lay), lay.shape);
  const shape = x._shape.slice();
  record('IndexSelectBackward0', [x], [out], [index], ([g], [idx]) => [
    assignOutOfPlace(g!.new_zeros(shape), identity, dimList(d, idx!), g!, true, 'IndexAddBackward0'),
  ]);
  return out;
}

/**
 * `x.index_add_(dim, index, source, {alpha})`: adds `alpha * source` into x at `index` along
 * dim (repeated indices add up), in place; IndexAddBackward0 under autograd.
 * @example torch.zeros(3, 2).index_add_(0, torch.tensor([0, 2]), torch.ones(2, 2))
 */
export function index_add_(x: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number): void {
  const d = normDim(dim, x.dim());
  if (index.dim() > 1) {
    throw new IndexError(
      `index_add_(): Index is supposed to be a vector, but got dim: ${index.dim()} with type: ${cTypeName(index.dtype)} and size: ${shapeStr(index._shape)}`,
    );
  }
  if (!isIntIndex(index)) throw new RuntimeError(`index_add_(): Expected dtype int32/int64 for index but got: ${cTypeName(index.dtype)}`);
  if (x.dtype !== source.dtype) {
    throw new RuntimeError(`index_add_(): self (${cTypeName(x.dtype)}) and source (${cTypeName(source.dtype)}) must have the same scalar type`);
  }
  if (!(d === 0 || d < source.dim())) {
    throw new RuntimeError(`index_add_(): Indexing dim ${d} is out of bounds of the source tensor with dim ${source.dim()}`);
  }
  const n = index.numel();
  if (n !== sizeAt(source, d)) {
    throw new RuntimeError(`index_add_(): Number of indices (${n}) should be equal to source.size(dim): (${sizeAt(source, d)}), for dim: ${d}`);
  }
  const drop = (s: number[]) => (x.dim() && source.dim() ? s.filter((_, k) => k !== d) : s);
  if (!sameShape(drop(x._shape), drop(source._shape))) {
    throw new RuntimeError(
      `source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = ${shapeStr(x._shape)} source.shape = ${shapeStr(source._shape)}`,
    );
  }
  sameDevice([x, index, source]);
  checkRange(index, sizeAt(x, d));
  // alpha is converted to self's dtype first, as PyTorch's kernel does
  const a = dt.castScalar(alpha, x.dtype);
  const vals = a === 1 ? source : source.mul(a);
  const target = x.dim() === 0 ? x.reshape(1) : x;
  const list = dimList(d, index);
  const lay = layoutOf(target, list);
  if (!needsGrad([x, vals])) {
    no_grad(() => putValues(target, offsetsOf(target, list, lay), lay.shape, vals.reshape(lay.shape), true));
    return;
  }
  checkInplace(x);
  const region = x.dim() === 0 ? (t: Tensor) => t.reshape(1) : identity;
  const r = assignOutOfPlace(x, region, list, vals.reshape(lay.shape), true, 'IndexAddBackward0');
  rebase(x, r);
}

// ---- masked_select / nonzero / take ----

/**
 * `torch.masked_select(x, mask)`: the 1-d tensor of x's entries where `mask` (bool, broadcast
 * with x) is true. MaskedSelectBackward0 puts the gradient back where the mask is true.
 * @example x.masked_select(x.gt(0))
 */
export function masked_select(x: Tensor, mask: Tensor): Tensor {
  if (!isMask(mask)) throw new RuntimeError('masked_select: expected BoolTensor or ByteTensor for mask');
  sameDevice([x, mask]);
  let shape = broadcastShapes(mask._shape, x._shape);
  if (shape.length === 0) shape = [1];
  const spread = (t: Tensor) => mv.makeView(t, shape, broadcastStrides(t._shape, t._strides, shape), t._offset);
  const xb = spread(x);
  const list = expandIndices(xb, [spread(mask)]);
  const lay = layoutOf(xb, list);
  const out = takeRaw(xb, offsetsOf(xb, list, lay), lay.shape);
  const xShape = x._shape.slice();
  record('MaskedSelectBackward0', [x], [out], [mask], ([g]) => [sumTo(indexPutOp(g!.new_zeros(shape), list, g!, true), xShape)]);
  return out;
}

/**
 * `torch.nonzero(x)`: the int64 [n, ndim] indices of the nonzero entries, in row-major order.
 * Reads x synchronously (the result's size depends on the values, as PyTorch syncs too).
 * @example torch.tensor([[0, 1], [2, 0]]).nonzero() // [[0, 1], [1, 0]]
 */
export function nonzero(x: Tensor): Tensor {
  const vals = readValues(x);
  const nd = x.dim();
  let n = 0;
  for (const v of vals) if (v !== 0) n++;
  const out = new Float64Array(n * nd);
  const idx = new Array<number>(nd).fill(0);
  let k = 0;
  for (let i = 0; i < vals.length; i++) {
    if (vals[i] !== 0) for (let d = 0; d < nd; d++) out[k++] = idx[d]!;
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d]! < x._shape[d]!) break;
      idx[d] = 0;
    }
  }
  return cr.fromValues(out, [n, nd], int64, x.device);
}

/**
 * `torch.take(x, index)`: x read as 1-d at `index` (int64, negative counts from the end); the
 * result has index's shape. TakeBackward0 puts the gradient back with accumulation.
 * @example torch.tensor([[1, 2], [3, 4]]).take(torch.tensor([0, -1])) // [1, 4]
 */
export function take(x: Tensor, index: Tensor): Tensor {
  if (index.dtype !== int64) throw new RuntimeError(`take(): Expected a long tensor for index, but got ${cTypeName(index.dtype)}`);
  sameDevice([x, index]);
  const n = x.numel();
  let negative = false;
  for (const v of readValues(index)) {
    if (v < -n || v >= n) throw new IndexError(`out of range: tried to access index ${v} on a tensor of ${n} elements.`);
    if (v < 0) negative = true;
  }
  const flat = negative ? index.remainder(n) : index;
  const xc = x.is_contiguous() ? x : no_grad(() => x.clone());
  const out = takeRaw(xc, xc._offset ? flat.add(xc._offset) : flat, index._shape);
  const shape = x._shape.slice();
  record('TakeBackward0', [x], [out], [index], ([g]) => [
    assignOutOfPlace(g!.new_zeros([n]), identity, [flat.reshape(-1)], g!.reshape(-1), true, 'PutBackward0').reshape(shape),
  ]);
  return out;
}
