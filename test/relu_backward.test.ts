/**
 * relu's gradient as one kernel, PyTorch's threshold_backward (lib/ops/pointwise.ts): 0 where
 * the output is <= 0, the incoming gradient elsewhere, NaN outputs included; -0 gradients kept;
 * ThresholdBackwardBackward0 for double backward. Values from test/golden/make_overhead.py.
 */

import { describe, expect, it } from 'vitest';
import torch from '../lib/index.js';
import { expectClose, loadGolden } from './helpers/golden.js';

interface Golden {
  relu: { x: number[]; g: number[]; gx: number[]; gx_signbit: boolean[]; grad_fn: string; next: string[]; gg: number[] };
}
const G = loadGolden<Golden>('overhead.json').relu;

describe('relu backward', () => {
  it("matches PyTorch's threshold_backward, NaN and -0 included, and its double backward", () => {
    const x = torch.tensor(G.x, { requires_grad: true });
    const g = torch.tensor(G.g, { requires_grad: true });
    const [gx] = torch.autograd.grad(x.relu(), x, { grad_outputs: [g], create_graph: true });
    expectClose(gx!.tolist(), G.gx, 0, 0);
    expect(gx!.signbit().tolist()).toEqual(G.gx_signbit);
    expect(gx!.grad_fn?.name()).toBe(G.grad_fn);
    expect(gx!.grad_fn!.next_functions.map(([n]) => n?.name().replace('torch::autograd::', ''))).toEqual(G.next);
    const [gg] = torch.autograd.grad(gx!.sum(), g);
    expectClose(gg!.tolist(), G.gg, 0, 0);
  });

  it('gives the gradient of F.relu in a network, broadcast and in place', () => {
    const w = torch.tensor([[-1, 2], [3, -4]], { dtype: torch.float32, requires_grad: true });
    torch.nn.functional.relu(w.mul(torch.tensor([1, -1]))).sum().backward();
    expect(w.grad!.tolist()).toEqual([[0, -0], [1, -1]]);
    const v = torch.tensor([-1, 2, 3], { dtype: torch.float32, requires_grad: true });
    v.mul(1).relu_().mul(torch.tensor([5, 6, 7])).sum().backward();
    expect(v.grad!.tolist()).toEqual([0, 6, 7]);
  });
});
