/** `nn.Flatten` and `nn.Unflatten`. */

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyTuple } from './_repr.js';
import { pyArgs } from '../_args.js';

/**
 * `nn.Flatten(start_dim=1, end_dim=-1)`: flattens dims start_dim..end_dim (the batch dim stays).
 * @example new nn.Flatten()(torch.zeros(64, 1, 28, 28)).shape // [64, 784]
 */
export class Flatten extends Module {
  declare start_dim: number;
  declare end_dim: number;
  constructor(start_dim?: number | { start_dim?: number; end_dim?: number }, end_dim?: number | { end_dim?: number }) {
    super();
    const o = pyArgs<{ start_dim?: number; end_dim?: number }>(['start_dim', 'end_dim'], [start_dim, end_dim]);
    this.start_dim = o.start_dim ?? 1;
    this.end_dim = o.end_dim ?? -1;
  }
  override forward(input: Tensor): Tensor {
    return input.flatten(this.start_dim, this.end_dim);
  }
  override extra_repr(): string {
    return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`;
  }
}

/**
 * `nn.Unflatten(dim, unflattened_size)`: splits one dim into the given sizes.
 * @example new nn.Unflatten(1, [1, 28, 28])(torch.zeros(64, 784)).shape // [64, 1, 28, 28]
 */
export class Unflatten extends Module {
  declare dim: number;
  declare unflattened_size: number[];
  constructor(dim: number, unflattened_size: readonly number[]) {
    super();
    if (!Array.isArray(unflattened_size) || !unflattened_size.every((s) => Number.isInteger(s))) {
      throw new TypeError(`unflattened_size must be tuple of ints, but found type ${typeof unflattened_size}`);
    }
    this.dim = dim;
    this.unflattened_size = [...unflattened_size];
  }
  override forward(input: Tensor): Tensor {
    return input.unflatten(this.dim, this.unflattened_size);
  }
  override extra_repr(): string {
    return `dim=${this.dim}, unflattened_size=${pyTuple(this.unflattened_size)}`;
  }
}
