/**
 * The fixed problem the optimizer golden files share (test/golden/make_nn.py, make_optim2.py): a
 * weight matrix and a bias under a loss with squares, a cube and a sine, and the step-by-step
 * comparison of a trajectory with PyTorch's.
 */

import torch, { type optim, type Tensor } from '../../lib/index.js';
import { expectClose } from './golden.js';
import type { Nested } from '../nn/helpers.js';

export interface ProblemData { W0: number[][]; B0: number[]; A: number[][]; C: number[][] }
export interface Step { loss: number; w: Nested; b: Nested }

/** Fresh parameters w, b and the loss over them, from the golden file's data. */
export function problem(d: ProblemData): { w: Tensor; b: Tensor; loss: () => Tensor } {
  const f32 = { dtype: torch.float32 };
  const w = torch.tensor(d.W0, { ...f32, requires_grad: true });
  const b = torch.tensor(d.B0, { ...f32, requires_grad: true });
  const A = torch.tensor(d.A, f32);
  const C = torch.tensor(d.C, f32);
  const coef = torch.tensor([1.5, -0.5], f32);
  const loss = () => w.mul(A).sub(C).pow(2).sum().add(w.pow(3).sum().mul(0.1)).add(b.sin().mul(coef).sum()).add(b.pow(2).sum());
  return { w, b, loss };
}

/** Runs `opt` over PyTorch's `steps`, comparing the loss before and w, b after each step. */
export function expectTrajectory(opt: optim.Optimizer, p: ReturnType<typeof problem>, steps: readonly Step[]): void {
  steps.forEach((s, i) => {
    opt.zero_grad();
    const l = p.loss();
    l.backward();
    opt.step();
    expectClose(l.item(), s.loss, 1e-5, 1e-6, `loss at step ${i}`);
    expectClose(p.w.tolist(), s.w, 2e-5, 1e-6, `w after step ${i}`);
    expectClose(p.b.tolist(), s.b, 2e-5, 1e-6, `b after step ${i}`);
  });
}
