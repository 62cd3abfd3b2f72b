/**
 * relu and its gradient (threshold_backward) on float32 without branches, for the CPU backend.
 *
 * Why: the compiled kernel's `x > 0 || x !== x ? x : 0` is a branch per element, and on a
 * network's activations the signs are as good as random: measured 34 µs for 4,096 elements
 * against 17 µs for the same op on data whose branch the CPU predicts (and 18 µs for `add`).
 * Here the decision is made on the float's bits with integer masks, which cost the same whatever
 * the signs: from 64 elements in relu.wasm (four lanes at a time, staged in chunks, below), for
 * fewer, or where relu.wasm is not built, in the JavaScript loop at the end.
 *
 * The results are those of the op table's definitions, bit for bit (test/cpu_fastpath.test.ts):
 * relu is max(x, 0) with NaN kept (any sign or payload) and -0 giving +0; threshold_backward(g, y)
 * is 0 where y <= 0 (±0 included) and g elsewhere, also where y is NaN. Both keep an element's
 * bits or clear them all, so the kept values are copied exactly (a signalling NaN comes out quiet).
 * relu.wasm also keeps relu's decisions as bits, from which the gradient is taken without reading
 * the result again (`masks` below).
 */

import type { PointwiseFn, View } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import { WA, inWasmMemory, instantiate, readBinary, wasmGemm, type Engine } from './wasm/gemm.js';
import { reserve, stageResult, stagedAt } from './wasm/stage.js';

/** The bits of n float32 elements of `a` from element `offset`, without a copy. */
function bits(a: TypedArray, offset: number, n: number): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset + offset * 4, n);
}
const bitsOf = (v: View, n: number, dataOf: (s: View['storage']) => TypedArray): Int32Array => bits(dataOf(v.storage), v.offset, n);

/**
 * For tests and benchmarks: `enabled: false` leaves relu and threshold_backward to the general
 * kernels; `wasmMin` is the element count from which they run in relu.wasm (Infinity: never);
 * `masks: false` makes relu.wasm keep no decision bits, so that gradients read the result.
 */
export const signBitConfig = { enabled: true, wasmMin: 64, masks: true };

interface ReluExports {
  memory: { buffer: ArrayBuffer };
  relu(x: number, o: number, n: number): void;
  threshold_backward(g: number, y: number, o: number, n: number): void;
  relu_mask(x: number, o: number, m: number, n: number): void;
  threshold_backward_mask(g: number, m: number, o: number, n: number): void;
}

/**
 * relu.wasm's decisions (element i kept: bit i mod 8 of byte i / 8) for a result it wrote: the
 * elements from `offset` of a storage, while the storage keeps `version`. threshold_backward(g, y)
 * reads them instead of y, 1/32 of its size: LeNet's first relu gradient copied 1.2 MB of result
 * into the kernels' memory every step. The same decisions as y's bits give (y > 0 or NaN, relu's
 * output being x where x > 0 or NaN): the gradient's bits do not change. Kept as long as the storage.
 */
const masks = new WeakMap<View['storage'], { offset: number; n: number; version: number; bits: Uint8Array }>();

/** The decision bits of n elements of y from relu.wasm, when they are still those of y's values. */
function maskOf(y: View, n: number): Uint8Array | null {
  const m = masks.get(y.storage);
  return m && m.offset === y.offset && m.n === n && m.version === y.storage.version ? m.bits : null;
}

/**
 * Elements per staged chunk. Why staged: the JavaScript loop costs 1.5-2 ns per element on a
 * network's activations (1.4 ms of a LeNet step went to relu and its gradient on the first
 * convolution's 301,056 outputs), the SIMD kernel about 0.1; the operands live on the JavaScript
 * heap, so chunks are copied through the module's memory, small enough (three operands of 32 KiB)
 * to stay in the core's caches between the copy in, the kernel and the copy out: 2.5x faster than
 * the loop on those outputs, including the copies. From 64 elements the call costs less than the
 * loop saves (relu of 640: 1.5 against 2.7 µs; of 4,096: 6.3 against 12.5).
 */
const CHUNK = 8192;
let relu: { x: ReluExports; heap: Int32Array; bytes: Uint8Array } | null | undefined;

function reluWasm(): { x: ReluExports; heap: Int32Array; bytes: Uint8Array } | null {
  if (relu === undefined) {
    const x = instantiate<ReluExports>('./relu.wasm');
    // (the module's memory never grows: its views stay valid)
    relu = x && { x, heap: new Int32Array(x.memory.buffer), bytes: new Uint8Array(x.memory.buffer) };
  }
  return relu;
}

/** Where relu.wasm's decision bits for a chunk go in its memory (after three chunks of operands). */
const MASK = 3 * CHUNK * 4;

/**
 * relu (one operand; its decision bits into `bits` when given) or threshold_backward (g, then y, or
 * y's decision bits `mask`) over n elements in relu.wasm, chunk by chunk.
 */
function stagedKernel(d: Int32Array, ops: readonly Int32Array[], n: number, bits: Uint8Array | null, mask: Uint8Array | null): boolean {
  const w = reluWasm();
  if (w === null) return false;
  const { x, heap, bytes } = w;
  const out = 2 * CHUNK;
  for (let i = 0; i < n; i += CHUNK) {
    const c = Math.min(CHUNK, n - i);
    heap.set(ops[0]!.subarray(i, i + c), 0);
    if (ops.length === 1) {
      if (bits) {
        x.relu_mask(0, out * 4, MASK, c);
        bits.set(bytes.subarray(MASK, MASK + Math.ceil(c / 8)), i / 8);
      } else {
        x.relu(0, out * 4, c);
      }
    } else if (mask) {
      bytes.set(mask.subarray(i / 8, Math.ceil((i + c) / 8)), MASK);
      x.threshold_backward_mask(0, MASK, out * 4, c);
    } else {
      heap.set(ops[1]!.subarray(i, i + c), CHUNK);
      x.threshold_backward(0, CHUNK * 4, out * 4, c);
    }
    d.set(heap.subarray(out, out + c), i);
  }
  return true;
}

let shared: { e: Engine; x: ReluExports } | null | undefined;

/** relu_shared.wasm: relu.wat's code on the GEMM's memory. */
function reluShared(): { e: Engine; x: ReluExports } | null {
  if (shared === undefined) {
    const e = wasmGemm();
    const bytes = readBinary('./relu_shared.wasm');
    shared = e && bytes && { e, x: new WA.Instance(new WA.Module(bytes), { env: { memory: e.memory } }).exports as ReluExports };
  }
  return shared;
}

/**
 * relu or threshold_backward over n elements written in place into a result that lies in the
 * GEMM's memory (a gradient the CPU allocator keeps there for the backward pass, allocator.ts),
 * reading operands that lie there in place and copying the others into its data area: LeNet's
 * first relu gradient copied 1.2 MB of gradient in and 1.2 MB of result out in chunks. False
 * when the result is elsewhere.
 */
function residentKernel(d: Int32Array, ops: readonly Int32Array[], n: number, mask: Uint8Array | null): boolean {
  if (!inWasmMemory(d)) return false;
  const w = reluShared();
  if (w === null) return false;
  const { e, x } = w;
  // the operands (y's decision bits in place of y), each in place or copied into the data area
  const parts: (Int32Array | Uint8Array)[] = mask ? [ops[0]!, mask] : [...ops];
  const room = reserve(e, parts.map((a) => (inWasmMemory(a) ? 0 : Math.ceil(a.byteLength / 4))));
  if (room === null) return false;
  const bytes = new Uint8Array(e.memory.buffer);
  const at = parts.map((a, k) => {
    if (inWasmMemory(a)) return a.byteOffset;
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), room[k]!);
    return room[k]!;
  });
  if (ops.length === 1) x.relu(at[0]!, d.byteOffset, n);
  else if (mask) x.threshold_backward_mask(at[0]!, at[1]!, d.byteOffset, n);
  else x.threshold_backward(at[0]!, at[1]!, d.byteOffset, n);
  return true;
}

/**
 * relu of a float32 view as the previous kernel left it in the data area (stage.ts's stagedAt:
 * LeNet's convolution's result), computed there in place and copied out into `out` (not in the
 * GEMM's memory), with its decision bits into `bits` when given; the result is then where the next
 * kernel (LeNet's pooling) reads it, instead of copying 1.2 MB in. The input's copy there is
 * overwritten: stageResult's note replaces the one that led here. False when the input is elsewhere.
 */
function stagedInputKernel(out: View, x: View, n: number, bits: Uint8Array | null): boolean {
  const xa = stagedAt(x);
  if (xa < 0) return false;
  const w = reluShared();
  if (w === null) return false;
  const { e, x: k } = w;
  const room = reserve(e, [bits ? Math.ceil(n / 32) : 0]);
  if (room === null) return false;
  const [ma] = room as [number];
  if (bits) {
    k.relu_mask(xa, xa, ma, n);
    bits.set(new Uint8Array(e.memory.buffer, ma, bits.length));
  } else {
    k.relu(xa, xa, n);
  }
  stageResult(e, xa, out, n);
  return true;
}

/**
 * Runs relu or threshold_backward here when every operand is a float32 tensor laid out as one
 * contiguous run of the output's elements (the caller passes the collapsed strides); false
 * otherwise, for the general kernels.
 */
export function signBitKernel(
  fn: PointwiseFn,
  out: View,
  inputs: readonly (View | number)[],
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  dataOf: (s: View['storage']) => TypedArray,
): boolean {
  if (!signBitConfig.enabled || (fn.key !== 'relu' && fn.key !== 'threshold_backward')) return false;
  if (shape.length !== 1 || out.dtype.name !== 'float32') return false;
  const n = shape[0]!;
  for (const s of strides) if (s[0] !== 1) return false;
  for (const x of inputs) if (typeof x === 'number' || x.dtype.name !== 'float32') return false;
  const d = bits(dataOf(out.storage), out.offset, n);
  // The mask below is -1 (clear the element) where the float32 with bits b is <= 0 and not NaN:
  // `(b - 1) | b` has its sign set for b = 0 (+0) and for every b with the sign bit (negative
  // numbers, -0, -inf, negative NaNs), and the NaN term, -1 where |b| lies above infinity's
  // bits, takes the negative NaNs back out. A kept NaN gets its quiet bit set, as the trip through
  // a float64 in the other kernels sets it (a signalling NaN comes out quiet, payload kept).
  const ops = inputs.map((x) => bitsOf(x as View, n, dataOf));
  if (n >= signBitConfig.wasmMin) {
    const mask = fn.key === 'threshold_backward' ? maskOf(inputs[1] as View, n) : null;
    if (residentKernel(d, ops, n, mask)) return true;
    // from a chunk up: for fewer elements, copying y costs less than keeping its bits (an entry
    // in `masks` per relu made the MNIST MLP's batch-10 step 3% slower)
    const bits = fn.key === 'relu' && signBitConfig.masks && n >= CHUNK && !inWasmMemory(d) ? new Uint8Array(Math.ceil(n / 8)) : null;
    const staged = fn.key === 'relu' && !inWasmMemory(d) && stagedInputKernel(out, inputs[0] as View, n, bits);
    if (staged || stagedKernel(d, ops, n, bits, mask)) {
      if (bits) masks.set(out.storage, { offset: out.offset, n, version: out.storage.version, bits });
      return true;
    }
  }
  if (fn.key === 'relu') {
    const x = ops[0]!;
    for (let i = 0; i < n; i++) {
      const b = x[i]!;
      const t = b & ~((((b - 1) | b) >> 31) & ~((0x7f800000 - (b & 0x7fffffff)) >> 31));
      d[i] = t | (((0x7f800000 - (t & 0x7fffffff)) >> 31) & 0x400000);
    }
  } else {
    const [g, y] = ops as [Int32Array, Int32Array];
    for (let i = 0; i < n; i++) {
      const b = y[i]!;
      const t = g[i]! & ~((((b - 1) | b) >> 31) & ~((0x7f800000 - (b & 0x7fffffff)) >> 31));
      d[i] = t | (((0x7f800000 - (t & 0x7fffffff)) >> 31) & 0x400000);
    }
  }
  return true;
}
