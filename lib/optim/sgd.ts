/** `optim.SGD`: stochastic gradient descent with momentum, dampening, Nesterov and weight decay. */

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, optionsOf, type ParamsInput } from './optimizer.js';

export type SGDOptions = {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
};

/**
 * `optim.SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
 * maximize=False)`: PyTorch's update, step for step — g ← ∇ + wd·θ; b ← μb + (1 - τ)g (b = g
 * at the first step); g ← g + μb (Nesterov) or b; θ ← θ - lr·g.
 * @example const opt = new optim.SGD(net.parameters(), {lr: 0.1, momentum: 0.9}); // or new optim.SGD(params, 0.1)
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, lr?: number | Partial<SGDOptions>, opts?: Partial<SGDOptions>) {
    const o = optionsOf<SGDOptions>(lr, opts);
    const defaults: SGDOptions = {
      lr: o.lr ?? 1e-3,
      momentum: o.momentum ?? 0,
      dampening: o.dampening ?? 0,
      weight_decay: o.weight_decay ?? 0,
      nesterov: o.nesterov ?? false,
      maximize: o.maximize ?? false,
    };
    if (defaults.lr < 0) throw new ValueError(`Invalid learning rate: ${defaults.lr}`);
    if (defaults.momentum < 0) throw new ValueError(`Invalid momentum value: ${defaults.momentum}`);
    if (defaults.weight_decay < 0) throw new ValueError(`Invalid weight_decay value: ${defaults.weight_decay}`);
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
    }
    super(params, defaults);
  }

  protected update(): void {
    for (const g of this.param_groups) {
      const { lr, momentum, dampening, weight_decay, nesterov, maximize } = g;
      for (const p of g.params) {
        if (!p.grad) continue;
        let d: Tensor = maximize ? p.grad.neg() : p.grad;
        if (weight_decay !== 0) d = d.add(p, { alpha: weight_decay });
        if (momentum !== 0) {
          const state = this.stateOf(p);
          let buf = state.momentum_buffer as Tensor | undefined;
          if (!buf) {
            buf = d.clone().detach();
            state.momentum_buffer = buf;
          } else {
            buf.mul_(momentum).add_(d, { alpha: 1 - dampening });
          }
          d = nesterov ? d.add(buf, { alpha: momentum }) : buf;
        }
        p.add_(d, { alpha: -lr });
      }
    }
  }
}
