/** Strided walks over views: collapse mergeable dims, then copy rows in tight loops. */

import type { TypedArray } from '../../dtype.js';

/** The element offset of multi-index `idx`. */
export function offsetOf(base: number, idx: readonly number[], strides: readonly number[]): number {
  let p = base;
  for (let d = 0; d < idx.length; d++) p += idx[d]! * strides[d]!;
  return p;
}

/** Sets `idx` to the multi-index of flat position `flat` in row-major `shape`. */
export function unravel(flat: number, shape: readonly number[], idx: number[]): void {
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx[d] = flat % n;
    flat = Math.floor(flat / n);
  }
}

/**
 * Moves `n` elements between a strided array and the contiguous `buf`, starting at multi-index
 * `start`: into `buf` when `load`, out of it otherwise. The direction is chosen once per row, so
 * the inner loops stay tight. 0-d shapes (one element) are handled by the caller passing [1].
 */
function walk(
  arr: TypedArray,
  base: number,
  shape: readonly number[],
  strides: readonly number[],
  start: readonly number[],
  n: number,
  buf: Float64Array,
  load: boolean,
): void {
  const last = shape.length - 1;
  const nL = shape[last]!;
  const sL = strides[last]!;
  const ctr = start.slice();
  let p = offsetOf(base, start, strides);
  let j = ctr[last]!;
  let i = 0;
  while (i < n) {
    const m = Math.min(nL - j, n - i);
    // long contiguous runs go through the native, type-converting set(): the loops below see
    // every typed-array kind and so cannot be specialised by the JIT
    if (sL === 1 && m >= 32) {
      if (load) buf.set(arr.subarray(p, p + m), i);
      else arr.set(buf.subarray(i, i + m), p);
    } else if (load) {
      if (sL === 1) for (let t = 0; t < m; t++) buf[i + t] = arr[p + t]!;
      else if (sL === 0) buf.fill(arr[p]!, i, i + m);
      else for (let t = 0, q = p; t < m; t++, q += sL) buf[i + t] = arr[q]!;
    } else if (sL === 1) {
      for (let t = 0; t < m; t++) arr[p + t] = buf[i + t]!;
    } else {
      for (let t = 0, q = p; t < m; t++, q += sL) arr[q] = buf[i + t]!;
    }
    i += m;
    p += m * sL;
    j += m;
    if (j === nL && i < n) {
      j = 0;
      p -= nL * sL;
      for (let d = last - 1; d >= 0; d--) {
        ctr[d]!++;
        p += strides[d]!;
        if (ctr[d]! < shape[d]!) break;
        p -= shape[d]! * strides[d]!;
        ctr[d] = 0;
      }
    }
  }
}

/** Copies `n` elements of a strided operand, from multi-index `start`, into `buf`. */
export function gather(
  src: TypedArray, base: number, shape: readonly number[], strides: readonly number[], start: readonly number[], n: number, buf: Float64Array,
): void {
  walk(src, base, shape, strides, start, n, buf, true);
}

/** The inverse of gather: writes `n` values of `buf` into a strided destination. */
export function scatterRows(
  dst: TypedArray, base: number, shape: readonly number[], strides: readonly number[], start: readonly number[], n: number, buf: Float64Array,
): void {
  walk(dst, base, shape, strides, start, n, buf, false);
}
