/**
 * Views: ops that only change shape, strides and offset over the same storage, each with its
 * backward. Nothing here copies data except `reshape` when no view exists.
 */

import { IndexError, RuntimeError } from '../errors.js';
import { contiguousStrides, normDim, normDims, numelOf, parseSize } from '../shape.js';
import { Tensor, type Dims } from '../tensor.js';
import { emptyTensor, record, viewOf } from './dispatch.js';
import { backendFor } from '../device.js';
import { int64 } from '../dtype.js';
import { no_grad } from '../autograd/grad_mode.js';
import { sumTo } from './reduction.js';

export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const n = shape[i]!;
    if (n === 1) continue;
    if (strides[i] !== expected) return false;
    expected *= n;
  }
  return true;
}

/** A tensor sharing `x`'s storage with new metadata; not recorded in the graph. */
export function makeView(x: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  const v = new Tensor(x._storage, x.device, shape, strides, offset);
  v._base = x._base ?? x;
  return v;
}

/** `x.detach()`: an alias outside the graph. */
export function alias(x: Tensor): Tensor {
  return makeView(x, x._shape.slice(), x._strides.slice(), x._offset);
}

/** Resolves one -1 in a requested shape, with PyTorch's errors. */
export function inferSize(args: readonly (number | readonly number[])[], numel: number): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as readonly number[]);
  let infer = -1;
  let known = 1;
  const out: number[] = [];
  flat.forEach((d, i) => {
    if (d === -1) {
      if (infer >= 0) throw new RuntimeError('only one dimension can be inferred');
      infer = i;
      out.push(-1);
    } else {
      if (!Number.isInteger(d) || d < 0) throw new RuntimeError(`invalid shape dimension ${d}`);
      known *= d;
      out.push(d);
    }
  });
  const bad = () => new RuntimeError(`shape '[${flat.join(', ')}]' is invalid for input of size ${numel}`);
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) throw bad();
    out[infer] = numel / known;
  } else if (known !== numel) throw bad();
  return out;
}

/** Strides viewing (shape, strides) as newShape without a copy, or null (PyTorch's computeStride). */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(shape);
  if (numel === 0) return contiguousStrides(newShape);
  if (shape.length === 0) return newShape.map(() => 1); // a 0-d tensor views as any all-ones shape
  const out = new Array<number>(newShape.length);
  let viewD = newShape.length - 1;
  let chunkBase = strides[strides.length - 1] ?? 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

// the shape is taken now: an in-place view op (squeeze_, t_) may change x's shape before backward
const shapeBack = (x: Tensor) => {
  const shape = x._shape.slice();
  return (g: Tensor) => g.reshape(shape);
};

export function view(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  const shape = inferSize(args, x.numel());
  const strides = viewStrides(x._shape, x._strides, shape);
  if (!strides) {
    throw new RuntimeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  const v = makeView(x, shape, strides, x._offset);
  const back = shapeBack(x);
  record('ViewBackward0', [x], [v], [], ([g]) => [back(g!)]);
  return v;
}

export function reshape(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  const shape = inferSize(args, x.numel());
  if (viewStrides(x._shape, x._strides, shape)) return view(x, [shape]);
  return view(x.clone(), [shape]);
}

export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.dim() === 0) return reshape(x, [[1]]);
  const s = normDim(start, x.dim());
  const e = normDim(end, x.dim());
  if (s > e) throw new RuntimeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x;
  const shape = [...x._shape.slice(0, s), numelOf(x._shape.slice(s, e + 1)), ...x._shape.slice(e + 1)];
  return reshape(x, [shape]);
}

export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  const d = normDim(dim, x.dim());
  const inner = inferSize([sizes], x._shape[d]!);
  return view(x, [[...x._shape.slice(0, d), ...inner, ...x._shape.slice(d + 1)]]);
}

export function squeeze(x: Tensor, dim?: Dims): Tensor {
  const dims = dim === undefined ? null : normDims(dim, x.dim());
  const shape: number[] = [];
  const strides: number[] = [];
  x._shape.forEach((n, i) => {
    if (n === 1 && (dims === null || dims.includes(i))) return;
    shape.push(n);
    strides.push(x._strides[i]!);
  });
  const v = makeView(x, shape, strides, x._offset);
  const back = shapeBack(x);
  record(dim === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1', [x], [v], [], ([g]) => [back(g!)]);
  return v;
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.dim() + 1);
  const shape = x._shape.slice();
  const strides = x._strides.slice();
  const st = d < x.dim() ? x._shape[d]! * x._strides[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, st);
  const v = makeView(x, shape, strides, x._offset);
  record('UnsqueezeBackward0', [x], [v], [], ([g]) => [g!.squeeze(d)]);
  return v;
}

export function permute(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  const dims = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as readonly number[];
  if (dims.length !== x.dim()) {
    throw new RuntimeError(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.dim()} is not equal to len(dims) = ${dims.length}`,
    );
  }
  const nd = dims.map((d) => normDim(d, x.dim()));
  if (new Set(nd).size !== nd.length) throw new RuntimeError('permute(): duplicate dims are not allowed.');
  const v = makeView(x, nd.map((d) => x._shape[d]!), nd.map((d) => x._strides[d]!), x._offset);
  const inv = new Array<number>(nd.length);
  nd.forEach((d, i) => (inv[d] = i));
  record('PermuteBackward0', [x], [v], [], ([g]) => [g!.permute(inv)]);
  return v;
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normDim(dim0, x.dim());
  const b = normDim(dim1, x.dim());
  const shape = x._shape.slice();
  const strides = x._strides.slice();
  if (x.dim() > 0) {
    [shape[a], shape[b]] = [shape[b]!, shape[a]!];
    [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  }
  const v = makeView(x, shape, strides, x._offset);
  record('TransposeBackward0', [x], [v], [], ([g]) => [g!.transpose(a, b)]);
  return v;
}

export function t(x: Tensor): Tensor {
  if (x.dim() > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  if (x.dim() < 2) {
    const v = alias(x);
    record('TBackward0', [x], [v], [], ([g]) => [g!]);
    return v;
  }
  const v = makeView(x, [x._shape[1]!, x._shape[0]!], [x._strides[1]!, x._strides[0]!], x._offset);
  record('TBackward0', [x], [v], [], ([g]) => [g!.t()]);
  return v;
}

export function movedim(x: Tensor, source: Dims, destination: Dims): Tensor {
  const src = (typeof source === 'number' ? [source] : source).map((d) => normDim(d, x.dim()));
  const dst = (typeof destination === 'number' ? [destination] : destination).map((d) => normDim(d, x.dim()));
  if (src.length !== dst.length) {
    throw new RuntimeError(
      `movedim: Invalid source or destination dims: source (${JSON.stringify(source)} dims) should contain the same number of dims as destination (${JSON.stringify(destination)} dims)`,
    );
  }
  const order = new Array<number>(x.dim()).fill(-1);
  dst.forEach((d, i) => (order[d] = src[i]!));
  const rest = [...Array(x.dim()).keys()].filter((d) => !src.includes(d));
  let k = 0;
  for (let i = 0; i < order.length; i++) if (order[i] === -1) order[i] = rest[k++]!;
  return permute(x, [order]);
}

export function expand(x: Tensor, args: readonly (number | readonly number[])[]): Tensor {
  const sizes = (args.length === 1 && Array.isArray(args[0]) ? args[0] : args) as readonly number[];
  if (sizes.length < x.dim()) {
    throw new RuntimeError(
      `expand(torch.FloatTensor{[${x._shape.join(', ')}]}, size=[${sizes.join(', ')}]): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const off = sizes.length - x.dim();
  const shape: number[] = [];
  const strides: number[] = [];
  sizes.forEach((s, i) => {
    const j = i - off;
    const cur = j >= 0 ? x._shape[j]! : 1;
    if (s === -1) {
      if (j < 0) throw new RuntimeError(`The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}`);
      shape.push(cur);
      strides.push(x._strides[j]!);
    } else if (j >= 0 && cur === s) {
      shape.push(s);
      strides.push(x._strides[j]!);
    } else if (cur === 1) {
      shape.push(s);
      strides.push(0);
    } else {
      throw new RuntimeError(
        `The expanded size of the tensor (${s}) must match the existing size (${cur}) at non-singleton dimension ${i}.  Target sizes: [${sizes.join(', ')}].  Tensor sizes: [${x._shape.join(', ')}]`,
      );
    }
  });
  const v = makeView(x, shape, strides, x._offset);
  record('ExpandBackward0', [x], [v], [], ([g]) => [sumTo(g!, x._shape)]);
  return v;
}

/**
 * The gradient of a non-overlapping view: zeros of the base's shape with `g` written where the
 * view reads. Recorded as an op so double backward works (its backward takes the view again).
 */
export function viewGrad(g: Tensor, baseShape: readonly number[], take: (t: Tensor) => Tensor, name: string): Tensor {
  const out = emptyTensor(baseShape, g.dtype, g.device);
  no_grad(() => {
    out.zero_();
    take(out).copy_(g);
  });
  record(name, [g], [out], [], ([gg]) => [take(gg!)]);
  return out;
}

export function slice(x: Tensor, dim: number, start: number, stop: number, step: number): Tensor {
  const d = normDim(dim, x.dim());
  const n = x._shape[d]!;
  if (step <= 0) throw new RuntimeError('slice step must be positive');
  const clampIdx = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const s = clampIdx(start);
  const e = Math.max(clampIdx(stop), s);
  const len = Math.ceil((e - s) / step);
  const shape = x._shape.slice();
  const strides = x._strides.slice();
  shape[d] = len;
  strides[d] = x._strides[d]! * step;
  const v = makeView(x, shape, strides, x._offset + s * x._strides[d]!);
  const shp = x._shape.slice();
  record('SliceBackward0', [x], [v], [], ([g]) => [viewGrad(g!, shp, (b) => slice(b, d, s, e, step), 'SliceBackwardBackward0')]);
  return v;
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normDim(dim, x.dim());
  const n = x._shape[d]!;
  if (start < -n || start > n) {
    throw new IndexError(`start out of range (expected to be in range of [${-n}, ${n}], but got ${start})`);
  }
  const s = start < 0 ? start + n : start;
  if (length < 0 || s + length > n) {
    throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${n}).`);
  }
  return slice(x, d, s, s + length, 1);
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.dim() === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
  const d = normDim(dim, x.dim());
  const n = x._shape[d]!;
  if (index < -n || index >= n) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size [${x._shape.join(', ')}] at dimension ${d}`);
  }
  const i = index < 0 ? index + n : index;
  const shape = x._shape.slice();
  const strides = x._strides.slice();
  shape.splice(d, 1);
  strides.splice(d, 1);
  const v = makeView(x, shape, strides, x._offset + i * x._strides[d]!);
  const shp = x._shape.slice();
  record('SelectBackward0', [x], [v], [], ([g]) => [viewGrad(g!, shp, (b) => select(b, d, i), 'SelectBackwardBackward0')]);
  return v;
}

export function diagonal(x: Tensor, offset: number, dim1: number, dim2: number): Tensor {
  const a = normDim(dim1, x.dim());
  const b = normDim(dim2, x.dim());
  if (a === b) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  const len = Math.max(0, offset >= 0 ? Math.min(x._shape[a]!, x._shape[b]! - offset) : Math.min(x._shape[a]! + offset, x._shape[b]!));
  let off = x._offset;
  if (len > 0) off += offset >= 0 ? offset * x._strides[b]! : -offset * x._strides[a]!;
  const shape: number[] = [];
  const strides: number[] = [];
  x._shape.forEach((n, i) => {
    if (i !== a && i !== b) {
      shape.push(n);
      strides.push(x._strides[i]!);
    }
  });
  shape.push(len);
  strides.push(x._strides[a]! + x._strides[b]!);
  const v = makeView(x, shape, strides, off);
  const shp = x._shape.slice();
  record('DiagonalBackward0', [x], [v], [], ([g]) => [viewGrad(g!, shp, (t) => diagonal(t, offset, a, b), 'DiagonalBackwardBackward0')]);
  return v;
}

/**
 * The gradient of a possibly overlapping view (unfold, as_strided): every element of `g`
 * is added at the storage offset the view reads, relative to a contiguous base.
 */
function overlapGrad(g: Tensor, baseShape: readonly number[], shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const n = numelOf(shape);
  const offs = new Float64Array(n);
  // row by row: the last dim's offsets are an arithmetic run from each row's base
  const last = shape.length - 1;
  const nL = last >= 0 ? shape[last]! : 1;
  const sL = last >= 0 ? strides[last]! : 0;
  const idx = new Array<number>(Math.max(last, 0)).fill(0);
  let base = offset;
  for (let k = 0; k < n; k += nL) {
    for (let j = 0; j < nL; j++) offs[k + j] = base + j * sL;
    for (let d = last - 1; d >= 0; d--) {
      base += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      base -= shape[d]! * strides[d]!;
      idx[d] = 0;
    }
  }
  const out = emptyTensor(baseShape, g.dtype, g.device);
  const be = backendFor(g.device);
  const offT = emptyTensor([n], int64, g.device);
  be.write(viewOf(offT), offs);
  const gc = g.contiguous();
  no_grad(() => out.zero_());
  be.put(out._storage, viewOf(offT), viewOf(gc), true);
  record('AsStridedScatterBackward0', [g], [out], [], ([gg]) => [as_strided(gg!.contiguous(), shape, strides, offset)]);
  return out;
}

export function unfold(x: Tensor, dimension: number, size: number, step: number): Tensor {
  const d = normDim(dimension, x.dim());
  const n = x.dim() === 0 ? 1 : x._shape[d]!;
  if (size > n) throw new RuntimeError(`maximum size for tensor at dimension ${d} is ${n} but size is ${size}`);
  if (step <= 0) throw new RuntimeError(`step is ${step} but must be > 0`);
  const shape = x._shape.slice();
  const strides = x._strides.slice();
  const st = x.dim() === 0 ? 1 : x._strides[d]!;
  if (x.dim() > 0) {
    shape[d] = Math.floor((n - size) / step) + 1;
    strides[d] = st * step;
  }
  shape.push(size);
  strides.push(st);
  const v = makeView(x, shape, strides, x._offset);
  const base = x._shape.slice();
  const cs = contiguousStrides(base);
  const vStrides = x.dim() === 0 ? [1] : [...cs.map((s, i) => (i === d ? s * step : s)), cs[d]!];
  record('UnfoldBackward0', [x], [v], [], ([g]) => [overlapGrad(g!, base, shape, vStrides, 0)]);
  return v;
}

export function as_strided(x: Tensor, size: readonly number[], stride: readonly number[], storage_offset?: number): Tensor {
  const shape = parseSize([size]);
  if (stride.length !== shape.length) {
    throw new RuntimeError(`mismatch in length of strides and shape`);
  }
  const off = storage_offset ?? x._offset;
  let maxOff = off;
  shape.forEach((n, i) => (maxOff += n > 0 ? (n - 1) * stride[i]! : 0));
  if (numelOf(shape) > 0 && maxOff >= x._storage.size) {
    throw new RuntimeError(
      `setStorage: sizes [${shape.join(', ')}], strides [${stride.join(', ')}], storage offset ${off}, and itemsize ${x.dtype.itemsize} requiring a storage size of ${(maxOff + 1) * x.dtype.itemsize} are out of bounds for storage of size ${x._storage.size * x.dtype.itemsize}`,
    );
  }
  const v = makeView(x, shape, stride.slice(), off);
  const base = x._shape.slice();
  const rel = off - x._offset;
  record('AsStridedBackward0', [x], [v], [], ([g]) => {
    if (!x.is_contiguous()) throw new RuntimeError('as_strided backward needs a contiguous input in torchlab');
    return [overlapGrad(g!, base, shape, stride, rel)];
  });
  return v;
}
