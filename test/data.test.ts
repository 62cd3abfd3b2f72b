/**
 * torch.utils.data against PyTorch (test/golden/nn.json, made by test/golden/make_nn.py):
 * seeded shuffles are PyTorch's own (the same generator, and the same draws per epoch),
 * random_split, samplers, default collation and the DataLoader's options and errors.
 */

import { describe, expect, expectTypeOf, it } from 'vitest';
import torch, { DataLoader, Dataset, Subset, TensorDataset, random_split, utils, type Tensor } from '../lib/index.js';
import { expectPyError, nnGolden, type Nested, type PyError } from './nn/helpers.js';

interface G {
  data: {
    shuffle_default: number[][][];
    after_default: number[];
    shuffle_generator: number[][][];
    len_drop_last: number;
    sequential_after: [number[][], number[]];
    random_split: number[][];
    random_split_frac: number[][];
    errors: Record<string, PyError>;
    collate: Record<string, { y?: Nested; dtype: string }>;
  };
}
const g = nnGolden<G>().data;
const { default_collate, RandomSampler, SequentialSampler, BatchSampler, SubsetRandomSampler } = utils.data;

const ds = () => new TensorDataset(torch.arange(20), torch.arange(20).mul(10));

describe('DataLoader', () => {
  it('shuffles exactly as PyTorch after the same manual_seed, a new order each epoch', () => {
    torch.manual_seed(3);
    const epochs = [0, 1].map(() => [...new DataLoader(ds(), { batch_size: 6, shuffle: true })].map(([x]) => x!.tolist()));
    expect(epochs).toEqual(g.shuffle_default);
    expect(torch.rand(3).tolist()).toEqual(g.after_default.map(Math.fround));
  });

  it('uses its own generator when given one; drop_last and len', () => {
    const loader = new DataLoader(ds(), { batch_size: 7, shuffle: true, generator: new torch.Generator().manual_seed(11), drop_last: true });
    const epochs = [0, 1].map(() => [...loader].map(([x]) => x!.tolist()));
    expect(epochs).toEqual(g.shuffle_generator);
    expect(loader.length).toBe(g.len_drop_last);
    expect(loader.__len__()).toBe(g.len_drop_last);
    expect(new DataLoader(ds(), { batch_size: 7 }).length).toBe(3);
  });

  it('in order without shuffle (still drawing PyTorch\'s per-epoch seed)', () => {
    torch.manual_seed(5);
    const batches = [...new DataLoader(ds(), { batch_size: 8 })].map(([, y]) => y!.tolist());
    expect(batches).toEqual(g.sequential_after[0]);
    expect(torch.rand(2).tolist()).toEqual(g.sequential_after[1].map(Math.fround));
  });

  it('collates tuples of tensors and numbers, typed for destructuring', () => {
    class Squares extends Dataset<[Tensor, number]> {
      __getitem__(i: number): [Tensor, number] {
        return [torch.full([2], i), i * i];
      }
      __len__(): number {
        return 5;
      }
    }
    const loader = new DataLoader(new Squares(), { batch_size: 2 });
    const seen: number[][] = [];
    for (const [X, y] of loader) {
      expectTypeOf(X).toEqualTypeOf<Tensor>();
      expectTypeOf(y).toEqualTypeOf<Tensor>();
      expect(X.shape[1]).toBe(2);
      expect(y.dtype).toBe(torch.int64);
      seen.push(y.tolist() as number[]);
    }
    expect(seen).toEqual([[0, 1], [4, 9], [16]]);
    expect(new Squares().length).toBe(5);
  });

  it('takes plain arrays, custom collate_fn, samplers and batch samplers; batch_size null yields samples', () => {
    const data = [10, 20, 30, 40, 50];
    expect([...new DataLoader(data, { batch_size: 2, collate_fn: (b: number[]) => b.join('+') })]).toEqual(['10+20', '30+40', '50']);
    expect([...new DataLoader(data, { batch_size: null })]).toEqual(data);
    expect([...new DataLoader(data, { batch_size: 2, sampler: [4, 0, 2] })].map((t) => t.tolist())).toEqual([[50, 10], [30]]);
    expect([...new DataLoader(data, { batch_sampler: [[1, 3], [0]] })].map((t) => t.tolist())).toEqual([[20, 40], [10]]);
    const records = [{ a: 1, b: 'x' }, { a: 2, b: 'y' }];
    const [batch] = [...new DataLoader(records, { batch_size: 2 })];
    expect(batch!.a.tolist()).toEqual([1, 2]);
    expect(batch!.b).toEqual(['x', 'y']);
  });

  it('raises PyTorch\'s errors', () => {
    const e = g.errors;
    expectPyError(() => new DataLoader(ds(), { sampler: [0, 1, 2], shuffle: true }), e.sampler_shuffle!);
    expectPyError(() => new DataLoader(ds(), { batch_sampler: [[0, 1]], batch_size: 2 }), e.batch_sampler!);
    expectPyError(() => [...new DataLoader([[1, 2], [3]], { batch_size: 2 })], e.collate_size!);
  });
});

describe('datasets, samplers and collation', () => {
  it('random_split with a seeded generator gives PyTorch\'s subsets (lengths or fractions)', () => {
    const range = (n: number) => [...Array(n).keys()];
    expect(random_split(range(10), [7, 3], new torch.Generator().manual_seed(42)).map((s) => s.indices)).toEqual(g.random_split);
    expect(random_split(range(11), [0.5, 0.3, 0.2], { generator: new torch.Generator().manual_seed(1) }).map((s) => s.indices)).toEqual(g.random_split_frac);
    expectPyError(() => random_split(range(10), [3, 3]), g.errors.split_sum!);
  });

  it('TensorDataset and Subset index like PyTorch', () => {
    const d = ds();
    const [x, y] = d.__getitem__(3);
    expect([x!.item(), y!.item()]).toEqual([3, 30]);
    expect(d.length).toBe(20);
    const sub = new Subset(d, [5, 1, 7]);
    expect(sub.__len__()).toBe(3);
    expect(sub.__getitem__(-1)[1]!.item()).toBe(70);
    expect(() => new TensorDataset(torch.zeros(3), torch.zeros(4))).toThrow('Size mismatch between tensors');
  });

  it('samplers', () => {
    expect([...new SequentialSampler([1, 2, 3])]).toEqual([0, 1, 2]);
    const perm = [...new RandomSampler([...Array(10).keys()], { generator: new torch.Generator().manual_seed(0) })];
    expect([...perm].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect([...new RandomSampler([1, 2, 3], { replacement: true, num_samples: 40 })].length).toBe(40);
    expect([...new BatchSampler(new SequentialSampler([...Array(7).keys()]), 3, true)]).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(new BatchSampler(new SequentialSampler([...Array(7).keys()]), 3, false).length).toBe(3);
    expect([...new SubsetRandomSampler([4, 8, 15])].sort((a, b) => a - b)).toEqual([4, 8, 15]);
    expect(() => new BatchSampler([0, 1], 0, false)).toThrow('batch_size should be a positive integer value, but got batch_size=0');
  });

  it('default_collate: numbers as int64 or float64, booleans, and equal-size checks', () => {
    const ints = default_collate([1, 2, 3]);
    expect(ints.tolist()).toEqual(g.collate.numbers!.y);
    expect(ints.dtype.name).toBe(g.collate.numbers!.dtype);
    const floats = default_collate([1.5, 2]);
    expect(floats.tolist()).toEqual(g.collate.floats!.y);
    expect(floats.dtype.name).toBe(g.collate.floats!.dtype);
    expect(default_collate([true, false]).dtype.name).toBe(g.collate.bools!.dtype);
    expect(() => default_collate([null, null])).toThrow("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class 'NoneType'>");
  });
});
