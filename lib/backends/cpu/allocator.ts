/**
 * Where the CPU backend's arrays come from (Backend.alloc) and where donated ones go
 * (Backend.donate): small arrays from shared slabs, large ones from blocks given back, from
 * blocks kept in the WebAssembly kernels' memory, or fresh from malloc.
 */

import type { Recurring, Storage } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { CpuStorage } from './storage.js';
import { residentArray } from './wasm/resident.js';

/**
 * Small arrays (up to 8 KiB: a batch of 10 to 32 activations of a 64-wide layer) are carved from
 * shared 64 KiB slabs: a new ArrayBuffer per tensor costs more than a small op itself (the MLP's
 * batch-10 epoch took 4-7% longer with 2 KiB as the limit). A slab is freed when the last tensor in
 * it is collected, so a long-lived small tensor can hold at most one slab; slabs are never reused,
 * so new tensors start zeroed.
 */
const SLAB = 64 * 1024;
const SMALL = 8192;
let slab = new ArrayBuffer(SLAB);
let slabUsed = 0;
/**
 * For tests: `poisonOverwritten` fills every allocation made for a kernel that promised to write
 * all of it (Backend.alloc's `overwritten`) with 0x7f bytes, so a kernel that leaves an element
 * unwritten shows up as a wrong value rather than as a zero that happened to be right.
 */
export const cpuAllocConfig = { poisonOverwritten: false };

/** A typed array of `numel` elements for Backend.alloc (see there for `overwritten`, `transient` and `recurring`). */
export function allocArray(dtype: DType, numel: number, overwritten = false, transient = false, recurring = false): TypedArray {
  const bytes = numel * dtype.itemsize;
  if (overwritten && cpuAllocConfig.poisonOverwritten && bytes > 0) {
    const b = Buffer.allocUnsafeSlow(bytes).fill(0x7f);
    return new dtype.array(b.buffer, b.byteOffset, numel);
  }
  if (bytes > SMALL && overwritten) {
    const kept = cpuDonateConfig.resident && (transient || recurring) ? takeResident(dtype, bytes, transient) : undefined;
    if (kept) return kept;
    const reused = donated.get(bytes)?.pop();
    if (reused) {
      donatedBytes -= bytes;
      return new dtype.array(reused, 0, numel);
    }
    // uninitialised memory (Node's allocUnsafeSlow: malloc, not calloc): a large output that its
    // kernel fills whole is not cleared first (a 1.2 MB activation: about 60 µs of memset)
    const b = Buffer.allocUnsafeSlow(bytes);
    return new dtype.array(b.buffer, b.byteOffset, numel);
  }
  if (bytes > SMALL || bytes === 0) return new dtype.array(numel);
  let at = Math.ceil(slabUsed / 8) * 8;
  if (at + bytes > SLAB) {
    slab = new ArrayBuffer(SLAB);
    at = 0;
  }
  slabUsed = at + bytes;
  return new dtype.array(slab, at, numel);
}

/**
 * Memory of storages donated by the autograd engine (Backend.donate: gradients it made and used up
 * within a backward pass), by byte length, the latest last: a later allocation of that size that
 * its kernel overwrites whole takes the block back while it is still in the cache, as PyTorch's
 * caching allocator does, instead of fresh memory the garbage collector hands back only every few
 * steps. Bounded; a block past the bound is left to the garbage collector.
 */
const donated = new Map<number, ArrayBuffer[]>();
let donatedBytes = 0;
const DONATED_MAX = 64 << 20;
/**
 * For tests and benchmarks: `enabled: false` ignores donations; `taken` counts blocks given back;
 * `resident: false` keeps recurring ones out of the WebAssembly memory; `residentMax`: the bytes of
 * such blocks that may be alive at once; `pass: false` gives a backward pass's own allocations none
 * (they then take what the WebAssembly memory does not keep); `reused` counts allocations that got
 * one, `made` the blocks made; at the bound, the blocks of a size no allocation has asked for in
 * the last `idle` ones are let go.
 */
export const cpuDonateConfig = { enabled: true, taken: 0, resident: true, pass: true, residentMax: 32 << 20, reused: 0, made: 0, idle: 4096 };

/**
 * Float32 and float64 blocks in the WebAssembly kernels' memory (wasm/resident.ts) for arrays that
 * recur (Backend.donate's `recurring`), by array type and byte length. Kernels read and write them
 * in place where they copy other arrays in and out: the product that makes a weight gradient and
 * the fused optimizer that reads it (the MNIST MLP's first weight gradient, 200 KB at batch 10,
 * was copied out of that memory every step), max pooling's indices (LeNet's first pooling copied
 * 600 KB out and back in), and the gradients a backward pass hands from node to node (LeNet's
 * pooling, convolution and relu gradients, 1.2 MB each on its first layer). A block is made once
 * from a donated array and then goes round: allocation, kernel, donation, here.
 *
 * Blocks go only to allocations that give them back: `'pass'` blocks to a backward pass's own
 * (`transient`) ones, `'step'` blocks to those and to `recurring` ones (pooling's indices), never
 * to a forward activation: that lives until the garbage collector finds it dead, which may not be
 * before the training loop ends (LeNet's first convolution's output is its pooling gradient's
 * size; the MNIST MLP's 64 x 64 activations at batch 64 took its 64 x 64 weight gradients' blocks,
 * one lost a step, until the bound stopped all reuse after 2,000 steps). A block some tensor takes and keeps goes back to
 * wasm/resident.ts only when that tensor is collected, so what is made is bounded. At the bound
 * no block is made, and the blocks waiting for sizes no allocation has asked for lately are let go
 * (a notebook that trains one model after another wants the new model's sizes); they come back to
 * wasm/resident.ts once collected, between cells. The sizes in use keep theirs: a step that also
 * evaluates the model with gradients on (pooling's indices then taken and never given back, one
 * block a step) reaches the bound, and letting go of every other size there stopped all reuse.
 */
type ResidentArray = Float32Array | Float64Array;
type Waiting = Map<string, ResidentArray[]>;
const waiting: Record<Recurring, Waiting> = { step: new Map(), pass: new Map() };
const residentKey = (type: { readonly name: string }, bytes: number): string => `${type.name}:${bytes}`;
/** The list each block made here goes back to (a WeakMap: one a collected tensor held is gone with it). */
const home = new WeakMap<ResidentArray, ResidentArray[]>();
/**
 * Per size, the transient allocations that found no 'pass' block while one of that size existed:
 * the pass holds two such gradients at once (LeNet's pooling and relu gradients of the first
 * layer), and the next donation of that size makes one more.
 */
const wanted = new Map<string, number>();
/** Per size, the count of allocations (`asked`) when one last asked for a block of it. */
const lastAsked = new Map<string, number>();
let asked = 0;
let residentMade = 0;
const residentGone = new FinalizationRegistry<number>((bytes) => {
  residentMade -= bytes;
});

function takeResident(dtype: DType, bytes: number, transient: boolean): TypedArray | undefined {
  const key = residentKey(dtype.array, bytes);
  lastAsked.set(key, ++asked);
  let kept: ResidentArray | undefined;
  if (transient && cpuDonateConfig.pass) {
    const list = waiting.pass.get(key);
    kept = list?.pop();
    if (!kept && list) wanted.set(key, (wanted.get(key) ?? 0) + 1);
  }
  kept ??= waiting.step.get(key)?.pop();
  if (kept) cpuDonateConfig.reused++;
  return kept;
}

/** A block like `arr` for the `recurring` list, unless one is waiting there already (and no more are wanted) or the bound is reached. */
function makeResident(arr: ResidentArray, recurring: Recurring): void {
  if (arr.byteLength <= SMALL) return;
  const key = residentKey(arr.constructor, arr.byteLength);
  const list = waiting[recurring].get(key);
  const more = recurring === 'pass' ? (wanted.get(key) ?? 0) : 0;
  if (list?.length && more === 0) return;
  if (residentMade + arr.byteLength > cpuDonateConfig.residentMax) {
    letGoIdle();
    return;
  }
  const block = arr instanceof Float32Array ? residentArray(arr.length) : residentArray(arr.length, Float64Array);
  if (block === null) return;
  if (more > 0) wanted.set(key, more - 1);
  residentMade += block.byteLength;
  cpuDonateConfig.made++;
  residentGone.register(block, block.byteLength);
  const l = list ?? [];
  if (!list) waiting[recurring].set(key, l);
  home.set(block, l);
  l.push(block);
}

/** Drops the waiting lists of the sizes not asked for in the last `idle` allocations: their blocks are collected unless some tensor took one. */
function letGoIdle(): void {
  for (const lists of Object.values(waiting)) {
    for (const k of [...lists.keys()]) {
      if (asked - (lastAsked.get(k) ?? 0) > cpuDonateConfig.idle) {
        lists.delete(k);
        wanted.delete(k);
        lastAsked.delete(k);
      }
    }
  }
}

/** Backend.donate for CPU storages. */
export function donate(s: Storage, recurring?: Recurring): void {
  if (!cpuDonateConfig.enabled || !(s instanceof CpuStorage) || !s.owned) return;
  const arr = s.data;
  const resident = arr instanceof Float32Array || arr instanceof Float64Array ? arr : null;
  const back = resident && home.get(resident);
  if (back) {
    s.data = arr.subarray(0, 0);
    back.push(resident!);
    cpuDonateConfig.taken++;
    return;
  }
  if (recurring && cpuDonateConfig.resident && resident) makeResident(resident, recurring);
  const buf = arr.buffer;
  // only a block the storage has to itself: not a slab's share, not WebAssembly memory
  if (!(buf instanceof ArrayBuffer) || arr.byteOffset !== 0 || buf.byteLength !== arr.byteLength || buf.byteLength <= SMALL) return;
  if (donatedBytes + buf.byteLength > DONATED_MAX) return;
  // the storage lets go of the block: a stray reader would see an empty array, never its new owner's values
  s.data = arr.subarray(0, 0);
  let list = donated.get(buf.byteLength);
  if (!list) donated.set(buf.byteLength, (list = []));
  list.push(buf);
  donatedBytes += buf.byteLength;
  cpuDonateConfig.taken++;
}
