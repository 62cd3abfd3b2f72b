/** `DataLoader` and PyTorch's default collation. */

import * as dt from '../../dtype.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { backendFor } from '../../device.js';
import { stack } from '../../ops/cat.js';
import { viewOf } from '../../ops/dispatch.js';
import { selectChecked } from '../../ops/scatter.js';
import { contiguousStrides, numelOf, sameShape } from '../../shape.js';
import { from_numpy, tensor } from '../../ops/creation.js';
import type { Generator } from '../../ops/random.js';
import { IterableDataset, TensorDataset, getItem, getItems, pyLen, type DatasetLike } from './dataset.js';
import { BatchSampler, RandomSampler, Sampler, SequentialSampler, drawSeed } from './sampler.js';
import { check_interrupt } from '../../interrupt.js';

/**
 * The type of a collated batch of samples of type T: tensors are stacked, numbers and booleans
 * become tensors, strings stay a list, and tuples, arrays and records are collated per field.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? string[]
      : T extends readonly unknown[]
        ? { -readonly [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : unknown;

function isTypedArray(x: unknown): x is dt.TypedArray {
  return x instanceof Float32Array || x instanceof Float64Array || x instanceof Int32Array || x instanceof Uint8Array;
}

function typeNameOf(x: unknown): string {
  if (x === null || x === undefined) return "<class 'NoneType'>";
  if (typeof x === 'object' || typeof x === 'function') return `<class '${(x as { constructor?: { name?: string } }).constructor?.name ?? 'object'}'>`;
  return `<class '${typeof x}'>`;
}

/**
 * `default_collate(batch)`: merges a list of samples into a batch as PyTorch does — tensors
 * stacked along a new dim 0, numbers into a tensor (int64 when all integral, else float64),
 * booleans into a bool tensor, strings kept as a list, arrays/tuples and records collated
 * field by field.
 * Differs from PyTorch: JavaScript numbers carry no int/float type, so integral values give int64.
 * @example default_collate([[x0, 3], [x1, 7]]) // [stack([x0, x1]), tensor([3, 7])]
 */
export function default_collate<T>(batch: readonly T[]): Collated<T> {
  return collate(batch) as Collated<T>;
}

/**
 * `stack(samples)` for CPU samples of one dtype and shape that need no graph, such as the rows a
 * TensorDataset hands out: each sample is read with one bulk copy into the batch's array, where
 * stack would run a copy kernel per sample (element by element). Null when they do not qualify.
 */
function stackOnHost(samples: readonly Tensor[]): Tensor | null {
  const first = samples[0]!;
  const { device, dtype } = first;
  if (device.type !== 'cpu') return null;
  const shape = first._shape;
  for (const t of samples) {
    if (t.device !== device || t.dtype !== dtype || t.requires_grad || !sameShape(t._shape, shape)) return null;
  }
  const be = backendFor(device);
  const n = numelOf(shape);
  const values = new dtype.array(n * samples.length);
  for (let i = 0; i < samples.length; i++) values.set(be.read(viewOf(samples[i]!)), i * n);
  const outShape = [samples.length, ...shape];
  return new Tensor(be.fromArray(dtype, values, device.index ?? 0), device, outShape, contiguousStrides(outShape), 0);
}

/**
 * default_collate of a TensorDataset's samples at `indices` without building them: each tensor's
 * rows in one gather, which gives what stacking the rows selected one by one gives (values,
 * shape, dtype, device), at the cost of one gather instead of one sample object and copy per row.
 * The indices are checked here, so the gather (selectChecked) runs without index_select's own check
 * and graph (10 rows of MNIST: 2 x 5 µs through index_select, most of a batch's loading).
 * Null where the two could differ, for the per-sample path: a tensor that requires grad (the graph
 * would record IndexSelectBackward0, not StackBackward0), a subclass with its own fetch, or an
 * index that `select` would wrap or refuse (negative or out of range: that path raises PyTorch's message).
 */
function tensorRows(dataset: unknown, indices: readonly number[]): Tensor[] | null {
  if (!(dataset instanceof TensorDataset) || indices.length === 0 || '__getitems__' in dataset) return null;
  const ds = dataset as TensorDataset<Tensor[]>;
  if (ds.__getitem__ !== TensorDataset.prototype.__getitem__) return null;
  const tensors = ds.tensors;
  const n = ds.__len__();
  for (const i of indices) if (!Number.isInteger(i) || i < 0 || i >= n) return null;
  if (tensors.some((t) => t.requires_grad)) return null;
  const index = new Map<string, Tensor>();
  return tensors.map((t) => {
    const key = t.device.toString();
    let idx = index.get(key);
    if (idx === undefined) index.set(key, (idx = tensor(indices as number[], { dtype: dt.int64, device: t.device })));
    return selectChecked(t, 0, idx);
  });
}

function collate(batch: readonly unknown[]): unknown {
  const elem = batch[0];
  if (elem instanceof Tensor) return stackOnHost(batch as Tensor[]) ?? stack(batch as Tensor[], 0);
  if (isTypedArray(elem)) return stack((batch as dt.TypedArray[]).map((a) => from_numpy(a)), 0);
  if (typeof elem === 'number') {
    const nums = batch as number[];
    return tensor(nums, { dtype: nums.every((v) => Number.isInteger(v)) ? dt.int64 : dt.float64 });
  }
  if (typeof elem === 'boolean') return tensor(batch as boolean[], { dtype: dt.bool });
  if (typeof elem === 'string') return batch.slice();
  if (Array.isArray(elem)) {
    const n = elem.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n)) {
      throw new RuntimeError('each element in list of batch should be of equal size');
    }
    return elem.map((_, i) => collate(batch.map((b) => (b as unknown[])[i])));
  }
  if (elem instanceof Map) {
    return new Map([...elem.keys()].map((k) => [k, collate(batch.map((b) => (b as Map<unknown, unknown>).get(k)))]));
  }
  if (elem !== null && typeof elem === 'object') {
    return Object.fromEntries(Object.keys(elem).map((k) => [k, collate(batch.map((b) => (b as Record<string, unknown>)[k]))]));
  }
  throw new TypeError(`default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found ${typeNameOf(elem)}`);
}

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1); null turns batching off (samples come one by one). */
  batch_size?: number | null;
  /** A new random order every epoch (mutually exclusive with `sampler`). */
  shuffle?: boolean;
  /** The order of indices (an iterable of indices, e.g. a `Sampler`). */
  sampler?: Iterable<number> & ({ __len__(): number } | { length: number });
  /** Yields whole batches of indices (replaces batch_size, shuffle, sampler, drop_last). */
  batch_sampler?: Iterable<number[]> & ({ __len__(): number } | { length: number });
  /** Merges a list of samples into a batch (default_collate by default). */
  collate_fn?: (batch: T[]) => B;
  /** Drop the last incomplete batch. */
  drop_last?: boolean;
  /** The random generator used for shuffling. */
  generator?: Generator;
  /** Accepted for compatibility; torchlab loads in the calling thread (as num_workers=0). */
  num_workers?: number;
  /** Accepted for compatibility; has no effect. */
  pin_memory?: boolean;
}

type SizedIterable<T> = Iterable<T> & ({ __len__(): number } | { length: number });

function sizeOf(s: { __len__(): number } | { length: number }): number {
  return '__len__' in s ? s.__len__() : s.length;
}

/**
 * PyTorch's `_InfiniteConstantSampler`, the sampler of a DataLoader over an IterableDataset: the
 * stream itself decides what comes next, so there are no indices and no length.
 */
class _InfiniteConstantSampler extends Sampler<number> {
  *[Symbol.iterator](): Iterator<number> {
    for (;;) yield 0;
  }
  __len__(): number {
    throw new TypeError("object of type '_InfiniteConstantSampler' has no len()");
  }
}

/** Python's repr of an option value in DataLoader's messages. */
function optRepr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return `[${v.map(optRepr).join(', ')}]`;
  if (typeof v === 'object') return `<${(v as { constructor?: { name?: string } }).constructor?.name ?? 'object'} object>`;
  return String(v);
}

/**
 * `DataLoader(dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None,
 * collate_fn=None, drop_last=False, generator=None)`: iterates a dataset in (shuffled) batches.
 * An `IterableDataset` is batched in the order it yields (drop_last applies; shuffle, sampler and
 * batch_sampler are refused), and its loader has a length only if the dataset has `__len__`.
 * Differs from PyTorch: no worker processes (num_workers is accepted and ignored); the number of
 * batches is `loader.length` (or `__len__()`).
 * @example
 * const loader = new DataLoader(train, {batch_size: 64, shuffle: true});
 * for (const [X, y] of loader) { ... }  // X: [64, 1, 28, 28], y: [64]
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: DatasetLike<T> | IterableDataset<T>;
  readonly batch_size: number | null;
  readonly drop_last: boolean;
  readonly sampler: SizedIterable<number>;
  readonly batch_sampler: SizedIterable<number[]> | null;
  readonly collate_fn: ((batch: T[]) => B) | null;
  readonly generator: Generator | null;
  readonly num_workers: number;

  constructor(dataset: DatasetLike<T> | IterableDataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    this.dataset = dataset;
    let batchSize = opts.batch_size === undefined ? 1 : opts.batch_size;
    let dropLast = opts.drop_last ?? false;
    const shuffle = opts.shuffle ?? false;
    this.num_workers = opts.num_workers ?? 0;
    if (this.num_workers < 0) {
      throw new ValueError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    }
    if (dataset instanceof IterableDataset) {
      // as PyTorch: an iterable dataset decides its own order, so nothing may reorder it
      const kind = 'DataLoader with IterableDataset: expected unspecified';
      if (opts.shuffle !== undefined && opts.shuffle !== false) throw new ValueError(`${kind} shuffle option, but got shuffle=${optRepr(opts.shuffle)}`);
      if (opts.sampler) throw new ValueError(`${kind} sampler option, but got sampler=${optRepr(opts.sampler)}`);
      if (opts.batch_sampler) throw new ValueError(`${kind} batch_sampler option, but got batch_sampler=${optRepr(opts.batch_sampler)}`);
    }
    if (opts.sampler && shuffle) throw new ValueError('sampler option is mutually exclusive with shuffle');
    if (opts.batch_sampler) {
      if (batchSize !== 1 || shuffle || opts.sampler || dropLast) {
        throw new ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
      batchSize = null;
      dropLast = false;
    } else if (batchSize === null && dropLast) {
      throw new ValueError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    }
    this.generator = opts.generator ?? null;
    this.sampler = dataset instanceof IterableDataset
      ? new _InfiniteConstantSampler()
      : opts.sampler ?? (shuffle ? new RandomSampler(dataset, { generator: this.generator }) : new SequentialSampler(dataset));
    this.batch_sampler = opts.batch_sampler ?? (batchSize !== null ? new BatchSampler(this.sampler, batchSize, dropLast) : null);
    this.batch_size = batchSize;
    this.drop_last = dropLast;
    this.collate_fn = opts.collate_fn ?? null;
  }

  *[Symbol.iterator](): Iterator<B> {
    // PyTorch draws its workers' base seed when an epoch starts, before the sampler runs;
    // drawing it too keeps shuffles identical to PyTorch's after the same manual_seed
    drawSeed(this.generator);
    const fn = this.collate_fn;
    if (this.dataset instanceof IterableDataset) {
      yield* this.iterateStream(this.dataset);
      return;
    }
    const dataset = this.dataset;
    if (this.batch_sampler) {
      for (const indices of this.batch_sampler) {
        check_interrupt();
        const rows = fn === null ? tensorRows(dataset, indices) : null;
        if (rows !== null) {
          yield rows as unknown as B;
          continue;
        }
        const samples = getItems(dataset, indices);
        yield fn ? fn(samples) : (default_collate(samples) as B);
      }
      return;
    }
    // without batching PyTorch hands each sample to collate_fn on its own (default: as it is)
    const single = fn as ((sample: T) => B) | null;
    for (const i of this.sampler) {
      check_interrupt();
      const sample = getItem(dataset, i);
      yield single ? single(sample) : (sample as unknown as B);
    }
  }

  /** Batches of `batch_size` consecutive samples of the stream (PyTorch's `_IterableDatasetFetcher`). */
  private *iterateStream(dataset: IterableDataset<T>): IterableIterator<B> {
    const fn = this.collate_fn;
    const it = dataset[Symbol.iterator]();
    if (this.batch_size === null) {
      const single = fn as ((sample: T) => B) | null;
      for (let r = it.next(); !r.done; r = it.next()) {
        check_interrupt();
        yield single ? single(r.value) : (r.value as unknown as B);
      }
      return;
    }
    for (;;) {
      check_interrupt();
      const samples: T[] = [];
      while (samples.length < this.batch_size) {
        const r = it.next();
        if (r.done) break;
        samples.push(r.value);
      }
      if (samples.length === 0 || (this.drop_last && samples.length < this.batch_size)) return;
      yield fn ? fn(samples) : (default_collate(samples) as B);
      if (samples.length < this.batch_size) return;
    }
  }

  /**
   * `len(loader)`: the number of batches per epoch. Over an IterableDataset it is computed from
   * `len(dataset)`, and raises TypeError when the dataset has no `__len__`, as in PyTorch.
   */
  __len__(): number {
    if (this.dataset instanceof IterableDataset) {
      const n = pyLen(this.dataset);
      if (this.batch_size === null) return n;
      return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
    }
    return this.batch_sampler ? sizeOf(this.batch_sampler) : sizeOf(this.sampler);
  }

  /**
   * `loader.length`: the number of batches (Python's `len(loader)`).
   * @example new DataLoader(ds, {batch_size: 32}).length // ceil(ds.length / 32)
   */
  get length(): number {
    return this.__len__();
  }
}

