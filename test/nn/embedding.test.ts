/**
 * F.embedding and nn.Embedding against PyTorch 1.13 (test/golden/attention.json, made by
 * test/golden/make_attention.py): lookups, gradients (padding_idx, scale_grad_by_freq),
 * max_norm renormalisation, initialisation under a seed, reprs and errors.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, nn } from '../../lib/index.js';
import type { Tensor } from '../../lib/index.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { expectPyError, type Nested, type PyError } from './helpers.js';

interface EmbCase { kw: Record<string, number | boolean>; y: Nested; grad: Nested; weight_after: Nested; grad_fn: string }
interface G {
  embedding: { weight: Nested; input: number[][]; g: Nested; cases: EmbCase[]; scalar_index: { y: Nested; grad: Nested }; int32: Nested };
  embedding_errors: Record<string, PyError>;
  embedding_module: {
    init_seed: number; plain: Nested; padded: Nested; padded_idx: number; rand_after: Nested;
    pretrained: { requires_grad: boolean; repr: string; requires_grad2: boolean; repr2: string };
    reprs: { args: number[]; kw: Record<string, number | boolean>; repr: string }[];
  };
}
const g = loadGolden<G>('attention.json');
const E = g.embedding;
const f32 = (v: Nested): Tensor => torch.tensor(v as number[], { dtype: torch.float32 });

describe('F.embedding', () => {
  for (const c of E.cases) {
    it(`matches PyTorch with ${JSON.stringify(c.kw)}`, () => {
      const w = f32(E.weight).requires_grad_(true);
      const y = F.embedding(torch.tensor(E.input), w, c.kw);
      expect(y.grad_fn!.name()).toBe(c.grad_fn);
      expectClose(y.tolist(), c.y, 1e-5, 1e-6, 'y');
      y.mul(f32(E.g)).sum().backward();
      expectClose(w.grad!.tolist(), c.grad, 1e-5, 1e-6, 'grad');
      expectClose(w.tolist(), c.weight_after, 1e-5, 1e-6, 'weight after');
    });
  }

  it('takes positional arguments as PyTorch does', () => {
    const w = f32(E.weight).requires_grad_(true);
    const y = F.embedding(torch.tensor(E.input), w, 2, null, 2, true);
    y.mul(f32(E.g)).sum().backward();
    const ref = E.cases.find((c) => c.kw.padding_idx === 2 && Object.keys(c.kw).length === 1)!;
    expectClose(y.tolist(), ref.y);
    expect(w.grad!.get(2).abs().sum().item()).toBe(0);
  });

  it('a 0-d index gives one row; int32 indices work', () => {
    const w = f32(E.weight).requires_grad_(true);
    const y = F.embedding(torch.tensor(3), w);
    expect(y.shape).toEqual([3]);
    expectClose(y.tolist(), E.scalar_index.y);
    y.sum().backward();
    expectClose(w.grad!.tolist(), E.scalar_index.grad);
    expectClose(F.embedding(torch.tensor(E.input, { dtype: torch.int32 }), f32(E.weight)).tolist(), E.int32);
  });

  it('double backward: the gradient is linear in the output gradient', () => {
    const w = f32(E.weight).requires_grad_(true);
    const go = torch.ones([2, 3, 3], { requires_grad: true });
    const y = F.embedding(torch.tensor(E.input), w, { padding_idx: 4 });
    const [gw] = torch.autograd.grad([y], [w], { grad_outputs: [go], create_graph: true });
    gw!.mul(f32(E.weight)).sum().backward();
    // d/dgo of sum(W * scatter(go)) is W at each looked-up row, zero at the padding index
    const expected = F.embedding(torch.tensor(E.input), f32(E.weight)).masked_fill(torch.tensor(E.input).eq(4).unsqueeze(-1), 0);
    expectClose(go.grad!.tolist(), expected.tolist());
  });

  it("raises PyTorch's errors", () => {
    const w = f32(E.weight);
    const errs = g.embedding_errors;
    expectPyError(() => F.embedding(torch.tensor([0, 6]), w), errs.out_of_range!);
    expectPyError(() => F.embedding(torch.tensor([-1]), w), errs.negative!);
    expectPyError(() => F.embedding(torch.tensor([0, 1], { dtype: torch.float32 }), w), errs.float_input!);
    expectPyError(() => F.embedding(torch.tensor([0]), w, 6), errs.padding_idx_high!);
    expectPyError(() => F.embedding(torch.tensor([0]), w, { padding_idx: -7 }), errs.padding_idx_low!);
    expect(() => F.embedding(torch.tensor([0]), w, { sparse: true })).toThrow(/sparse/);
  });
});

describe('nn.Embedding', () => {
  const M = g.embedding_module;

  it('initialises as PyTorch under the same seed (N(0, 1), padding row zeroed)', () => {
    torch.manual_seed(M.init_seed);
    const e1 = new nn.Embedding(6, 4);
    const e2 = new nn.Embedding(5, 3, -2);
    const after = torch.rand(3);
    expectClose(e1.weight.tolist(), M.plain, 1e-6, 1e-7);
    expectClose(e2.weight.tolist(), M.padded, 1e-6, 1e-7);
    expect(e2.padding_idx).toBe(M.padded_idx);
    expectClose(after.tolist(), M.rand_after);
    expect(e1.weight.requires_grad).toBe(true);
  });

  for (const r of M.reprs) {
    it(r.repr, () => {
      expect(String(new nn.Embedding(r.args[0]!, r.args[1]!, r.kw))).toBe(r.repr);
    });
  }

  it('forward is F.embedding with the module options; padding rows get no gradient', () => {
    const emb = new nn.Embedding(6, 3, { padding_idx: 2, scale_grad_by_freq: true });
    const ix = torch.tensor(E.input);
    const y = emb(ix);
    expect(y.shape).toEqual([2, 3, 3]);
    expectClose(y.tolist(), F.embedding(ix, emb.weight).tolist());
    y.mul(f32(E.g)).sum().backward();
    expect(emb.weight.grad!.get(2).abs().sum().item()).toBe(0);
    expect([...emb.named_parameters()].map(([n]) => n)).toEqual(['weight']);
  });

  it('from_pretrained shares the tensor and freezes by default', () => {
    const w = f32(E.weight);
    const pre = nn.Embedding.from_pretrained(w);
    expect(pre.weight.requires_grad).toBe(M.pretrained.requires_grad);
    expect(String(pre)).toBe(M.pretrained.repr);
    no_grad_fill(pre.weight);
    expect(w.get(0, 0).item()).toBe(7);
    const pre2 = nn.Embedding.from_pretrained(f32(E.weight), { freeze: false, padding_idx: 1 });
    expect(pre2.weight.requires_grad).toBe(M.pretrained.requires_grad2);
    expect(String(pre2)).toBe(M.pretrained.repr2);
    expectClose(pre2.weight.get(1).tolist(), (E.weight as number[][])[1]!);
  });

  it('_weight and _freeze', () => {
    const w = torch.randn(4, 2);
    const emb = new nn.Embedding(4, 2, { _weight: w, _freeze: true });
    expect(emb.weight.requires_grad).toBe(false);
    expectClose(emb.weight.tolist(), w.tolist());
  });

  it("raises PyTorch's errors", () => {
    const errs = g.embedding_errors;
    expectPyError(() => new nn.Embedding(10, 3, 10), errs.module_padding_idx!);
    expectPyError(() => new nn.Embedding(10, 3, { _weight: torch.zeros(3, 10) }), errs.module_weight_shape!);
    expectPyError(() => nn.Embedding.from_pretrained(torch.zeros(4)), errs.from_pretrained_1d!);
    expectPyError(() => new nn.Embedding(6, 3)(torch.tensor([7])), errs.out_of_range!);
  });

  it('trains: SGD moves only the looked-up rows', () => {
    const emb = new nn.Embedding(5, 2);
    const before = emb.weight.detach().clone();
    const opt = new torch.optim.SGD(emb.parameters(), { lr: 0.5 });
    emb(torch.tensor([1, 3])).pow(2).sum().backward();
    opt.step();
    const moved = emb.weight.detach().sub(before).abs().sum(1).gt(0).tolist();
    expect(moved).toEqual([false, true, false, true, false]);
  });
});

function no_grad_fill(p: Tensor): void {
  torch.no_grad(() => p.set(0, 0, 7));
}
