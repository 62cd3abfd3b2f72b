/** `nn.Dropout`. */

import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { pyBool, pyFloat } from './_repr.js';
import { pyArgs } from '../_args.js';

/**
 * `nn.Dropout(p=0.5, inplace=False)`: in training mode zeroes elements with probability p and
 * scales the rest by 1 / (1 - p); in eval mode returns the input unchanged.
 * @example const drop = new nn.Dropout(0.2); net.eval(); // drop now passes inputs through
 */
export class Dropout extends Module {
  declare p: number;
  declare inplace: boolean;
  constructor(p?: number | { p?: number; inplace?: boolean }, inplace?: boolean | { inplace?: boolean }) {
    super();
    const o = pyArgs<{ p?: number; inplace?: boolean }>(['p', 'inplace'], [p, inplace]);
    const prob = o.p ?? 0.5;
    if (!(prob >= 0 && prob <= 1)) throw new ValueError(`dropout probability has to be between 0 and 1, but got ${prob}`);
    this.p = prob;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return F.dropout(input, this.p, this.training, this.inplace);
  }
  override extra_repr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
}
