/**
 * Float32 arrays that live in the WebAssembly kernels' shared memory for as long as their owner:
 * optimizer state (Adam's moments, momentum buffers) and the parameters the optimizers update.
 * The GEMM reads such an operand in place and the fused optimizer updates it in place, where an
 * ordinary CPU storage (a JavaScript typed array) is copied in, and for parameters out again,
 * at every step (bench/README.md, "Where issue 9 stands (2026-11-27 18:00…)").
 *
 * Only arrays whose lifetime is a model's or an optimizer's come here. A block goes back to a free
 * list of its size when its array is collected (FinalizationRegistry), which happens between
 * tasks of the event loop, never inside a synchronous training loop: per-step tensors allocated
 * here grew without bound (bench/README.md, "The arena"). Parameters and state are made once per
 * model, so a loop allocates none after its first step.
 *
 * Blocks sit below the engine's data area (`Engine.dataStart`, where each call stages its
 * operands), which moves up past every new block: the staging area holds nothing between calls.
 */

import { ensureMemory, markWasmBuffer, wasmGemm } from './gemm.js';

/** Block sizes are multiples of this many bytes (a cache line), so equal sizes recycle. */
const BLOCK = 64;

/** Freed blocks by size in bytes. */
const free = new Map<number, number[]>();

// the block of a collected array goes back to its free list
const blocks = new FinalizationRegistry<{ at: number; bytes: number }>(({ at, bytes }) => {
  const list = free.get(bytes);
  if (list) list.push(at);
  else free.set(bytes, [at]);
});

/** Freed blocks waiting for reuse, by size in bytes (for tests). */
export function residentFree(): ReadonlyMap<number, readonly number[]> {
  return free;
}

/**
 * A zeroed float32 array (or one of `type`) of n elements in the kernels' memory, kept until it is
 * collected; null when the kernels are not built or the memory is full.
 */
export function residentArray(n: number): Float32Array | null;
export function residentArray<A extends Float32Array | Float64Array>(n: number, type: { new (b: ArrayBufferLike, at: number, n: number): A; BYTES_PER_ELEMENT: number }): A | null;
export function residentArray(n: number, type: { new (b: ArrayBufferLike, at: number, n: number): Float32Array | Float64Array; BYTES_PER_ELEMENT: number } = Float32Array): Float32Array | Float64Array | null {
  const e = wasmGemm();
  if (e === null) return null;
  const bytes = Math.max(BLOCK, Math.ceil((n * type.BYTES_PER_ELEMENT) / BLOCK) * BLOCK);
  let at = free.get(bytes)?.pop();
  if (at === undefined) {
    at = e.dataStart;
    if (!ensureMemory(e, at + bytes)) return null;
    e.dataStart = at + bytes;
  }
  // a reused block holds its last owner's values, a new one what calls staged there
  e.heap.fill(0, at / 4, (at + bytes) / 4);
  const arr = new type(e.heap.buffer, at, n);
  markWasmBuffer(arr.buffer);
  blocks.register(arr, { at, bytes });
  return arr;
}
