/** `optim.RMSprop`: gradients divided by a running root mean square, optionally centred. */

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { get_default_dtype } from '../dtype.js';
import { scalar_tensor, zeros_like } from '../ops/creation.js';
import { Optimizer, incrementStep, optionsOf, type ParamsInput } from './optimizer.js';

export type RMSpropOptions = {
  lr: number;
  alpha: number;
  eps: number;
  weight_decay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
};

/**
 * `optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
 * centered=False, maximize=False)`: PyTorch's update step for step — g ← ∇ + wd·θ;
 * v ← αv + (1-α)g²; with `centered`, ḡ ← αḡ + (1-α)g and v̂ = v - ḡ²; d = √v̂ + ε;
 * b ← μb + g/d and θ ← θ - lr·b (momentum), else θ ← θ - lr·g/d.
 * State per parameter: `step`, `square_avg`, plus `momentum_buffer` (momentum > 0) and
 * `grad_avg` (centered). As PyTorch 2, `step` is a float tensor (1.13 kept a Python int).
 * @example const opt = new optim.RMSprop(net.parameters(), {lr: 1e-3, momentum: 0.9})
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, lr?: number | Partial<RMSpropOptions>, opts?: Partial<RMSpropOptions>) {
    const o = optionsOf<RMSpropOptions>(lr, opts);
    const d: RMSpropOptions = {
      lr: o.lr ?? 1e-2,
      alpha: o.alpha ?? 0.99,
      eps: o.eps ?? 1e-8,
      weight_decay: o.weight_decay ?? 0,
      momentum: o.momentum ?? 0,
      centered: o.centered ?? false,
      maximize: o.maximize ?? false,
    };
    if (!(d.lr >= 0)) throw new ValueError(`Invalid learning rate: ${d.lr}`);
    if (!(d.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${d.eps}`);
    if (!(d.momentum >= 0)) throw new ValueError(`Invalid momentum value: ${d.momentum}`);
    if (!(d.weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${d.weight_decay}`);
    if (!(d.alpha >= 0)) throw new ValueError(`Invalid alpha value: ${d.alpha}`);
    super(params, d);
  }

  protected update(): void {
    for (const g of this.param_groups) {
      const { lr, alpha, eps, weight_decay, momentum, centered, maximize } = g;
      for (const p of g.params) {
        if (!p.grad) continue;
        const state = this.stateOf(p);
        if (state.step === undefined) {
          state.step = scalar_tensor(0, { dtype: get_default_dtype() });
          state.square_avg = zeros_like(p);
          if (momentum > 0) state.momentum_buffer = zeros_like(p);
          if (centered) state.grad_avg = zeros_like(p);
        }
        incrementStep(state.step as Tensor);
        let grad: Tensor = maximize ? p.grad.neg() : p.grad;
        if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
        const squareAvg = (state.square_avg as Tensor).mul_(alpha).addcmul_(grad, grad, { value: 1 - alpha });
        let avg: Tensor;
        if (centered) {
          // a group switched to centered after the first step starts its average now
          const gradAvg = (state.grad_avg ??= zeros_like(p)) as Tensor;
          gradAvg.lerp_(grad, 1 - alpha);
          avg = squareAvg.addcmul(gradAvg, gradAvg, { value: -1 }).sqrt_();
        } else {
          avg = squareAvg.sqrt();
        }
        avg.add_(eps);
        if (momentum > 0) {
          const buf = (state.momentum_buffer ??= zeros_like(p)) as Tensor;
          buf.mul_(momentum).addcdiv_(grad, avg);
          p.add_(buf, { alpha: -lr });
        } else {
          p.addcdiv_(grad, avg, { value: -lr });
        }
      }
    }
  }
}
