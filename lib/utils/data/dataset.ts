/** Map-style datasets: `Dataset`, `TensorDataset`, `Subset`, and `random_split`. */

import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { randperm, type Generator } from '../../ops/random.js';
import { warnOnce } from '../../nn/warnings.js';

/** Anything indexable with a length: a `Dataset` or any object with `__getitem__` and `__len__`. */
export interface MapDataset<T> {
  __getitem__(index: number): T;
  __len__(): number;
}

/** What DataLoader, Subset and random_split accept: a map-style dataset or a plain array of samples. */
export type DatasetLike<T> = MapDataset<T> | readonly T[];

/** `dataset[i]` for either form. */
export function getItem<T>(ds: DatasetLike<T>, i: number): T {
  return isArray(ds) ? ds[i]! : ds.__getitem__(i);
}

/** `len(dataset)` for either form. */
export function lengthOf(ds: readonly unknown[] | { __len__(): number }): number {
  return Array.isArray(ds) ? ds.length : (ds as { __len__(): number }).__len__();
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
  get length(): number {
    return this.__len__();
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
