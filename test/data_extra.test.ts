/**
 * torch.utils.data's IterableDataset, ConcatDataset and ChainDataset, and the DataLoader over a
 * stream, against PyTorch (test/golden/data_extra.json, made by test/golden/make_data_extra.py).
 */

import { describe, expect, expectTypeOf, it } from 'vitest';
import torch, { ChainDataset, ConcatDataset, DataLoader, IterableDataset, TensorDataset, utils, type Tensor } from '../lib/index.js';
import { loadGolden } from './helpers/golden.js';
import { expectPyError, type Nested, type PyError } from './nn/helpers.js';

interface G {
  concat: { cumulative_sizes: number[]; len: number; items: number[]; negative: number[]; add: number[]; errors: Record<string, PyError> };
  iterable: {
    batches: [Nested, number[]][];
    after: number[];
    drop_last: number[][];
    unbatched: [number[], number][];
    collate_fn: number[][];
    len: number;
    len_drop_last: number;
    len_unbatched: number;
    shuffle_false_ok: number;
    errors: Record<string, PyError>;
  };
  chain: { items: number[]; len: number; add: number[]; errors: Record<string, PyError> };
}
const g = loadGolden<G>('data_extra.json');

/** As the golden script's Stream: (tensor([i, i]), i) for i < n, with no length. */
class Stream extends IterableDataset<[Tensor, number]> {
  constructor(readonly n: number) {
    super();
  }
  *[Symbol.iterator](): Iterator<[Tensor, number]> {
    for (let i = 0; i < this.n; i++) yield [torch.tensor([i, i], { dtype: torch.float32 }), i];
  }
}

class SizedStream extends Stream {
  __len__(): number {
    return this.n;
  }
}

const first = (x: unknown): number => (Array.isArray(x) ? (x[0] as Tensor).item() : (x as number));

describe('ConcatDataset', () => {
  const a = new TensorDataset(torch.arange(3));
  const b = [10, 11, 12, 13, 14];
  const c = new TensorDataset(torch.arange(100, 102));
  const cd = new ConcatDataset<unknown>([a, b, c]);

  it('indexes across its parts as PyTorch, negative indices included', () => {
    expect(cd.cumulative_sizes).toEqual(g.concat.cumulative_sizes);
    expect(cd.length).toBe(g.concat.len);
    expect([...Array(cd.length).keys()].map((i) => first(cd.__getitem__(i)))).toEqual(g.concat.items);
    expect([-1, -3, -10].map((i) => first(cd.__getitem__(i)))).toEqual(g.concat.negative);
    const sum = a.__add__(c);
    expect(sum).toBeInstanceOf(ConcatDataset);
    expect([...Array(sum.length).keys()].map((i) => first(sum.__getitem__(i)))).toEqual(g.concat.add);
    expect(ConcatDataset.cumsum([[1], [2, 3]])).toEqual([1, 3]);
  });

  it('raises PyTorch\'s errors', () => {
    const e = g.concat.errors;
    expectPyError(() => new ConcatDataset([]), e.empty!);
    expectPyError(() => new ConcatDataset([a, new Stream(3) as never]), e.iterable!);
    expectPyError(() => cd.__getitem__(-11), e.negative!);
    expectPyError(() => cd.__getitem__(10), e.past_end!);
  });

  it('works in a DataLoader', () => {
    const loader = new DataLoader(new ConcatDataset([[1, 2, 3], [4, 5]]), { batch_size: 2 });
    expect([...loader].map((t) => t.tolist())).toEqual([[1, 2], [3, 4], [5]]);
    expect(loader.length).toBe(3);
  });
});

describe('DataLoader over an IterableDataset', () => {
  const ig = g.iterable;

  it('batches the stream in order, drawing PyTorch\'s per-epoch seed', () => {
    torch.manual_seed(7);
    const batches: [Nested, number[]][] = [];
    for (const [x, y] of new DataLoader(new Stream(10), { batch_size: 4 })) {
      expectTypeOf(x).toEqualTypeOf<Tensor>();
      expect(x.dtype).toBe(torch.float32);
      expect(y.dtype).toBe(torch.int64);
      batches.push([x.tolist() as Nested, y.tolist() as number[]]);
    }
    expect(batches).toEqual(ig.batches);
    expect(torch.rand(2).tolist()).toEqual(ig.after.map(Math.fround));
  });

  it('drop_last, batch_size null, collate_fn; shuffle: false is allowed', () => {
    expect([...new DataLoader(new Stream(10), { batch_size: 4, drop_last: true })].map(([, y]) => y.tolist())).toEqual(ig.drop_last);
    expect([...new DataLoader(new Stream(3), { batch_size: null })].map(([x, y]) => [x.tolist(), y])).toEqual(ig.unbatched);
    const ys = [...new DataLoader(new Stream(5), { batch_size: 2, collate_fn: (s: [Tensor, number][]) => s.map(([, y]) => y) })];
    expect(ys).toEqual(ig.collate_fn);
    expect([...new DataLoader(new Stream(2), { shuffle: false })].length).toBe(ig.shuffle_false_ok);
    expect([...new DataLoader(new Stream(0), { batch_size: 4 })]).toEqual([]);
  });

  it('len(loader) from len(dataset); TypeError when the stream has no __len__', () => {
    expect(new DataLoader(new SizedStream(10), { batch_size: 4 }).length).toBe(ig.len);
    expect(new DataLoader(new SizedStream(10), { batch_size: 4, drop_last: true }).__len__()).toBe(ig.len_drop_last);
    expect(new DataLoader(new SizedStream(10), { batch_size: null }).length).toBe(ig.len_unbatched);
    expectPyError(() => new DataLoader(new Stream(10), { batch_size: 4 }).length, ig.errors.len!);
  });

  it('refuses shuffle, sampler and batch_sampler with PyTorch\'s messages', () => {
    expectPyError(() => new DataLoader(new Stream(10), { shuffle: true }), ig.errors.shuffle!);
    expectPyError(() => new DataLoader(new Stream(10), { batch_sampler: [[0, 1]] }), ig.errors.batch_sampler!);
    expect(() => new DataLoader(new Stream(10), { sampler: new utils.data.SequentialSampler([1, 2]) })).toThrow(
      'DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=<SequentialSampler object>',
    );
  });

  it('a new pass restarts the stream (each epoch iterates the dataset afresh)', () => {
    const loader = new DataLoader(new Stream(3), { batch_size: 2 });
    const epoch = () => [...loader].map(([, y]) => y.tolist());
    expect(epoch()).toEqual([[0, 1], [2]]);
    expect(epoch()).toEqual([[0, 1], [2]]);
  });
});

describe('ChainDataset', () => {
  it('chains streams; its length is the sum of theirs', () => {
    const chain = new ChainDataset([new SizedStream(2), new SizedStream(3)]);
    expect([...chain].map(([, y]) => y)).toEqual(g.chain.items);
    expect(chain.__len__()).toBe(g.chain.len);
    expect([...new SizedStream(1).__add__(new SizedStream(2))].map(([, y]) => y)).toEqual(g.chain.add);
    expect(new DataLoader(chain, { batch_size: 2 }).length).toBe(3);
  });

  it('raises PyTorch\'s errors', () => {
    expectPyError(() => new ChainDataset([new SizedStream(2), new Stream(3)]).__len__(), g.chain.errors.len!);
    expectPyError(() => [...new ChainDataset([new SizedStream(1), new TensorDataset(torch.arange(2)) as never])], g.chain.errors.not_iterable!);
  });
});
