/**
 * Optimizers against PyTorch's trajectories (test/golden/nn.json, made by
 * test/golden/make_nn.py): six steps of SGD, Adam and AdamW with each option on a fixed
 * problem, parameter groups, state dicts, reprs and PyTorch's errors.
 */

import { describe, expect, it } from 'vitest';
import torch, { nn, optim, Tensor } from '../lib/index.js';
import { expectTrajectory, problem as makeProblem, type Step } from './helpers/optim_problem.js';
import { expectClose } from './helpers/golden.js';
import { expectPyError, nnGolden, type Nested, type PyError } from './nn/helpers.js';

interface Trajectory { name: 'SGD' | 'Adam' | 'AdamW'; kw: Record<string, unknown>; steps: Step[]; state_keys: string[]; group_keys: string[] }
interface G {
  optim: {
    W0: number[][]; B0: number[]; A: number[][]; C: number[][];
    trajectories: Trajectory[];
    groups: { w: Nested; b: Nested }[];
    repr_adam: string; repr_sgd: string;
    errors: Record<string, PyError>;
  };
}
const g = nnGolden<G>().optim;

const problem = () => makeProblem(g);

const ctors = { SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW };

describe('update rules follow PyTorch step by step', () => {
  for (const t of g.trajectories) {
    it(`${t.name}(${JSON.stringify(t.kw)})`, () => {
      const p = problem();
      const opt = new ctors[t.name]([p.w, p.b], t.kw);
      expectTrajectory(opt, p, t.steps);
      const sd = opt.state_dict();
      // PyTorch 2 keeps no momentum buffer for plain SGD (1.13 stored None); the rest is PyTorch's state
      const expectedState = t.name === 'SGD' && !t.kw.momentum ? [] : t.state_keys;
      expect(Object.keys(sd.state[0] ?? {}).sort()).toEqual(expectedState);
      for (const k of Object.keys(sd.param_groups[0]!)) expect(t.group_keys).toContain(k);
    });
  }

  it('per-group options (lr, momentum) override the defaults', () => {
    const { w, b, loss } = problem();
    const opt = new optim.SGD([{ params: [w] }, { params: [b], lr: 0.01, momentum: 0.5 }], { lr: 0.1 });
    expect(opt.param_groups.map((pg) => [pg.lr, pg.momentum])).toEqual([[0.1, 0], [0.01, 0.5]]);
    for (const s of g.groups) {
      opt.zero_grad();
      loss().backward();
      opt.step();
      expectClose(w.tolist(), s.w, 2e-5, 1e-6);
      expectClose(b.tolist(), s.b, 2e-5, 1e-6);
    }
  });

  it('step(closure) re-evaluates under grad mode and returns the loss; grad-less parameters are skipped', () => {
    const { w, b, loss } = problem();
    const opt = new optim.Adam([w, b], 0.1);
    const before = b.tolist();
    const l = torch.no_grad(() =>
      opt.step(() => {
        opt.zero_grad();
        const v = w.mul(w).sum();
        v.backward();
        return v;
      }),
    );
    expect(l).toBeInstanceOf(Tensor);
    expect(b.tolist()).toEqual(before);
    expect(w.grad).not.toBeNull();
    void loss;
  });
});

describe('optimizer state', () => {
  it('state_dict / load_state_dict resume the same trajectory', () => {
    const run = (steps: number, opt: optim.Optimizer, loss: () => Tensor) => {
      for (let i = 0; i < steps; i++) {
        opt.zero_grad();
        loss().backward();
        opt.step();
      }
    };
    const a = problem();
    const optA = new optim.Adam([a.w, a.b], { lr: 0.05, amsgrad: true });
    run(5, optA, a.loss);

    const c = problem();
    const optC = new optim.Adam([c.w, c.b], { lr: 0.05, amsgrad: true });
    run(2, optC, c.loss);
    const saved = optC.state_dict();
    expect(saved.param_groups[0]!.params).toEqual([0, 1]);
    expect((saved.state[0]!.step as Tensor).item()).toBe(2);
    const d = problem();
    torch.no_grad(() => {
      d.w.copy_(c.w);
      d.b.copy_(c.b);
    });
    const optD = new optim.Adam([d.w, d.b], { lr: 0.5 });
    optD.load_state_dict(saved);
    expect(optD.param_groups[0]!.lr).toBe(0.05);
    expect(optD.param_groups[0]!.params[0]).toBe(d.w);
    run(3, optD, d.loss);
    expectClose(d.w.tolist(), a.w.tolist(), 1e-6, 1e-7);
    expectClose(d.b.tolist(), a.b.tolist(), 1e-6, 1e-7);
    expect((optC.state.get(c.w)!.step as Tensor).item()).toBe(2);
  });

  it('zero_grad, add_param_group and the repr', () => {
    const { w, b, loss } = problem();
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    opt.add_param_group({ params: b, lr: 0.01 });
    expect(opt.param_groups[1]!.momentum).toBe(0.9);
    loss().backward();
    opt.zero_grad({ set_to_none: false });
    expect(w.grad!.abs().sum().item()).toBe(0);
    opt.zero_grad();
    expect(w.grad).toBeNull();
    const net = new nn.Linear(2, 2);
    expect(String(new optim.Adam(net.parameters(), { lr: 0.1 }))).toBe(
      g.repr_adam.split('\n').filter((l) => !/capturable|differentiable|foreach|fused/.test(l)).join('\n'),
    );
    expect(String(new optim.SGD(net.parameters(), 0.1, { momentum: 0.9 }))).toBe(
      g.repr_sgd.split('\n').filter((l) => !/differentiable|foreach/.test(l)).join('\n'),
    );
  });

  it('raises PyTorch\'s errors', () => {
    const w = torch.zeros([2], { requires_grad: true });
    const b = torch.zeros([2], { requires_grad: true });
    const e = g.errors;
    expectPyError(() => new optim.SGD([w], { lr: -1 }), e.lr!);
    expectPyError(() => new optim.SGD([w], { lr: 0.1, nesterov: true }), e.nesterov!);
    expectPyError(() => new optim.Adam([w], { betas: [1.0, 0.9] }), e.beta0!);
    expectPyError(() => new optim.Adam([w], { betas: [0.9, -0.1] }), e.beta1!);
    expectPyError(() => new optim.Adam([w], { eps: -1 }), e.eps!);
    expectPyError(() => new optim.Adam([]), e.empty!);
    expectPyError(() => new optim.Adam([{ params: [w] }, { params: [w] }]), e.overlap!);
    expectPyError(() => new optim.Adam([w.mul(2)]), e.non_leaf!);
    expectPyError(() => new optim.Adam(w as unknown as Tensor[]), e.tensor!);
    expectPyError(() => new optim.SGD([w], { lr: 0.1, momentum: -1 }), e.momentum!);
    expectPyError(() => new optim.SGD([w], { lr: 0.1, weight_decay: -1 }), e.weight_decay!);
    expectPyError(() => new optim.SGD([w], 0.1).load_state_dict(new optim.SGD([{ params: [w] }, { params: [b] }], 0.1).state_dict()), e.groups_len!);
  });
});
