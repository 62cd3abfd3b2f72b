/**
 * The interface every backend implements. The core builds ops from these few kernels and never
 * imports a backend: backends register themselves by device type (see device.ts).
 */

import type { DType, TypedArray } from './dtype.js';
import type { Algebra } from './ops/algebra.js';

/** Memory owned by a backend. `version` counts in-place writes (autograd checks it). */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  version: number;
}

/** A strided window on a storage, as kernels see their operands. */
export interface View {
  readonly storage: Storage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * An elementwise function written once against the scalar algebra; each backend interprets it
 * (the CPU as numbers, WebGPU as WGSL). `key` names it for kernel caches.
 */
export interface PointwiseFn {
  readonly key: string;
  readonly f: <V>(A: Algebra<V>, ...xs: V[]) => V;
}

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any';
export type ArgReduceOp = 'max' | 'min';
export type ScanOp = 'cumsum' | 'cumprod' | 'cummax' | 'cummin';

/** A random fill a backend may draw on its device (see Backend.random). */
export type RandomFill =
  | { readonly dist: 'uniform'; readonly from: number; readonly to: number }
  | { readonly dist: 'normal'; readonly mean: number; readonly std: number }
  /** p: a probability, or a view of probabilities broadcast to the output */
  | { readonly dist: 'bernoulli'; readonly p: number | View }
  /** integers in [low, low + range), with range <= 2^32 */
  | { readonly dist: 'randint'; readonly low: number; readonly range: number };

export interface Backend {
  readonly type: string;
  alloc(dtype: DType, numel: number, index: number): Storage;
  /** Wraps (CPU: without copying) or uploads a typed array of `dtype`'s array type. */
  fromArray(dtype: DType, data: TypedArray, index: number): Storage;
  /** Reads a view into a new contiguous typed array; blocks until the values are there. */
  read(v: View): TypedArray;
  /** out = f(inputs...) elementwise; inputs are broadcast views or scalars already cast. */
  pointwise(fn: PointwiseFn, out: View, inputs: readonly (View | number)[]): void;
  /** Reduces the last `k` dims of `input` into `out` (shape = input's leading dims). */
  reduce(op: ReduceOp, input: View, out: View, k: number): void;
  /** Values and first indices of the max/min over the last dim of `input`. */
  argreduce(op: ArgReduceOp, input: View, values: View | null, indices: View): void;
  /** Inclusive scan over the last dim; `indices` for cummax/cummin. */
  scan(op: ScanOp, input: View, out: View, indices: View | null): void;
  /** Stable sort over the last dim. */
  sort(input: View, values: View, indices: View, descending: boolean): void;
  /** out[b] = a[b] @ m[b] for 3-d views [B,M,K] x [B,K,N] -> [B,M,N]. */
  matmul(a: View, m: View, out: View): void;
  /** out[i] = storage of src at offsets[i] (int64 element offsets). */
  take(src: Storage, offsets: View, out: View): void;
  /** dst storage at offsets[i] = values[i], or += when accumulate (repeated offsets add up). */
  put(dst: Storage, offsets: View, values: View, accumulate: boolean): void;
  /** Writes host values into a view (uploads on accelerators). */
  write(dst: View, values: TypedArray): void;
  /**
   * Optional: fills `out` with random numbers drawn on the device by a counter-based generator
   * keyed by `seed`, stream `offset` (one offset per call). Backends without it get samples
   * drawn on the host and written with `write`.
   */
  random?(fill: RandomFill, out: View, seed: bigint, offset: number): void;
}
