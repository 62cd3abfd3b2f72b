/**
 * Differential test on 'cuda' (WebGPU) against 'cpu' for transposed convolutions,
 * interpolate, kl_div, orthogonal_ / trunc_normal_ and gradient clipping: same inputs, same
 * outputs and gradients.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, nn, type Tensor } from '../../lib/index.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

function randn(shape: number[], seed: number): Tensor {
  torch.manual_seed(seed);
  return torch.randn(shape);
}

/** f on both devices (inputs made on the CPU): the output and each input's gradient agree. */
function same(what: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const run = (dev: 'cpu' | 'cuda') => {
    const xs = inputs.map((x) => x.to(dev).detach().requires_grad_());
    const y = f(...xs);
    y.mul(torch.arange(y.numel(), { device: dev }).reshape(y.shape).mul(0.01).add(1)).sum().backward();
    return { y, grads: xs.map((x) => x.grad!) };
  };
  const c = run('cpu');
  const g = run('cuda');
  expectSame(g.y, c.y, 1e-4, 1e-5, `${what} out`);
  g.grads.forEach((gr, i) => expectSame(gr, c.grads[i]!, 1e-4, 1e-5, `${what} grad ${i}`));
}

describe.runIf(hasGpu)(`nn extras on cuda match cpu${skipReason}`, () => {
  it('conv_transpose2d / conv_transpose1d', () => {
    same('ct2', (x, w, b) => F.conv_transpose2d(x, w, b, { stride: 2, padding: 1, output_padding: 1, groups: 2 }),
      [randn([2, 4, 5, 4], 1), randn([4, 3, 3, 3], 2), randn([6], 3)]);
    same('ct1', (x, w) => F.conv_transpose1d(x, w, null, { stride: 3, dilation: 2 }), [randn([2, 3, 6], 4), randn([3, 2, 4], 5)]);
  });
  it('interpolate: nearest, bilinear, bicubic, linear', () => {
    const x = randn([2, 3, 5, 6], 6);
    same('nearest', (t) => F.interpolate(t, { size: [7, 13] }), [x]);
    same('bilinear', (t) => F.interpolate(t, { scale_factor: 1.7, mode: 'bilinear' }), [x]);
    same('bicubic', (t) => F.interpolate(t, { size: [4, 9], mode: 'bicubic', align_corners: true }), [x]);
    same('linear', (t) => F.interpolate(t, { scale_factor: 2.5, mode: 'linear' }), [randn([2, 3, 5], 7)]);
  });
  it('kl_div', () => {
    same('kl', (x, t) => F.kl_div(x.log_softmax(1), t.softmax(1), { reduction: 'batchmean' }), [randn([4, 5], 8), randn([4, 5], 9)]);
  });
  it('orthogonal_, trunc_normal_ and clip_grad_norm_ run on the device', () => {
    const q = nn.init.orthogonal_(torch.empty([6, 4], { device: 'cuda' }));
    expect(q.device.type).toBe('cuda');
    expectSame(q.t().matmul(q), torch.eye(4), 1e-5, 1e-5, 'QtQ');
    const t = nn.init.trunc_normal_(torch.empty([1000], { device: 'cuda' }));
    expect(t.min().item()).toBeGreaterThanOrEqual(-2);
    expect(t.max().item()).toBeLessThanOrEqual(2);
    const p = torch.zeros([3], { device: 'cuda', requires_grad: true });
    p.grad = torch.tensor([3, 4, 0], { dtype: torch.float32, device: 'cuda' });
    const n = nn.utils.clip_grad_norm_([p], 1);
    expect(n.device.type).toBe('cuda');
    expect(n.item()).toBeCloseTo(5, 5);
    expectSame(p.grad, torch.tensor([0.6, 0.8, 0], { dtype: torch.float32 }), 1e-5, 1e-6, 'clipped');
  });
});
