/**
 * Dim-wise indexing: gather, scatter, scatter_add, index_select, index_add_, and masked_select,
 * nonzero, take. Index bounds are checked by `checkedIndex` (indexing.ts): at once on the CPU; on
 * 'cuda' on the device, without reading back, raised at the next read as a device-side assert.
 * masked_select and nonzero read back on 'cuda' (their result's size depends on the values, as
 * PyTorch's CUDA kernels sync there too).
 */

import * as dt from '../dtype.js';
import { int64 } from '../dtype.js';
import { IndexError, RuntimeError } from '../errors.js';
import { broadcastShapes, broadcastStrides, normDim, numelOf, sameShape, shapeStr } from '../shape.js';
import { Tensor, type Scalar } from '../tensor.js';
import { emptyTensor, needsGrad, record, sameDevice, viewOf } from './dispatch.js';
import { backendFor } from '../device.js';
import * as mv from './movement.js';
import { readValues } from './copy.js';
import * as cr from './creation.js';
import { cTypeName, rebase } from './pointwise.js';
import { sumTo } from './reduction.js';
import { no_grad } from '../autograd/grad_mode.js';
import { checkInplace, layoutOf, scaled, rangeTerm, sumTerms, offsetsOf, takeRaw, putValues, putMultiply, expandIndices, assignOutOfPlace, indexPutOp, isT, isMask, isIntIndex, neShape, neStrides, identity, checkedIndex } from './indexing.js';

/** gather/scatter's index checked against dim `d` of `size` (no negative indices here). */
function checkDimIndex(index: Tensor, d: number, size: number): Tensor {
  return checkedIndex(index, size, false, { kind: 'bounds', dim: d }, RuntimeError);
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
  let idx = index;
  if (index.numel() !== 0) {
    if (index.dtype !== int64) throw new RuntimeError('gather(): Expected dtype int64 for index');
    gatherShapeCheck(x, d, index);
    idx = checkDimIndex(index, d, sizeAt(x, d));
  }
  const out = takeRaw(x, dimOffsets(x, d, idx), index._shape);
  const shape = x._shape.slice();
  record('GatherBackward0', [x], [out], [idx], ([g], [i]) => [scatter_add(g!.new_zeros(shape), d, i!, g!)]);
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
    index = checkDimIndex(index, d, sizeAt(x, d));
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

/** index_select / index_add_'s index checked against dim `d` of `size` (no negative indices). */
function checkRange(index: Tensor, d: number, size: number): Tensor {
  return checkedIndex(index, size, false, { kind: 'range', dim: d });
}

/**
 * index_select's values for a 1-d index already checked (in range, non-negative) and x of at least
 * one dim, without a graph: DataLoader gathers a TensorDataset's batch with it.
 */
export function selectChecked(x: Tensor, d: number, index: Tensor): Tensor {
  const be = backendFor(x.device);
  if (d === 0 && be.indexSelect) {
    // whole rows: the backend copies each one, without an offset per element
    const out = emptyTensor([index.numel(), ...x._shape.slice(1)], x.dtype, x.device, true);
    if (out.numel() > 0) be.indexSelect(viewOf(x), viewOf(index.reshape(-1)), viewOf(out));
    return out;
  }
  const list = dimList(d, index);
  const lay = layoutOf(x, list);
  return takeRaw(x, offsetsOf(x, list, lay), lay.shape);
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
  index = checkRange(index, d, sizeAt(x, d));
  if (x.dim() === 0) {
    const out = no_grad(() => x.clone());
    record('IndexSelectBackward0', [x], [out], [], ([g]) => [g!]);
    return out;
  }
  const out = selectChecked(x, d, index);
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
  index = checkRange(index, d, sizeAt(x, d));
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
 * On 'cuda' the mask is read back (the result's length is its count of true values), as
 * PyTorch's CUDA masked_select syncs too.
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
  const flat = checkedIndex(index, n, true, { kind: 'take' });
  const xc = x.is_contiguous() ? x : no_grad(() => x.clone());
  const out = takeRaw(xc, xc._offset ? flat.add(xc._offset) : flat, index._shape);
  const shape = x._shape.slice();
  record('TakeBackward0', [x], [out], [index], ([g]) => [
    assignOutOfPlace(g!.new_zeros([n]), identity, [flat.reshape(-1)], g!.reshape(-1), true, 'PutBackward0').reshape(shape),
  ]);
  return out;
}
