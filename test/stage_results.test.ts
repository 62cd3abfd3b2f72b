/**
 * Operands read where the previous kernel left them (lib/backends/cpu/wasm/stage.ts: stageResult,
 * stagedAt, reserve; gemm.ts: stagedResult): a convolution's, relu's, pooling's or batch norm's
 * result copied out of the kernels' data area is read there by the next kernel instead of being
 * copied in again. These tests check that results are the same bits with and without that, that
 * the path is really taken, and that a copy left there is never read once it is stale: its tensor
 * written in place, the data area used by another call, a view that is not the same elements.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { F, nn, optim, type Tensor } from '../lib/index.js';
import { stageConfig } from '../lib/backends/cpu/wasm/stage.js';
import { wasmConvConfig } from '../lib/backends/cpu/wasm/conv.js';
import { wasmGemm } from '../lib/backends/cpu/wasm/gemm.js';
import { BnLeNet } from './helpers/bn_lenet.js';

const built = wasmGemm() !== null;
if (!built) console.warn('stage_results: skipped, the WebAssembly kernels are not built (npm run build:wasm)');

/** f() with staged results off (every operand copied in), then on; both results, and the operands found staged. */
function both<T>(f: () => T): { off: T; on: T; found: number } {
  stageConfig.results = false;
  let off: T;
  try {
    off = f();
  } finally {
    stageConfig.results = true;
  }
  const before = stageConfig.found;
  const on = f();
  return { off, on, found: stageConfig.found - before };
}

const same = (a: Tensor, b: Tensor): void => {
  expect(a.shape).toEqual(b.shape);
  expect(torch.equal(a, b)).toBe(true);
};

function train(steps: number): Tensor[] {
  torch.manual_seed(5);
  // LeNet's sizes on 28 x 28 images
  const net = new BnLeNet(6, 5, 2, 16, 5, 5);
  const opt = new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
  const x = torch.randn([8, 1, 28, 28]);
  const y = torch.randint(0, 10, [8]);
  for (let s = 0; s < steps; s++) {
    opt.zero_grad();
    F.cross_entropy(net(x), y).backward();
    opt.step();
  }
  return [...net.parameters()].flatMap((p) => [p.detach().clone(), p.grad!.clone()]);
}

describe.skipIf(!built)("results read where the previous kernel left them", () => {
  afterEach(() => {
    wasmConvConfig.threadMinMacs = 1 << 21;
    stageConfig.results = true;
  });

  for (const threads of [false, true]) {
    it(`trains LeNet with batch norm to the same bits${threads ? ', convolutions split over threads' : ''}`, () => {
      if (threads) wasmConvConfig.threadMinMacs = 0;
      const { off, on, found } = both(() => train(3));
      // per step at least: batch norm's statistics, relu, pooling and the second convolution on
      // the first layer's results, relu and pooling on the second's
      expect(found).toBeGreaterThanOrEqual(3 * 6);
      for (let i = 0; i < off.length; i++) same(on[i]!, off[i]!);
    });
  }

  it('pools a 16-channel convolution read in place (the pooling\'s room leaves it be)', () => {
    // y (16 channels of one) is larger than the convolution's other buffers: a room laid out from
    // the start of the data area would overlap it
    torch.manual_seed(1);
    const conv = new nn.Conv2d(1, 16, 3, { padding: 1 });
    const x = torch.randn([4, 1, 12, 12]);
    const { off, on, found } = both(() => torch.no_grad(() => {
      const r = F.max_pool2d(conv(x), 2, { return_indices: true });
      return [r[0], r[1]] as const;
    }));
    expect(found).toBe(1);
    same(on[0], off[0]);
    same(on[1], off[1]);
  });

  it('reads a relu input in place and leaves its own result for the pooling', () => {
    torch.manual_seed(2);
    const conv = new nn.Conv2d(2, 8, 3);
    const x = torch.randn([6, 2, 30, 30]);
    const { off, on, found } = both(() => torch.no_grad(() => {
      const y = conv(x);
      const r = F.relu(y);
      return [y, r, F.max_pool2d(r, 2)];
    }));
    expect(found).toBe(2);
    for (let i = 0; i < 3; i++) same(on[i]!, off[i]!);
  });

  it('never reads a copy its tensor has changed since', () => {
    torch.manual_seed(3);
    const conv = new nn.Conv2d(1, 4, 3);
    const x = torch.randn([4, 1, 20, 20]);
    torch.no_grad(() => {
      const y = conv(x);
      y.add_(1);
      const before = stageConfig.found;
      const p = F.max_pool2d(y, 2);
      expect(stageConfig.found).toBe(before);
      stageConfig.results = false;
      same(p, F.max_pool2d(y, 2));
      stageConfig.results = true;
      // relu in place over the copy: the copy then holds relu's values, noted for y's new version only
      const z = conv(x);
      const r = F.relu_(z);
      const q = F.max_pool2d(z, 2);
      stageConfig.results = false;
      same(q, F.max_pool2d(r, 2));
    });
  });

  it('never reads a copy once another call has used the data area', () => {
    torch.manual_seed(4);
    const conv = new nn.Conv2d(1, 8, 3, { padding: 1 });
    const x = torch.randn([4, 1, 24, 24]);
    const a = torch.randn([96, 96]);
    torch.no_grad(() => {
      const y = conv(x);
      torch.mm(a, a);
      const before = stageConfig.found;
      const p = F.max_pool2d(y, 2);
      expect(stageConfig.found).toBe(before);
      stageConfig.results = false;
      same(p, F.max_pool2d(y, 2));
    });
  });

  it('reads a view of a staged result only where it is the same contiguous elements', () => {
    torch.manual_seed(6);
    const conv = new nn.Conv2d(1, 6, 3, { padding: 1 });
    const x = torch.randn([5, 1, 32, 32]);
    const views: [string, (y: Tensor) => Tensor, number][] = [
      ['a contiguous run from an offset', (y) => y.narrow(0, 2, 2), 1],
      ['one channel of every image', (y) => y.narrow(1, 3, 1), 0],
      ['the whole, transposed', (y) => y.transpose(2, 3), 0],
      ['the images in another order', (y) => y.flip(0), 0],
    ];
    for (const [, view, hits] of views) {
      const { off, on, found } = both(() => torch.no_grad(() => F.max_pool2d(view(conv(x)), 2)));
      expect(found).toBe(hits);
      same(on, off);
    }
  });
});
