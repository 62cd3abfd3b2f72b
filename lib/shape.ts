/** Shapes, strides, broadcasting and dimension arguments, with PyTorch's error messages. */

import { IndexError, RuntimeError } from './errors.js';

export type Shape = readonly number[];

/** The argument forms PyTorch accepts for a size: `f(3, 4)`, `f([3, 4])`. */
export type SizeArgs = number[] | [readonly number[]];

/** Normalises `(3, 4)` or `([3, 4])` to `[3, 4]`, checking each entry. */
export function parseSize(args: readonly (number | readonly number[])[], what = 'size'): number[] {
  const flat = args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as readonly number[]);
  const out: number[] = [];
  for (const d of flat) {
    if (typeof d !== 'number' || !Number.isInteger(d)) {
      throw new TypeError(`${what} must be a tuple of ints, but got ${JSON.stringify(flat)}`);
    }
    if (d < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${d}: [${flat.join(', ')}]`);
    out.push(d);
  }
  return out;
}

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= Math.max(shape[i]!, 1);
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Wraps a possibly negative dim into `[0, ndim)`, with PyTorch's IndexError text. */
export function normDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1); // a 0-d tensor accepts dim 0 and -1, as in PyTorch
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an int, but got ${dim}`);
  if (dim < -n || dim >= n) {
    throw new IndexError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** A dim argument that may be one int or a list; returns the sorted unique positive dims. */
export function normDims(dim: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (dim === undefined || dim === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === 'number' ? [dim] : dim;
  const out: number[] = [];
  for (const d of list) {
    const nd = ndim === 0 ? (normDim(d, 0), -1) : normDim(d, ndim);
    if (nd < 0) continue;
    if (out.includes(nd)) throw new RuntimeError(`dim ${nd} appears multiple times in the list of dims`);
    out.push(nd);
  }
  return out.sort((a, b) => a - b);
}

/** Broadcasts shapes as PyTorch does, throwing its message on mismatch. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  let ndim = 0;
  for (const s of shapes) ndim = Math.max(ndim, s.length);
  const out = new Array<number>(ndim).fill(1);
  for (let k = 0; k < shapes.length; k++) {
    const s = shapes[k]!;
    for (let i = 0; i < s.length; i++) {
      const o = ndim - s.length + i;
      const d = s[i]!;
      if (d === out[o]) continue;
      if (out[o] === 1) out[o] = d;
      else if (d !== 1) {
        throw new RuntimeError(
          `The size of tensor a (${out[o]}) must match the size of tensor b (${d}) at non-singleton dimension ${o}`,
        );
      }
    }
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if it had shape `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const off = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 && target[off + i] !== 1 ? 0 : strides[i]!;
  return out;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Merges adjacent dims that every operand walks contiguously and drops size-1 dims, so kernels
 * loop over as few dims as possible. At least one dim stays (a 0-d view becomes [1], stride 0).
 */
export function collapse(shape: readonly number[], stridesList: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    for (let k = 0; merge && k < stridesList.length; k++) merge = outStrides[k]![last] === stridesList[k]![d]! * n;
    if (merge) {
      outShape[last] = outShape[last]! * n;
      for (let k = 0; k < stridesList.length; k++) outStrides[k]![last] = stridesList[k]![d]!;
    } else {
      outShape.push(n);
      for (let k = 0; k < stridesList.length; k++) outStrides[k]!.push(stridesList[k]![d]!);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const st of outStrides) st.push(0);
  }
  return { shape: outShape, strides: outStrides };
}
