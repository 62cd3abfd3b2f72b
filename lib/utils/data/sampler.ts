/** Samplers: the order in which DataLoader visits a dataset, and how it groups indices into batches. */

import { ValueError } from '../../errors.js';
import * as dt from '../../dtype.js';
import { Generator, default_generator, randint, randperm } from '../../ops/random.js';
import { lengthOf, type DatasetLike } from './dataset.js';

type Sized = DatasetLike<unknown> | { __len__(): number };

/**
 * `Sampler`: an iterable of indices (or of index lists, for batch samplers) with a length.
 * @example class EvenSampler extends Sampler<number> { constructor(private n: number) { super(); } *[Symbol.iterator]() { for (let i = 0; i < this.n; i += 2) yield i; } __len__() { return Math.ceil(this.n / 2); } }
 */
export abstract class Sampler<T = number> implements Iterable<T> {
  abstract [Symbol.iterator](): Iterator<T>;
  abstract __len__(): number;
  /** `sampler.length`: `sampler.__len__()` (Python's `len(sampler)`). @example new SequentialSampler(ds).length // ds.length */
  get length(): number {
    return this.__len__();
  }
}

/**
 * `SequentialSampler(data_source)`: 0, 1, ..., len - 1.
 * @example [...new SequentialSampler([10, 20, 30])] // [0, 1, 2]
 */
export class SequentialSampler extends Sampler<number> {
  constructor(readonly data_source: Sized) {
    super();
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.data_source);
    for (let i = 0; i < n; i++) yield i;
  }
  __len__(): number {
    return lengthOf(this.data_source);
  }
}

/**
 * PyTorch's `torch.empty((), dtype=torch.int64).random_(generator=g).item()`: one 63-bit draw,
 * kept exact as a bigint (a JavaScript number would round it).
 */
export function drawSeed(g: Generator | null): bigint {
  const gen = g ?? default_generator;
  const hi = gen._u32() & 0x7fffffff;
  return (BigInt(hi) << 32n) | BigInt(gen._u32());
}

/** A fresh generator seeded from the default one, as PyTorch's samplers make when given none. */
function freshGenerator(): Generator {
  return new Generator().manual_seed(drawSeed(null));
}

/**
 * `RandomSampler(data_source, replacement=False, num_samples=None, generator=None)`: a random
 * permutation per pass (or draws with replacement); a new order every epoch.
 * @example new RandomSampler(ds, {generator: torch.Generator().manual_seed(0)})
 */
export class RandomSampler extends Sampler<number> {
  readonly replacement: boolean;
  readonly generator: Generator | null;
  private readonly numSamples: number | null;

  constructor(
    readonly data_source: Sized,
    opts: { replacement?: boolean; num_samples?: number | null; generator?: Generator | null } = {},
  ) {
    super();
    this.replacement = opts.replacement ?? false;
    this.numSamples = opts.num_samples ?? null;
    this.generator = opts.generator ?? null;
    if (typeof this.replacement !== 'boolean') {
      throw new TypeError(`replacement should be a boolean value, but got replacement=${String(this.replacement)}`);
    }
    const n = this.num_samples;
    if (!Number.isInteger(n) || n <= 0) throw new ValueError(`num_samples should be a positive integer value, but got num_samples=${n}`);
  }

  /**
   * `sampler.num_samples`: how many indices one pass yields (the dataset's length unless given).
   * @example new RandomSampler(ds, {replacement: true, num_samples: 100}).num_samples // 100
   */
  get num_samples(): number {
    return this.numSamples ?? lengthOf(this.data_source);
  }

  *[Symbol.iterator](): Iterator<number> {
    const n = lengthOf(this.data_source);
    const gen = this.generator ?? freshGenerator();
    const total = this.num_samples;
    if (this.replacement) {
      for (let done = 0; done < total; done += 32) {
        const k = Math.min(32, total - done);
        yield* randint(0, n, [k], { dtype: dt.int64, generator: gen }).tolist() as number[];
      }
      return;
    }
    for (let i = 0; i < Math.floor(total / n); i++) yield* randperm(n, { generator: gen }).tolist() as number[];
    // PyTorch draws this last permutation even when nothing of it is used, which moves the
    // generator on; drawing it too keeps the next epoch's order PyTorch's
    yield* (randperm(n, { generator: gen }).tolist() as number[]).slice(0, total % n);
  }

  __len__(): number {
    return this.num_samples;
  }
}

/**
 * `SubsetRandomSampler(indices, generator=None)`: the given indices in a random order.
 * @example new SubsetRandomSampler(validIdx)
 */
export class SubsetRandomSampler extends Sampler<number> {
  readonly indices: number[];
  constructor(indices: Iterable<number>, readonly generator: Generator | null = null) {
    super();
    this.indices = [...indices];
  }
  *[Symbol.iterator](): Iterator<number> {
    const perm = randperm(this.indices.length, { generator: this.generator ?? freshGenerator() }).tolist() as number[];
    for (const i of perm) yield this.indices[i]!;
  }
  __len__(): number {
    return this.indices.length;
  }
}

/**
 * `BatchSampler(sampler, batch_size, drop_last)`: groups a sampler's indices into lists.
 * @example [...new BatchSampler(new SequentialSampler(ds), 3, false)] // [[0, 1, 2], [3, 4, 5], ...]
 */
export class BatchSampler extends Sampler<number[]> {
  constructor(
    readonly sampler: Iterable<number> & ({ __len__(): number } | { length: number }),
    readonly batch_size: number,
    readonly drop_last: boolean,
  ) {
    super();
    if (!Number.isInteger(batch_size) || batch_size <= 0 || typeof batch_size === 'boolean') {
      throw new ValueError(`batch_size should be a positive integer value, but got batch_size=${batch_size}`);
    }
    if (typeof drop_last !== 'boolean') throw new ValueError(`drop_last should be a boolean value, but got drop_last=${String(drop_last)}`);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batch_size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0 && !this.drop_last) yield batch;
  }
  __len__(): number {
    const s = this.sampler;
    const n = '__len__' in s ? s.__len__() : s.length;
    return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
  }
}
