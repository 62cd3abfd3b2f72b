/** `nn.Linear` and `nn.Identity`. */

import type { DType } from '../../dtype.js';
import type { DeviceLike } from '../../device.js';
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops/creation.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyArgs } from '../_args.js';

/** Factory keyword arguments of layers: where and in which dtype their parameters are made. */
export interface FactoryOptions {
  device?: DeviceLike;
  dtype?: DType;
}

export type LinearOptions = { bias?: boolean } & FactoryOptions;

/** The `torch.empty(...)` options for a layer's parameters. */
export function factory(o: FactoryOptions): { device?: DeviceLike; dtype?: DType } {
  return { ...(o.device !== undefined ? { device: o.device } : {}), ...(o.dtype ? { dtype: o.dtype } : {}) };
}

/**
 * `nn.Identity(*args, **kwargs)`: returns its input; the arguments are ignored, as in PyTorch.
 * @example const head = useHead ? new nn.Linear(64, 10) : new nn.Identity()
 */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * `nn.Linear(in_features, out_features, bias=True, device=None, dtype=None)`: y = x Wᵀ + b, with
 * W (out_features, in_features) initialised by kaiming_uniform_(a=√5) and b by U(±1/√in_features),
 * exactly as PyTorch initialises it.
 * @example const fc = new nn.Linear(784, 64); fc(torch.randn(8, 784)).shape // [8, 64]
 */
export class Linear extends Module {
  declare in_features: number;
  declare out_features: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(in_features: number, out_features: number, bias?: boolean | LinearOptions, opts?: LinearOptions) {
    super();
    const o = pyArgs<LinearOptions>(['bias'], [bias, opts]);
    this.in_features = in_features;
    this.out_features = out_features;
    this.weight = new Parameter(empty([out_features, in_features], factory(o)));
    if (o.bias ?? true) this.bias = new Parameter(empty([out_features], factory(o)));
    else this.register_parameter('bias', null);
    this.reset_parameters();
  }

  /** Re-draws the weights from PyTorch's default distributions. @example torch.manual_seed(0); fc.reset_parameters() */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}
