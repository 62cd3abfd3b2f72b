/**
 * default_collate's host fast path (lib/utils/data/dataloader.ts, `stackOnHost`): samples of one
 * CPU dtype and shape that need no graph are gathered with one bulk read each instead of a copy
 * kernel each. Checked against PyTorch (test/golden/overhead.json) and against torch.stack, and
 * it must step aside for samples that need a graph or differ.
 */

import { describe, expect, it } from 'vitest';
import torch, { DataLoader, type Tensor } from '../lib/index.js';
import { default_collate } from '../lib/utils/data/dataloader.js';
import { cpuBackend } from '../lib/backends/cpu/index.js';
import { expectClose, loadGolden } from './helpers/golden.js';

interface Golden {
  collate: { idx: number[]; values: unknown[]; shapes: number[][]; dtypes: string[]; contiguous: boolean[] };
}
const G = loadGolden<Golden>('overhead.json').collate;

/** How many copy kernels (`pointwise`) run during `fn`. */
function kernelsDuring(fn: () => void): number {
  const orig = cpuBackend.pointwise;
  let n = 0;
  cpuBackend.pointwise = (...a) => {
    n++;
    return orig(...a);
  };
  try {
    fn();
  } finally {
    cpuBackend.pointwise = orig;
  }
  return n;
}

describe('default_collate on the host', () => {
  const X = torch.arange(60, { dtype: torch.float32 }).reshape(10, 2, 3).div(7);
  const Y = torch.arange(10).mul(3).sub(5);
  const B = torch.tensor(Array.from({ length: 10 }, (_, i) => i % 2 === 0));
  const U = torch.arange(10, { dtype: torch.uint8 }).mul(20);
  const D = torch.arange(20, { dtype: torch.float64 }).reshape(2, 10).t();
  const ds = new torch.utils.data.TensorDataset(X, Y, B, U, D);

  it("matches PyTorch's batch of TensorDataset rows, dtype by dtype", () => {
    let batch: Tensor[] = [];
    const kernels = kernelsDuring(() => {
      batch = default_collate(G.idx.map((i) => ds.__getitem__(i)));
    });
    expect(kernels).toBe(0);
    batch.forEach((t, k) => {
      expect(t.dtype.name).toBe(G.dtypes[k]);
      expect([...t.shape]).toEqual(G.shapes[k]);
      expect(t.is_contiguous()).toBe(G.contiguous[k]);
      expectClose(t.tolist(), G.values[k], 0, 0, `field ${k}`);
    });
  });

  it('gives what torch.stack gives, and a batch that owns its memory', () => {
    const rows = [3, 3, 8].map((i) => X.select(0, i));
    const fast = default_collate(rows);
    expect(torch.equal(fast, torch.stack(rows))).toBe(true);
    fast.add_(1);
    expect(torch.equal(rows[0]!, X.select(0, 3))).toBe(true);
    expect(X.select(0, 3).get(0, 0).item()).toBeCloseTo(18 / 7, 5);
    // 0-d samples become a 1-d batch
    const scalars = [Y.select(0, 1), Y.select(0, 4)];
    expect(default_collate(scalars).tolist()).toEqual([-2, 7]);
  });

  it('leaves samples that need a graph, or differ, to torch.stack', () => {
    const w = torch.randn([3], { requires_grad: true });
    const withGraph = default_collate([w, w.mul(2)]);
    expect(withGraph.grad_fn?.name()).toBe('StackBackward0');
    withGraph.sum().backward();
    expect(w.grad!.tolist()).toEqual([3, 3, 3]);
    // mixed dtypes promote as torch.stack does
    const mixed = default_collate([torch.tensor([1, 2]), torch.tensor([0.5, 1.5])]);
    expect(mixed.dtype).toBe(torch.float32);
    expect(mixed.tolist()).toEqual([[1, 2], [0.5, 1.5]]);
    expect(() => default_collate([torch.zeros([2]), torch.zeros([3])])).toThrow(
      'stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1',
    );
  });

  it('batches a shuffled DataLoader epoch exactly as stacking the rows', () => {
    torch.manual_seed(0);
    const loader = new DataLoader(new torch.utils.data.TensorDataset(X, Y), { batch_size: 4, shuffle: true });
    const seen: number[] = [];
    for (const [x, y] of loader) {
      const rows = y.add(5).div(3, { rounding_mode: 'floor' }).tolist() as number[];
      expect(torch.equal(x, torch.stack(rows.map((i) => X.select(0, i))))).toBe(true);
      seen.push(...rows);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a TensorDataset batch is one row gather per tensor, equal to collating its samples', () => {
    const ds = new torch.utils.data.TensorDataset(X, Y, X.transpose(1, 2).contiguous().transpose(1, 2), torch.arange(10).to(torch.int32));
    const sampler = new torch.utils.data.BatchSampler(new torch.utils.data.SequentialSampler(ds), 3, false);
    const fast = new DataLoader(ds, { batch_sampler: sampler });
    // an explicit collate_fn takes the per-sample path
    const slow = new DataLoader(ds, { batch_sampler: sampler, collate_fn: (b) => default_collate(b) });
    const a = [...fast];
    const b = [...slow];
    expect(a.length).toBe(4);
    for (let i = 0; i < a.length; i++) {
      for (let k = 0; k < 4; k++) {
        expect(a[i]![k]!.dtype).toBe(b[i]![k]!.dtype);
        expect(a[i]![k]!.shape).toEqual(b[i]![k]!.shape);
        expect(torch.equal(a[i]![k]!, b[i]![k]!)).toBe(true);
      }
    }
    expect(kernelsDuring(() => [...fast])).toBe(0);
  });

  it("an index select would refuse takes the per-sample path and PyTorch's message", () => {
    const ds = new torch.utils.data.TensorDataset(X, Y);
    expect(() => [...new DataLoader(ds, { batch_sampler: [[0, 10]] })]).toThrow('index 10 out of range');
    // negative indices count from the end, as dataset[-1] does
    const [[x]] = [...new DataLoader(ds, { batch_sampler: [[-1]] })] as Tensor[][];
    expect(torch.equal(x!, X.narrow(0, 9, 1))).toBe(true);
  });

  it("uses a dataset's __getitems__ (PyTorch 2's batched fetch)", () => {
    const calls: number[][] = [];
    const ds = {
      __len__: () => 6,
      __getitem__: (i: number) => torch.tensor([i]),
      __getitems__: (idx: number[]) => {
        calls.push(idx);
        return idx.map((i) => torch.tensor([i * 10]));
      },
    };
    const batches = [...new DataLoader(ds, { batch_size: 4 })];
    expect(calls).toEqual([[0, 1, 2, 3], [4, 5]]);
    expect(batches.map((t) => t.tolist())).toEqual([[[0], [10], [20], [30]], [[40], [50]]]);
  });
});
