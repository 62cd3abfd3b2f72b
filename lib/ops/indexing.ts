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
 * the strides) fed to the backend's `take` and `put` kernels. Index bounds are checked by
 * `checkedIndex`: on the CPU the values are read and a bad index raises at once; on 'cuda' a
 * kernel checks them on the device (no read back, as PyTorch's CUDA kernels do) and a bad index
 * raises `CUDA error: device-side assert triggered: index 7 is out of bounds for dimension 0 with
 * size 5` at the next read or torch.cuda.synchronize(). An index held on the CPU is checked
 * there, at once, before it is sent to the device.
 *
 * What syncs on 'cuda' (reads back, as in PyTorch, because a shape or a Python number depends on
 * the values): bool masks (`x.get(mask)`, `x.set(mask, v)`, masked_select, nonzero), which need
 * the count of true values, and a 0-d integer tensor item (`x.get(torch.tensor(1))`), which is a
 * select at that number, as in PyTorch.
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
import { broadcastShapes, numelOf, sameShape, shapeStr } from '../shape.js';
import { Tensor, type Scalar } from '../tensor.js';
import type { IndexCheck } from '../backend.js';
import { emptyTensor, needsGrad, record, viewOf } from './dispatch.js';
import { nonzero } from './scatter.js';
import * as mv from './movement.js';
import { readValues } from './copy.js';
import * as cr from './creation.js';
import { cTypeName, rebase } from './pointwise.js';
import { sumTo } from './reduction.js';
import { is_grad_enabled, no_grad } from '../autograd/grad_mode.js';

export type IndexItem = number | string | null | Tensor | readonly number[] | readonly boolean[];

/** Per-dim integer indices after masks are expanded: null where a dim is taken whole. */
type IndexList = readonly (Tensor | null)[];

export const isT = (v: unknown): v is Tensor => v instanceof Tensor;
export const isMask = (t: Tensor): boolean => t.dtype === dt.bool || t.dtype === dt.uint8;
export const isIntIndex = (t: Tensor): boolean => t.dtype === dt.int64 || t.dtype === dt.int32;
export const ones = (k: number): number[] => new Array<number>(k).fill(1);
/** PyTorch's `ensure_nonempty_*`: a 0-d tensor acts as 1-d of size 1 in gather/scatter. */
export const neShape = (t: Tensor): number[] => (t.dim() === 0 ? [1] : t._shape);
export const neStrides = (t: Tensor): number[] => (t.dim() === 0 ? [1] : t._strides);

function int64Full(shape: readonly number[], value: number, t: Tensor): Tensor {
  return cr.full(shape, value, { dtype: int64, device: t.device });
}

export function checkInplace(x: Tensor, throughView = false): void {
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
export function layoutOf(t: Tensor, list: IndexList): Layout {
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
export function scaled(index: Tensor, stride: number): Tensor {
  const i = index.to(int64);
  return stride === 1 ? i : i.mul(stride);
}

/** `arange(n) * stride` shaped to broadcast along result dim p of an nd-dim result. */
export function rangeTerm(t: Tensor, n: number, stride: number, p: number, nd: number): Tensor {
  const shp = ones(nd);
  shp[p] = n;
  return cr.arange(0, n * stride, stride, { dtype: int64, device: t.device }).view(shp);
}

/**
 * Sums broadcastable offset terms plus `base`, smallest first, so only the last addition runs
 * over the full result (the offsets may come back as a broadcast view of `shape`).
 */
export function sumTerms(terms: Tensor[], base: number, shape: readonly number[], t: Tensor): Tensor {
  terms.sort((a, b) => a.numel() - b.numel());
  let off: Tensor = terms.length ? terms[0]! : int64Full([], 0, t);
  if (base !== 0) off = off.add(base);
  for (const term of terms.slice(1)) off = off.add(term);
  return sameShape(off._shape, shape) ? off : off.expand(shape);
}

/** int64 storage offsets (of `t`'s storage) of every element of the indexing result. */
export function offsetsOf(t: Tensor, list: IndexList, lay: Layout): Tensor {
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
export function takeRaw(src: Tensor, offsets: Tensor, shape: readonly number[]): Tensor {
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
export function putValues(dst: Tensor, offsets: Tensor, shape: readonly number[], value: Tensor | Scalar, accumulate: boolean): void {
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
export function putMultiply(dst: Tensor, offsets: Tensor, values: Tensor): void {
  const be0 = backendFor(dst.device);
  if (be0.putMultiply) {
    // the device multiplies atomically: no rounds, nothing read back
    if (offsets.numel() > 0) be0.putMultiply(dst._storage, viewOf(offsets), viewOf(values.to(dst.dtype)));
    dst._storage.version++;
    return;
  }
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

/** PyTorch's CPU message for an index outside its dimension. */
function indexMessage(check: IndexCheck, v: number, size: number): string {
  if (check.kind === 'bounds') return `index ${v} is out of bounds for dimension ${check.dim} with size ${size}`;
  if (check.kind === 'range') return 'index out of range in self';
  return `out of range: tried to access index ${v} on a tensor of ${size} elements.`;
}

/**
 * `index` checked against a dimension of `size`, negative values wrapped where `wrap` allows
 * [-size, size) (else [0, size)). On a backend with a device-side check (cuda) one kernel checks
 * and wraps without reading back, and a bad index raises at the next read (see the top of this
 * file); elsewhere the values are read and a bad one raises `Err` with `check`'s message at once.
 * The result feeds offsets directly: always in range.
 */
export function checkedIndex(index: Tensor, size: number, wrap: boolean, check: IndexCheck, Err: new (msg: string) => Error = IndexError): Tensor {
  const be = backendFor(index.device);
  if (be.checkIndex) {
    if (index.numel() === 0) return index;
    const out = emptyTensor(index._shape, index.dtype, index.device);
    be.checkIndex(viewOf(index), viewOf(out), size, wrap, check);
    return out;
  }
  let negative = false;
  for (const v of readValues(index)) {
    if (v < (wrap ? -size : 0) || v >= size) throw new Err(indexMessage(check, v, size));
    if (v < 0) negative = true;
  }
  return negative ? index.remainder(size) : index;
}

/**
 * PyTorch's make_info checks: index dtypes, masks expanded to their nonzero() columns (shape
 * checked against the dims they cover), broadcasting, and bounds (negatives wrapped).
 */
export function expandIndices(t: Tensor, list: IndexList): (Tensor | null)[] {
  for (const ix of list) {
    if (ix && !isMask(ix) && !isIntIndex(ix)) throw new IndexError('tensors used as indices must be long, int, byte or bool tensors');
  }
  const out: (Tensor | null)[] = [];
  const fromMask = new Set<Tensor>();
  // an index on the CPU is checked (and a mask counted) there, then sent: nothing is read back
  const onDevice = (ix: Tensor) => (ix.device === t.device ? ix : ix.to(t.device));
  for (const raw of list) {
    if (!raw) {
      out.push(null);
      continue;
    }
    const ix = raw.device.type === 'cpu' ? raw : onDevice(raw);
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
    const nz = onDevice(nonzero(ix));
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
    return onDevice(checkedIndex(ix, n, true, { kind: 'bounds', dim: ordinal }));
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
export function assignOutOfPlace(
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

export const identity = (t: Tensor): Tensor => t;

/** `x.index_put(list, values, accumulate)` out of place, on checked indices. */
export function indexPutOp(x: Tensor, list: IndexList, values: Tensor | Scalar, accumulate: boolean): Tensor {
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
    // made on the CPU: checked (or counted, for a mask) there, then sent to x's device
    const t = arr.length === 0
      ? cr.zeros([0], { dtype: int64, device: x.device })
      : cr.tensor(arr as (number | boolean)[], { device: 'cpu' });
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
 * `x[index]`: see the top of this file for the translation of each item. On 'cuda' integer index
 * tensors are checked on the device (a bad one raises at the next read); a bool mask and a 0-d
 * index tensor are read back, as in PyTorch.
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
