/**
 * How the WebAssembly kernels of conv.ts and relu.ts get their operands: float32 views copied into
 * the engine's data area (gemm.ts's layout: every call stages there afresh, synchronously) and
 * results copied out, or, for arrays the CPU allocator keeps in that memory already, read and
 * written in place, or, for the result the previous call copied out (gemm.ts's stagedResult),
 * read where that call left it.
 */

import type { View } from '../../../backend.js';
import type { CpuStorage } from '../index.js';
import { numelOf } from '../../../shape.js';
import { ensureMemoryKeeping, inWasmMemory, noteResult, resultRange, stagedResult, type Engine } from './gemm.js';

/**
 * Byte addresses of room for the call's buffers (floats each) in the data area; null when they do
 * not fit in 2 GiB. The room leaves the previous call's result where it is (after it, where the
 * start of the area would overlap it), so that the call may read it there (placeIn).
 */
export function reserve(e: Engine, floats: number[]): number[] | null {
  // 16 bytes of slack: im2col's row copies read and write up to one vector past a row's end
  const bytes = floats.map((n) => Math.ceil((n * 4 + 16) / 64) * 64);
  const total = bytes.reduce((a, b) => a + b, 0);
  let top = e.dataStart;
  const kept = resultRange();
  if (kept !== null && top < kept[1] && top + total > kept[0]) top = Math.ceil(kept[1] / 64) * 64;
  const at: number[] = [];
  for (const b of bytes) {
    at.push(top);
    top += b;
  }
  return ensureMemoryKeeping(e, top) ? at : null;
}

export const f32 = (v: View): Float32Array => (v.storage as CpuStorage).data as Float32Array;

/** Copies a float32 view (any strides, up to 4 dims) into the heap at byte `at`, contiguous. */
export function stageIn(e: Engine, v: View, at: number): void {
  const src = f32(v);
  const shape = [1, 1, 1, 1].concat(v.shape).slice(-4) as [number, number, number, number];
  const strides = [0, 0, 0, 0].concat(v.strides).slice(-4) as [number, number, number, number];
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  let dense = true;
  for (let d = 3, s = 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== s) dense = false;
    s *= shape[d]!;
  }
  const heap = e.heap;
  let q = at / 4;
  if (dense) {
    heap.set(src.subarray(v.offset, v.offset + n), q);
    return;
  }
  const [n0, n1, n2, n3] = shape;
  const [s0, s1, s2, s3] = strides;
  for (let a = 0; a < n0; a++) {
    for (let b = 0; b < n1; b++) {
      for (let c = 0; c < n2; c++) {
        let p = v.offset + a * s0 + b * s1 + c * s2;
        for (let d = 0; d < n3; d++, p += s3) heap[q++] = src[p]!;
      }
    }
  }
}

/** Copies `n` floats from the heap at byte `at` into a contiguous float32 view, unless the kernel wrote them there in place (outAt). */
export function stageOut(e: Engine, at: number, v: View, n: number): void {
  if (at === residentAt(v)) return;
  f32(v).set(e.heap.subarray(at / 4, at / 4 + n), v.offset);
}

/**
 * stageOut for a call's last write to the data area: the copy left at `at` is then the result the
 * next call may read in place (placeIn). A forward pass's activations (LeNet's first convolution,
 * relu and pooling: 1.2 MB each) are each made by one kernel and copied in again by the next.
 */
export function stageResult(e: Engine, at: number, v: View, n: number): void {
  if (at === residentAt(v)) return;
  stageOut(e, at, v, n);
  noteResult(v.storage, v.offset, n, at);
}

/** For tests and benchmarks: `results: false` makes stagedAt find nothing, so that every operand is copied in; `found` counts the operands it found. */
export const stageConfig = { results: true, found: 0 };

/** The byte address of float32 view `v`'s elements as the previous call left them in the data area (stageResult), or -1. */
export function stagedAt(v: View): number {
  if (!stageConfig.results || !((v.storage as CpuStorage).data instanceof Float32Array) || !isContiguous(v)) return -1;
  const at = stagedResult(v.storage, v.offset, numelOf(v.shape));
  if (at === null) return -1;
  stageConfig.found++;
  return at;
}

/**
 * The byte address of a contiguous view that lies in the engine's memory already (a block the CPU
 * allocator keeps there: a gradient passed from node to node, a parameter's gradient, pooling's
 * indices), or -1. Kernels read such an operand in place and write such a result in place, where
 * they copy other arrays in and out (LeNet's first pooling gradient: 1.2 MB each way).
 */
export function residentAt(v: View): number {
  const a = (v.storage as CpuStorage).data;
  return inWasmMemory(a) && isContiguous(v) ? a.byteOffset + v.offset * a.BYTES_PER_ELEMENT : -1;
}

/**
 * Where a kernel that only reads float32 view `v` reads it: in place (residentAt), where the
 * previous call left it (stagedAt; the call's room, from reserve, leaves it be), else copied in at byte `at`.
 */
export function placeIn(e: Engine, v: View, at: number): number {
  const r = residentAt(v);
  if (r >= 0) return r;
  const s = stagedAt(v);
  if (s >= 0) return s;
  stageIn(e, v, at);
  return at;
}

/** Where a kernel that writes exactly the elements of contiguous `v` writes them: in place (residentAt), else at byte `at` for stageOut. */
export function outAt(v: View, at: number): number {
  const r = residentAt(v);
  return r >= 0 ? r : at;
}

/** Whether a view's elements are one dense run in row-major order. */
export function isContiguous(v: View): boolean {
  for (let d = v.shape.length - 1, s = 1; d >= 0; d--) {
    if (v.shape[d] !== 1 && v.strides[d] !== s) return false;
    s *= v.shape[d]!;
  }
  return true;
}
