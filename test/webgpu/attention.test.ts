/**
 * Differential test of embeddings and attention on 'cuda' (WebGPU) against 'cpu': F.embedding
 * (padding_idx, scale_grad_by_freq, max_norm), F.scaled_dot_product_attention with masks,
 * nn.MultiheadAttention and nn.TransformerEncoder, forward and gradients, same weights on both.
 */

import { describe, it } from 'vitest';
import torch, { F, nn, type Tensor } from '../../lib/index.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

const TOL = [2e-4, 2e-5] as const;

function randn(shape: number[], seed: number): Tensor {
  torch.manual_seed(seed);
  return torch.randn(shape);
}

describe.runIf(hasGpu)(`embedding and attention on cuda${skipReason}`, () => {
  it('F.embedding: lookup, gradient, max_norm renormalisation', () => {
    const idx = torch.tensor([[0, 2, 4], [2, 5, 2]]);
    const g = randn([2, 3, 3], 1);
    const run = (dev: 'cpu' | 'cuda') => {
      const w = randn([6, 3], 0).mul(2).to(dev).requires_grad_(true);
      const y = F.embedding(idx.to(dev), w, { padding_idx: 2, scale_grad_by_freq: true, max_norm: 1.5 });
      y.mul(g.to(dev)).sum().backward();
      return { y, grad: w.grad!, w: w.detach() };
    };
    const [c, d] = [run('cpu'), run('cuda')];
    expectSame(d.y, c.y, ...TOL, 'y');
    expectSame(d.grad, c.grad, ...TOL, 'grad');
    expectSame(d.w, c.w, ...TOL, 'renormalised weight');
  });

  it('F.scaled_dot_product_attention with bool mask, float mask and causal', () => {
    const keep = torch.rand(4, 5).gt(0.3);
    const bias = randn([4, 5], 5);
    for (const kw of [{ attn_mask: keep }, { attn_mask: bias }, { is_causal: true }]) {
      const run = (dev: 'cpu' | 'cuda') => {
        const [q, k, v] = [randn([2, 4, 6], 2), randn([2, 5, 6], 3), randn([2, 5, 3], 4)].map((t) => t.to(dev).requires_grad_(true)) as [Tensor, Tensor, Tensor];
        const m = kw.attn_mask ? { attn_mask: kw.attn_mask.to(dev) } : kw;
        const y = F.scaled_dot_product_attention(q, k, v, m);
        y.pow(2).sum().backward();
        return [y, q.grad!, k.grad!, v.grad!];
      };
      const [c, d] = [run('cpu'), run('cuda')];
      c.forEach((t, i) => expectSame(d[i]!, t, ...TOL, `sdpa ${i}`));
    }
  });

  it('nn.MultiheadAttention (kdim/vdim, masks) and nn.TransformerEncoder', () => {
    const run = (dev: 'cpu' | 'cuda') => {
      torch.manual_seed(7);
      const mha = new nn.MultiheadAttention(6, 3, { kdim: 4, vdim: 5, batch_first: true }).to(dev);
      const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, dropout: 0 }), 2).to(dev);
      const q = randn([2, 3, 6], 8).to(dev).requires_grad_(true);
      const k = randn([2, 5, 4], 9).to(dev);
      const v = randn([2, 5, 5], 10).to(dev);
      const kpm = torch.tensor([[false, false, true, false, false], [false, false, false, false, true]]).to(dev);
      const [y, w] = mha(q, k, v, { key_padding_mask: kpm, attn_mask: randn([3, 5], 11).to(dev) });
      const x = randn([5, 2, 8], 12).to(dev).requires_grad_(true);
      const z = enc(x, { mask: torch.triu(torch.full([5, 5], -Infinity), 1).to(dev) });
      y.sum().add(w!.pow(2).sum()).add(z.pow(2).sum()).backward();
      return [y, w!, q.grad!, x.grad!, z, ...[...mha.parameters(), ...enc.parameters()].map((p) => p.grad!)];
    };
    const [c, d] = [run('cpu'), run('cuda')];
    c.forEach((t, i) => expectSame(d[i]!, t, ...TOL, `tensor ${i}`));
  });
});
