/** `optim.Adagrad`: per-coordinate learning rates from the sum of squared gradients. */

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { get_default_dtype } from '../dtype.js';
import { full_like, scalar_tensor } from '../ops/creation.js';
import { Optimizer, incrementStep, optionsOf, type ParamState, type ParamsInput } from './optimizer.js';

export type AdagradOptions = {
  lr: number;
  lr_decay: number;
  weight_decay: number;
  initial_accumulator_value: number;
  eps: number;
  maximize: boolean;
};

/**
 * `optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
 * eps=1e-10, maximize=False)`: PyTorch's update step for step — g ← ∇ + wd·θ;
 * lrₜ = lr / (1 + (t-1)·lr_decay); s ← s + g²; θ ← θ - lrₜ·g / (√s + ε).
 * As PyTorch, the state (`step`, `sum`) of every parameter is created by the constructor, so
 * `state_dict()` has it before the first step. Sparse gradients do not exist in torchlab.
 * @example const opt = new optim.Adagrad(net.parameters(), {lr: 0.1})
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, lr?: number | Partial<AdagradOptions>, opts?: Partial<AdagradOptions>) {
    const o = optionsOf<AdagradOptions>(lr, opts);
    const d: AdagradOptions = {
      lr: o.lr ?? 1e-2,
      lr_decay: o.lr_decay ?? 0,
      weight_decay: o.weight_decay ?? 0,
      initial_accumulator_value: o.initial_accumulator_value ?? 0,
      eps: o.eps ?? 1e-10,
      maximize: o.maximize ?? false,
    };
    if (!(d.lr >= 0)) throw new ValueError(`Invalid learning rate: ${d.lr}`);
    if (!(d.lr_decay >= 0)) throw new ValueError(`Invalid lr_decay value: ${d.lr_decay}`);
    if (!(d.weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${d.weight_decay}`);
    if (!(d.initial_accumulator_value >= 0)) {
      throw new ValueError(`Invalid initial_accumulator_value value: ${d.initial_accumulator_value}`);
    }
    if (!(d.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${d.eps}`);
    super(params, d);
    for (const g of this.param_groups) for (const p of g.params) this.initState(p, this.stateOf(p), g.initial_accumulator_value);
  }

  private initState(p: Tensor, state: ParamState, initial: number): void {
    state.step = scalar_tensor(0, { dtype: get_default_dtype() });
    state.sum = full_like(p, initial);
  }

  protected update(): void {
    for (const g of this.param_groups) {
      const { lr, lr_decay, weight_decay, eps, maximize } = g;
      for (const p of g.params) {
        if (!p.grad) continue;
        const state = this.stateOf(p);
        // parameters added by add_param_group after construction start here
        if (state.step === undefined) this.initState(p, state, g.initial_accumulator_value);
        const step = incrementStep(state.step as Tensor);
        let grad: Tensor = maximize ? p.grad.neg() : p.grad;
        if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
        const clr = lr / (1 + (step - 1) * lr_decay);
        const sum = (state.sum as Tensor).addcmul_(grad, grad, { value: 1 });
        const std = sum.sqrt().add_(eps);
        p.addcdiv_(grad, std, { value: -clr });
      }
    }
  }
}
