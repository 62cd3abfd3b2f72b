/**
 * Joining, splitting and rearranging: cat, stack, split, chunk, unbind, flip, roll, repeat,
 * tile, repeat_interleave, tril, triu. Outputs are preallocated and filled through the backend's
 * pointwise identity (`copy_` into narrow views) or its take kernel, never by element loops;
 * split, chunk and unbind return views. Each op is one graph node with PyTorch's grad_fn name.
 */

import * as dt from '../dtype.js';
import { IndexError, RuntimeError, pyTypeName } from '../errors.js';
import { normDim, normDims, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { emptyTensor, record, sameDevice } from './dispatch.js';
import { makeView } from './movement.js';
import { arange, fromValues, zeros } from './creation.js';
import { readValues } from './copy.js';
import { cTypeName } from './pointwise.js';
import { gatherAlong, scatterAddAlong, takeStrided } from './sort.js';
import { no_grad } from '../autograd/grad_mode.js';

/** A dim of a tensor that must have dims (PyTorch's message for 0-d inputs differs from normDim's). */
function dimOf(dim: number, ndim: number): number {
  if (ndim === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
  return normDim(dim, ndim);
}

/** `(2, 3)`, `([2, 3])` and `(2, [3])` alike, as PyTorch's IntArrayRef varargs. */
function flatInts(args: readonly (number | readonly number[])[]): number[] {
  return args.flatMap((a) => (typeof a === 'number' ? [a] : [...a]));
}

function promoted(tensors: readonly Tensor[]): dt.DType {
  return tensors.map((t) => t.dtype).reduce((a, b) => dt.promote_types(a, b));
}

/** PyTorch's error for a tensor list holding something else (TypeScript's types aside). */
function tensorList(tensors: readonly unknown[]): void {
  if (!Array.isArray(tensors)) throw new TypeError(`expected a list of Tensors, but got ${pyTypeName(tensors)}`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`expected Tensor as element ${i} in argument 0, but got ${pyTypeName(t)}`);
  });
}

/** Legacy rule: 1-d empty tensors take no part in cat's shape checks. */
const skippedInCat = (t: Tensor): boolean => t.dim() === 1 && t._shape[0] === 0;

/**
 * `torch.cat(tensors, dim=0)` (also `concat`, `concatenate`): joins tensors along an existing
 * dim, promoting dtypes as PyTorch does. 1-d empty tensors are skipped (PyTorch's legacy rule).
 * @example torch.cat([a, b], 1) // a: [2, 3], b: [2, 4] -> [2, 7]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  tensorList(tensors);
  if (tensors.length === 0) throw new RuntimeError('torch.cat(): expected a non-empty list of Tensors');
  tensors.forEach((t, i) => {
    if (t.dim() === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const ref = tensors.find((t) => !skippedInCat(t));
  const d = normDim(dim, ref ? ref.dim() : 1);
  const shape = ref ? ref._shape.slice() : [0];
  shape[d] = 0;
  tensors.forEach((t, i) => {
    if (!ref || skippedInCat(t)) return;
    if (t.dim() !== ref.dim()) {
      throw new RuntimeError(`Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`);
    }
    for (let k = 0; k < t.dim(); k++) {
      if (k !== d && t._shape[k] !== ref._shape[k]) {
        throw new RuntimeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${ref._shape[k]} but got size ${t._shape[k]} for tensor number ${i} in the list.`,
        );
      }
    }
    shape[d] += t._shape[d]!;
  });
  const device = sameDevice(tensors);
  const out = emptyTensor(shape, promoted(tensors), device);
  const starts: number[] = [];
  no_grad(() => {
    let off = 0;
    for (const t of tensors) {
      starts.push(off);
      if (!ref || skippedInCat(t)) continue;
      const n = t._shape[d]!;
      if (n > 0) out.narrow(d, off, n).copy_(t);
      off += n;
    }
  });
  const parts = tensors.map((t) => ({ skipped: !ref || skippedInCat(t), n: t._shape[d] ?? 0, dtype: t.dtype, rg: t.requires_grad }));
  record('CatBackward0', tensors, [out], [], ([g]) =>
    parts.map((p, i) => {
      if (!p.rg) return null;
      if (p.skipped) return zeros([0], { dtype: p.dtype, device: g!.device });
      return g!.narrow(d, starts[i]!, p.n).to(p.dtype);
    }),
  );
  return out;
}

/**
 * `torch.stack(tensors, dim=0)`: joins equal-shaped tensors along a new dim.
 * @example torch.stack([a, b], 1) // a, b: [2, 3] -> [2, 2, 3]
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  tensorList(tensors);
  if (tensors.length === 0) throw new RuntimeError('stack expects a non-empty TensorList');
  const ref = tensors[0]!;
  const d = normDim(dim, ref.dim() + 1);
  tensors.forEach((t, i) => {
    if (!sameShape(t._shape, ref._shape)) {
      throw new RuntimeError(
        `stack expects each tensor to be equal size, but got [${ref._shape.join(', ')}] at entry 0 and [${t._shape.join(', ')}] at entry ${i}`,
      );
    }
  });
  const device = sameDevice(tensors);
  const shape = ref._shape.slice();
  shape.splice(d, 0, tensors.length);
  const out = emptyTensor(shape, promoted(tensors), device);
  no_grad(() => tensors.forEach((t, i) => out.select(d, i).copy_(t)));
  const parts = tensors.map((t) => ({ dtype: t.dtype, rg: t.requires_grad }));
  record('StackBackward0', tensors, [out], [], ([g]) =>
    parts.map((p, i) => (p.rg ? g!.select(d, i).to(p.dtype) : null)),
  );
  return out;
}

/** Views of consecutive pieces of `x` along `d`, recorded as one node whose backward is cat. */
function splitViews(x: Tensor, d: number, sizes: readonly number[], name: string): Tensor[] {
  const parts: Tensor[] = [];
  const shapes: number[][] = [];
  let off = 0;
  for (const len of sizes) {
    const shape = x._shape.slice();
    shape[d] = len;
    shapes.push(shape);
    parts.push(makeView(x, shape, x._strides.slice(), x._offset + off * x._strides[d]!));
    off += len;
  }
  const { dtype, device } = x;
  record(name, [x], parts, [], (grads) => [
    cat(shapes.map((s, i) => grads[i] ?? zeros(s, { dtype, device })), d),
  ]);
  return parts;
}

/**
 * `torch.split(tensor, split_size_or_sections, dim=0)`: pieces of `split_size` (the last may be
 * smaller) or of the listed sizes. The pieces are views of the input.
 * @example x.split(2) // [6] -> [2], [2], [2];  x.split([1, 5])
 */
export function split(x: Tensor, s: number | readonly number[], dim = 0): Tensor[] {
  if (x.dim() === 0) throw new RuntimeError('split expects at least a 1-dimensional tensor');
  const d = normDim(dim, x.dim());
  const n = x._shape[d]!;
  if (typeof s === 'number') {
    if (s < 0) throw new RuntimeError(`split expects split_size be non-negative, but got split_size=${s}`);
    if (s === 0 && n !== 0) {
      throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${n}`);
    }
    const count = s === 0 ? 1 : Math.max(Math.ceil(n / s), 1);
    const sizes = Array.from({ length: count }, (_, i) => (i < count - 1 ? s : n - s * (count - 1)));
    return splitViews(x, d, sizes, 'SplitBackward0');
  }
  const sizes = [...s];
  if (sizes.some((v) => v < 0)) {
    throw new RuntimeError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[${sizes.join(', ')}]`);
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new RuntimeError(
      `split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${d}), but got split_sizes=[${sizes.join(', ')}]`,
    );
  }
  return splitViews(x, d, sizes, 'SplitWithSizesBackward0');
}

/**
 * `torch.chunk(input, chunks, dim=0)`: at most `chunks` views of size ceil(n / chunks)
 * (fewer when the size does not need them all, as in PyTorch).
 * @example torch.arange(6).chunk(4) // three views of 2
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (x.dim() === 0) throw new RuntimeError('chunk expects at least a 1-dimensional tensor');
  if (chunks <= 0) throw new RuntimeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normDim(dim, x.dim());
  const n = x._shape[d]!;
  const size = Math.ceil(n / chunks);
  if (size === 0) return split(x, new Array<number>(chunks).fill(0), d);
  return split(x, size, d);
}

/**
 * `torch.unbind(input, dim=0)`: the slices along `dim`, as views with that dim removed.
 * @example const [a, b] = torch.stack([x, y]).unbind()
 */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  const d = dimOf(dim, x.dim());
  const n = x._shape[d]!;
  const shape = x._shape.filter((_, k) => k !== d);
  const strides = x._strides.filter((_, k) => k !== d);
  const parts = Array.from({ length: n }, (_, i) => makeView(x, shape.slice(), strides.slice(), x._offset + i * x._strides[d]!));
  const fullShape = x._shape.slice();
  const { dtype, device } = x;
  record('UnbindBackward0', [x], parts, [], (grads) => [
    n === 0 ? zeros(fullShape, { dtype, device }) : stack(parts.map((_, i) => grads[i] ?? zeros(shape, { dtype, device })), d),
  ]);
  return parts;
}

/**
 * `torch.flip(input, dims)` / `x.flip(*dims)`: a copy with the order reversed along `dims`
 * (given as varargs or one list).
 * @example torch.flip(x, [0, 1]); x.flip(-1)
 */
export function flip(x: Tensor, dims: readonly (number | readonly number[])[]): Tensor {
  const ds = normDims(flatInts(dims), x.dim());
  const strides = x._strides.slice();
  let offset = x._offset;
  for (const d of ds) {
    const n = x._shape[d]!;
    if (n > 0) offset += (n - 1) * strides[d]!;
    strides[d] = -strides[d]!;
  }
  const out = takeStrided(x, x._shape, strides, offset);
  record('FlipBackward0', [x], [out], [], ([g]) => [g!.flip(ds)]);
  return out;
}

/** Writes `src` rolled by `shift` along `d` into `dst` (same shape): two slab copies. */
function rollInto(src: Tensor, dst: Tensor, shift: number, d: number): void {
  const n = src._shape[d]!;
  const k = n === 0 ? 0 : ((shift % n) + n) % n;
  if (k === 0) {
    dst.copy_(src);
    return;
  }
  dst.narrow(d, 0, k).copy_(src.narrow(d, n - k, k));
  dst.narrow(d, k, n - k).copy_(src.narrow(d, 0, n - k));
}

/**
 * `torch.roll(input, shifts, dims=None)`: shifts elements along `dims`, wrapping around; with
 * no dims the tensor is rolled as if flattened, then given its shape back.
 * @example torch.roll(x, 1); x.roll([1, -1], [0, 1])
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims: number | readonly number[] | null): Tensor {
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  const ds = dims === null ? [] : typeof dims === 'number' ? [dims] : [...dims];
  if (sh.length === 0) throw new RuntimeError('`shifts` required');
  const flat = ds.length === 0 && sh.length === 1;
  if (!flat && sh.length !== ds.length) {
    throw new RuntimeError(`shifts and dimensions must align. shifts: ${sh.length}, dims:${ds.length}`);
  }
  const nd = ds.map((d) => dimOf(d, x.dim()));
  const out = emptyTensor(x._shape, x.dtype, x.device);
  no_grad(() => {
    if (flat) {
      rollInto(x.reshape(-1), out.view(-1), sh[0]!, 0);
      return;
    }
    let cur = x;
    nd.forEach((d, i) => {
      const dst = i === nd.length - 1 ? out : emptyTensor(x._shape, x.dtype, x.device);
      rollInto(cur, dst, sh[i]!, d);
      cur = dst;
    });
  });
  const back = sh.map((s) => -s);
  record('RollBackward0', [x], [out], [], ([g]) => [flat ? g!.roll(back[0]!) : g!.roll(back, nd)]);
  return out;
}

/**
 * `x.repeat(*sizes)`: tiles the tensor `sizes[i]` times along each dim (leading new dims allowed).
 * @example torch.tensor([1, 2]).repeat(2, 2) // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function repeat(x: Tensor, sizes: readonly (number | readonly number[])[]): Tensor {
  const reps = flatInts(sizes);
  if (reps.length < x.dim()) {
    throw new RuntimeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  }
  const pad = reps.length - x.dim();
  const src = [...new Array<number>(pad).fill(1), ...x._shape];
  const srcStrides = [...new Array<number>(pad).fill(0), ...x._strides];
  const outShape = reps.map((r, i) => r * src[i]!);
  if (outShape.some((n) => n < 0)) {
    throw new RuntimeError(`Trying to create tensor with negative dimension ${outShape.find((n) => n < 0)}: [${outShape.join(', ')}]`);
  }
  // each dim i becomes a pair (repeat r_i with stride 0, size s_i): copying that view tiles x
  const pairShape = reps.flatMap((r, i) => [r, src[i]!]);
  const pairs = makeView(x, pairShape, reps.flatMap((_, i) => [0, srcStrides[i]!]), x._offset);
  const out = emptyTensor(outShape, x.dtype, x.device);
  no_grad(() => out.view(pairShape).copy_(pairs));
  const repDims = reps.map((_, i) => 2 * i);
  const shape = x._shape.slice();
  record('RepeatBackward0', [x], [out], [], ([g]) => {
    const r = g!.reshape(pairShape);
    return [(repDims.length ? r.sum(repDims) : r).reshape(shape)];
  });
  return out;
}

/**
 * `torch.tile(input, dims)` / `x.tile(*dims)`: as repeat, but `dims` shorter than the tensor's
 * rank are padded with leading 1s.
 * @example torch.tile(torch.ones(2, 3), [2]) // [2, 6]
 */
export function tile(x: Tensor, dims: readonly (number | readonly number[])[]): Tensor {
  const reps = flatInts(dims);
  const full = reps.length < x.dim() ? [...new Array<number>(x.dim() - reps.length).fill(1), ...reps] : reps;
  return repeat(x, [full]);
}

/**
 * `torch.repeat_interleave(input, repeats, dim=None)`: repeats each element (or each slice along
 * `dim`) `repeats` times; `repeats` is an int or an int tensor with one count per slice (or one
 * for all). With no dim the input is flattened first.
 * Differs from PyTorch: the single-argument form `repeat_interleave(repeats)` is not provided.
 * @example torch.tensor([1, 2]).repeat_interleave(2) // [1, 1, 2, 2]
 */
export function repeat_interleave(x: Tensor, repeats: number | Tensor, dim: number | null): Tensor {
  const d = dim === null ? 0 : dimOf(dim, x.dim());
  const input = dim === null ? x.flatten() : x;
  const n = input._shape[d]!;
  let counts: number[];
  if (repeats instanceof Tensor) {
    if (repeats.dim() > 1) throw new RuntimeError('repeats must be 0-dim or 1-dim tensor');
    const single = repeats.dim() === 0 || repeats._shape[0] === 1;
    if (!single && repeats._shape[0] !== n) throw new RuntimeError('repeats must have the same size as input along dim');
    if (repeats.dtype !== dt.int64 && repeats.dtype !== dt.int32) {
      throw new RuntimeError(`"repeat_interleave_${repeats.device.type}" not implemented for '${cTypeName(repeats.dtype)}'`);
    }
    const vals = Array.from(readValues(repeats));
    counts = single ? new Array<number>(n).fill(vals[0]!) : vals;
  } else {
    counts = new Array<number>(n).fill(repeats);
  }
  if (counts.some((c) => c < 0)) throw new RuntimeError('repeats can not be negative');
  const total = counts.reduce((a, b) => a + b, 0);
  const idx = new Float64Array(total);
  let j = 0;
  counts.forEach((c, i) => idx.fill(i, j, (j += c)));
  const outShape = input._shape.slice();
  outShape[d] = total;
  const at = outShape.map((s, k) => (k === d ? s : 1));
  const index = fromValues(idx, [total], dt.int64, input.device).view(at).expand(outShape);
  const out = no_grad(() => gatherAlong(input, d, index));
  const shape = input._shape.slice();
  record('IndexSelectBackward0', [input], [out], [], ([g]) => [scatterAddAlong(shape, d, index, g!)]);
  return out;
}

/** Zeros outside the band of the last two dims kept by tril (`lower`) or triu. */
function triangle(x: Tensor, diagonal: number, lower: boolean): Tensor {
  if (x.dim() === 0) throw new IndexError('Dimension specified as -2 but tensor has no dimensions');
  normDim(-2, x.dim());
  const rows = x._shape[x.dim() - 2]!;
  const cols = x._shape[x.dim() - 1]!;
  const device = x.device;
  const offset = arange(cols, { dtype: dt.int64, device }).sub(arange(rows, { dtype: dt.int64, device }).view(rows, 1));
  const drop = lower ? offset.gt(diagonal) : offset.lt(diagonal);
  const out = no_grad(() => x.masked_fill(drop, 0));
  record(lower ? 'TrilBackward0' : 'TriuBackward0', [x], [out], [], ([g]) => [triangle(g!, diagonal, lower)]);
  return out;
}

/**
 * `torch.tril(input, diagonal=0)`: the lower triangle of the last two dims (elements with
 * column - row <= diagonal), zeros elsewhere.
 * @example torch.tril(torch.ones(3, 3)) // ones on and below the diagonal
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, true);
}

/**
 * `torch.triu(input, diagonal=0)`: the upper triangle of the last two dims (elements with
 * column - row >= diagonal), zeros elsewhere.
 * @example torch.triu(torch.ones(3, 3), 1) // ones strictly above the diagonal
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle(x, diagonal, false);
}
