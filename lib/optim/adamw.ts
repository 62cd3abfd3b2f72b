/** `optim.AdamW`: Adam with decoupled weight decay. */

import { Optimizer, optionsOf, type ParamsInput } from './optimizer.js';
import { adamDefaults, adamUpdate, type AdamOptions } from './adam.js';

/**
 * `optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
 * maximize=False)`: θ ← θ(1 - lr·wd) before the Adam step (Loshchilov & Hutter), as PyTorch.
 * @example const opt = new optim.AdamW(net.parameters(), {lr: 1e-3, weight_decay: 0.05})
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, lr?: number | Partial<AdamOptions>, opts?: Partial<AdamOptions>) {
    super(params, adamDefaults(optionsOf<AdamOptions>(lr, opts), 1e-2));
  }

  protected update(): void {
    adamUpdate(this.param_groups, (p) => this.stateOf(p), true);
  }
}
