/**
 * Datasets: map-style (`Dataset`, `TensorDataset`, `Subset`, `ConcatDataset`, `random_split`) and
 * iterable-style (`IterableDataset`, `ChainDataset`).
 */

import { AssertionError, IndexError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { randperm, type Generator } from '../../ops/random.js';
import { warnOnce } from '../../nn/warnings.js';

/** Anything indexable with a length: a `Dataset` or any object with `__getitem__` and `__len__`. */
export interface MapDataset<T> {
  __getitem__(index: number): T;
  __len__(): number;
  /** PyTorch 2's batched fetch: the samples at `indices`, in order (optional; DataLoader prefers it). */
  __getitems__?(indices: number[]): T[];
}

/** What DataLoader, Subset and random_split accept: a map-style dataset or a plain array of samples. */
export type DatasetLike<T> = MapDataset<T> | readonly T[];

/** `dataset[i]` for either form. */
export function getItem<T>(ds: DatasetLike<T>, i: number): T {
  return isArray(ds) ? ds[i]! : ds.__getitem__(i);
}

/** The samples at `indices`: one `__getitems__` call where the dataset has one (PyTorch 2's fetcher), else `__getitem__` per index. */
export function getItems<T>(ds: DatasetLike<T>, indices: number[]): T[] {
  if (!isArray(ds) && typeof ds.__getitems__ === 'function') return ds.__getitems__(indices);
  return indices.map((i) => getItem(ds, i));
}

/** `len(dataset)` for either form. */
export function lengthOf(ds: readonly unknown[] | { __len__(): number }): number {
  return Array.isArray(ds) ? ds.length : (ds as { __len__(): number }).__len__();
}

/** Python's `len(obj)` for a dataset: its `__len__()`, an array's length, or TypeError. */
export function pyLen(ds: unknown): number {
  if (Array.isArray(ds)) return ds.length;
  const len = (ds as { __len__?: unknown } | null)?.__len__;
  if (typeof len === 'function') return Number(len.call(ds));
  const name = (ds as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof ds;
  throw new TypeError(`object of type '${name}' has no len()`);
}

function isArray<T>(ds: DatasetLike<T>): ds is readonly T[] {
  return Array.isArray(ds);
}

/**
 * `torch.utils.data.Dataset`: subclass it with `__getitem__(index)` and `__len__()`, as in PyTorch.
 * Differs from PyTorch: `dataset[i]` is `dataset.__getitem__(i)`; `dataset.length` is `len(dataset)`.
 * @example
 * class Squares extends Dataset<[Tensor, number]> {
 *   __getitem__(i: number): [Tensor, number] { return [torch.tensor([i], {dtype: torch.float32}), i * i]; }
 *   __len__() { return 100; }
 * }
 */
export abstract class Dataset<T> implements MapDataset<T> {
  abstract __getitem__(index: number): T;
  abstract __len__(): number;
  /** `ds.length`: `ds.__len__()` (Python's `len(ds)`). @example new TensorDataset(torch.zeros(10, 2)).length // 10 */
  get length(): number {
    return this.__len__();
  }
  /** `dataset + other`: the two datasets one after the other, a `ConcatDataset`. */
  __add__(other: DatasetLike<T>): ConcatDataset<T> {
    return new ConcatDataset<T>([this, other]);
  }
}


/**
 * `torch.utils.data.IterableDataset`: a dataset that is a stream of samples rather than an indexed
 * collection (records read from a file or a socket, generated data). Subclass it with
 * `*[Symbol.iterator]()`, TypeScript's spelling of Python's `__iter__`; define `__len__()` too
 * when the stream's length is known, and `len(loader)` (`loader.length`) then works. A DataLoader
 * batches the stream in order (no shuffle, sampler or batch_sampler).
 * Differs from PyTorch: `__iter__` is `[Symbol.iterator]`; no worker processes, so no
 * `get_worker_info()` sharding.
 * @example
 * class Counter extends IterableDataset<number> {
 *   constructor(readonly n: number) { super(); }
 *   *[Symbol.iterator]() { for (let i = 0; i < this.n; i++) yield i; }
 * }
 * for (const batch of new DataLoader(new Counter(10), {batch_size: 4})) print(batch); // tensor([0, 1, 2, 3]) ...
 */
export abstract class IterableDataset<T> implements Iterable<T> {
  /** Python's `__iter__`: yields the samples. */
  abstract [Symbol.iterator](): Iterator<T>;
  /** `dataset + other`: the two streams one after the other, a `ChainDataset`. */
  __add__(other: IterableDataset<T>): ChainDataset<T> {
    return new ChainDataset<T>([this, other]);
  }
}

/** Python's `bisect.bisect_right`: the index after the last entry <= x of a sorted list. */
function bisectRight(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < sorted[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * `ConcatDataset(datasets)`: several map-style datasets as one, in order; `cumulative_sizes[i]` is
 * the total length of the first i + 1 datasets. Negative indices count from the end.
 * @example
 * const both = new ConcatDataset([train, extra]);  // or train.__add__(extra)
 * both.__getitem__(train.length)                    // extra's first sample
 */
export class ConcatDataset<T> extends Dataset<T> {
  readonly datasets: DatasetLike<T>[];
  readonly cumulative_sizes: number[];

  /**
   * Running totals of the datasets' lengths (PyTorch's static `ConcatDataset.cumsum`).
   * @example ConcatDataset.cumsum([a, b]) // [a.length, a.length + b.length]
   */
  static cumsum(sequence: Iterable<DatasetLike<unknown>>): number[] {
    const r: number[] = [];
    let s = 0;
    for (const e of sequence) {
      s += pyLen(e);
      r.push(s);
    }
    return r;
  }

  constructor(datasets: Iterable<DatasetLike<T>>) {
    super();
    this.datasets = [...datasets];
    if (this.datasets.length === 0) throw new AssertionError('datasets should not be an empty iterable');
    for (const d of this.datasets) {
      if ((d as unknown) instanceof IterableDataset) throw new AssertionError('ConcatDataset does not support IterableDataset');
    }
    this.cumulative_sizes = ConcatDataset.cumsum(this.datasets);
  }

  __len__(): number {
    return this.cumulative_sizes[this.cumulative_sizes.length - 1]!;
  }

  __getitem__(idx: number): T {
    const n = this.__len__();
    if (idx < 0) {
      if (-idx > n) throw new ValueError('absolute value of index should not exceed dataset length');
      idx = n + idx;
    }
    const d = bisectRight(this.cumulative_sizes, idx);
    if (d >= this.datasets.length) throw new IndexError('list index out of range');
    const sampleIdx = d === 0 ? idx : idx - this.cumulative_sizes[d - 1]!;
    return getItem(this.datasets[d]!, sampleIdx);
  }
}

/**
 * `ChainDataset(datasets)`: several IterableDatasets as one stream, one after the other; its
 * length (when each part has one) is their sum.
 * @example const stream = new ChainDataset([partA, partB]); // or partA.__add__(partB)
 */
export class ChainDataset<T> extends IterableDataset<T> {
  readonly datasets: IterableDataset<T>[];

  constructor(datasets: Iterable<IterableDataset<T>>) {
    super();
    this.datasets = [...datasets];
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const d of this.datasets) {
      if (!((d as unknown) instanceof IterableDataset)) throw new AssertionError('ChainDataset only supports IterableDataset');
      yield* d;
    }
  }

  __len__(): number {
    let total = 0;
    for (const d of this.datasets) {
      if (!((d as unknown) instanceof IterableDataset)) throw new AssertionError('ChainDataset only supports IterableDataset');
      total += pyLen(d);
    }
    return total;
  }
}

/**
 * `TensorDataset(*tensors)`: sample i is `[t[i] for t in tensors]`; all tensors share their first dim.
 * @example const ds = new TensorDataset(X, y); const [x0, y0] = ds.__getitem__(0)
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: T;
  constructor(...tensors: T) {
    super();
    const n = tensors[0]?.size(0);
    if (!tensors.every((t) => t.dim() > 0 && t.size(0) === n)) throw new ValueError('Size mismatch between tensors');
    this.tensors = tensors;
  }
  __getitem__(index: number): T {
    return this.tensors.map((t) => t.select(0, index)) as T;
  }
  __len__(): number {
    return this.tensors[0]?.size(0) ?? 0;
  }
}

/**
 * `Subset(dataset, indices)`: the samples of `dataset` at `indices`, in that order.
 * @example const firstThousand = new Subset(train, [...Array(1000).keys()])
 */
export class Subset<T> extends Dataset<T> {
  readonly indices: number[];
  constructor(
    readonly dataset: DatasetLike<T>,
    indices: Iterable<number>,
  ) {
    super();
    this.indices = [...indices];
  }
  __getitem__(index: number): T {
    const i = index < 0 ? index + this.indices.length : index;
    return getItem(this.dataset, this.indices[i]!);
  }
  __len__(): number {
    return this.indices.length;
  }
}

/**
 * `random_split(dataset, lengths, generator=default_generator)`: disjoint random Subsets of the
 * given lengths, or of the given fractions (summing to 1; the remainder goes round-robin), from
 * one `randperm` of the generator, as PyTorch splits.
 * @example const [train, val] = random_split(ds, [0.8, 0.2], torch.Generator().manual_seed(42))
 */
export function random_split<T>(
  dataset: DatasetLike<T>,
  lengths: readonly number[],
  generator?: Generator | { generator?: Generator },
): Subset<T>[] {
  const gen = generator && 'generator' in generator ? generator.generator : (generator as Generator | undefined);
  const n = lengthOf(dataset);
  let sizes = lengths.slice();
  const total = sizes.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) < 1e-9 && total <= 1 + 1e-9 && sizes.some((x) => !Number.isInteger(x))) {
    sizes = sizes.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new ValueError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length]! += 1;
    sizes.forEach((len, i) => {
      if (len === 0) warnOnce(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n) {
    throw new ValueError('Sum of input lengths does not equal the length of the input dataset!');
  }
  const perm = (randperm(n, gen ? { generator: gen } : {}).tolist()) as number[];
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const len of sizes) {
    out.push(new Subset(dataset, perm.slice(offset, offset + len)));
    offset += len;
  }
  return out;
}
