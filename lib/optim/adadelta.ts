/** `optim.Adadelta`: step sizes from the ratio of running RMS of updates and of gradients. */

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { get_default_dtype } from '../dtype.js';
import { scalar_tensor, zeros_like } from '../ops/creation.js';
import { Optimizer, incrementStep, optionsOf, type ParamsInput } from './optimizer.js';

export type AdadeltaOptions = {
  lr: number;
  rho: number;
  eps: number;
  weight_decay: number;
  maximize: boolean;
};

/**
 * `optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False)`:
 * PyTorch's update step for step — g ← ∇ + wd·θ; v ← ρv + (1-ρ)g²;
 * Δ = √(u + ε) / √(v + ε) · g; u ← ρu + (1-ρ)Δ²; θ ← θ - lr·Δ.
 * State per parameter: `step`, `square_avg` (v), `acc_delta` (u). As PyTorch 2, `step` is a
 * float tensor (1.13 kept a Python int).
 * @example const opt = new optim.Adadelta(net.parameters()) // lr=1.0 as in PyTorch
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsInput<AdadeltaOptions>, lr?: number | Partial<AdadeltaOptions>, opts?: Partial<AdadeltaOptions>) {
    const o = optionsOf<AdadeltaOptions>(lr, opts);
    const d: AdadeltaOptions = {
      lr: o.lr ?? 1.0,
      rho: o.rho ?? 0.9,
      eps: o.eps ?? 1e-6,
      weight_decay: o.weight_decay ?? 0,
      maximize: o.maximize ?? false,
    };
    if (!(d.lr >= 0)) throw new ValueError(`Invalid learning rate: ${d.lr}`);
    if (!(d.rho >= 0 && d.rho <= 1)) throw new ValueError(`Invalid rho value: ${d.rho}`);
    if (!(d.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${d.eps}`);
    if (!(d.weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${d.weight_decay}`);
    super(params, d);
  }

  override toString(): string {
    // PyTorch's lr is a float (default 1.0), but the base repr prints integral numbers as ints
    return super.toString().replace(/^( {4}lr: )(\d+)$/gm, '$1$2.0');
  }

  protected update(): void {
    for (const g of this.param_groups) {
      const { lr, rho, eps, weight_decay, maximize } = g;
      for (const p of g.params) {
        if (!p.grad) continue;
        const state = this.stateOf(p);
        if (state.step === undefined) {
          state.step = scalar_tensor(0, { dtype: get_default_dtype() });
          state.square_avg = zeros_like(p);
          state.acc_delta = zeros_like(p);
        }
        incrementStep(state.step as Tensor);
        let grad: Tensor = maximize ? p.grad.neg() : p.grad;
        if (weight_decay !== 0) grad = grad.add(p, { alpha: weight_decay });
        const squareAvg = (state.square_avg as Tensor).mul_(rho).addcmul_(grad, grad, { value: 1 - rho });
        const accDelta = state.acc_delta as Tensor;
        const std = squareAvg.add(eps).sqrt_();
        const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
        accDelta.mul_(rho).addcmul_(delta, delta, { value: 1 - rho });
        p.add_(delta, { alpha: -lr });
      }
    }
  }
}
