/**
 * `nn.Maxout`: a torchlab addition (PyTorch has no Maxout layer). The lecture's maxout unit
 * max(w₁ᵀx + b₁, w₂ᵀx + b₂) generalised to `pool_size` affine pieces per output.
 */

import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops/creation.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { factory, type FactoryOptions } from './linear.js';
import { pyArgs } from '../_args.js';

type MaxoutOptions = { pool_size?: number; bias?: boolean } & FactoryOptions;

/**
 * `nn.Maxout(in_features, out_features, pool_size=2, bias=True)` (torchlab only): each output is
 * the maximum of `pool_size` affine functions of the input (Goodfellow et al., 2013). The
 * weight is (out_features * pool_size, in_features), the pieces of output j being rows
 * j*pool_size .. j*pool_size + pool_size - 1, initialised as an nn.Linear of that shape.
 * @example const layer = new nn.Maxout(784, 64); layer(x).shape // [N, 64]; pool_size 2 is the lecture's unit
 */
export class Maxout extends Module {
  declare in_features: number;
  declare out_features: number;
  declare pool_size: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(
    in_features: number,
    out_features: number,
    pool_size?: number | MaxoutOptions,
    bias?: boolean | MaxoutOptions,
    opts?: MaxoutOptions,
  ) {
    super();
    const o = pyArgs<MaxoutOptions>(['pool_size', 'bias'], [pool_size, bias, opts]);
    const k = o.pool_size ?? 2;
    if (!Number.isInteger(k) || k < 1) throw new ValueError(`pool_size must be a positive integer, got ${k}`);
    this.in_features = in_features;
    this.out_features = out_features;
    this.pool_size = k;
    this.weight = new Parameter(empty([out_features * k, in_features], factory(o)));
    if (o.bias ?? true) this.bias = new Parameter(empty([out_features * k], factory(o)));
    else this.register_parameter('bias', null);
    this.reset_parameters();
  }

  /** Re-draws the weights as nn.Linear(in_features, out_features * pool_size) would. @example maxout.reset_parameters() */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.in_features > 0 ? 1 / Math.sqrt(this.in_features) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias).unflatten(-1, [this.out_features, this.pool_size]).amax(-1);
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, pool_size=${this.pool_size}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}
