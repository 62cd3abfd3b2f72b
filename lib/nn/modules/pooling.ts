/** `nn.MaxPool2d`, `nn.AvgPool2d`, `nn.AdaptiveAvgPool2d`: thin modules over their F.* forms. */

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { pyArgs } from '../_args.js';
import { pyBool } from './_repr.js';
import type { IntOrTuple } from '../functional/conv.js';

/** A hyperparameter as Python prints what the user passed: `2`, `(2, 2)`, `(5, None)`. */
const pyArg = (v: number | readonly (number | null)[]): string =>
  typeof v === 'number' ? String(v) : v.length === 1 ? `(${v[0] ?? 'None'},)` : `(${v.map((x) => x ?? 'None').join(', ')})`;

type MaxPoolOptions<R extends boolean = boolean> = {
  stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; return_indices?: R; ceil_mode?: boolean;
};
/** What a MaxPool2d returns: [values, indices] when built with return_indices. */
export type MaxPoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/**
 * `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
 * ceil_mode=False)`: stride defaults to kernel_size. With return_indices it returns [values,
 * indices] (typed so when return_indices is the literal `true`).
 * @example new nn.MaxPool2d(2)(torch.randn(1, 6, 28, 28)).shape // [1, 6, 14, 14]
 */
export class MaxPool2d<R extends boolean = false> extends Module {
  declare kernel_size: IntOrTuple;
  declare stride: IntOrTuple;
  declare padding: IntOrTuple;
  declare dilation: IntOrTuple;
  declare return_indices: boolean;
  declare ceil_mode: boolean;
  constructor(
    kernel_size: IntOrTuple, stride?: IntOrTuple | null | MaxPoolOptions<R>, padding?: IntOrTuple | MaxPoolOptions<R>,
    dilation?: IntOrTuple | MaxPoolOptions<R>, return_indices?: R | MaxPoolOptions<R>, ceil_mode?: boolean | MaxPoolOptions<R>,
  ) {
    super();
    const o = pyArgs<MaxPoolOptions>(['stride', 'padding', 'dilation', 'return_indices', 'ceil_mode'], [stride, padding, dilation, return_indices, ceil_mode]);
    this.kernel_size = kernel_size;
    this.stride = o.stride ?? kernel_size;
    this.padding = o.padding ?? 0;
    this.dilation = o.dilation ?? 1;
    this.return_indices = o.return_indices ?? false;
    this.ceil_mode = o.ceil_mode ?? false;
  }
  override forward(input: Tensor): MaxPoolResult<R> {
    const o = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceil_mode: this.ceil_mode };
    const r = this.return_indices ? F.max_pool2d(input, this.kernel_size, { ...o, return_indices: true }) : F.max_pool2d(input, this.kernel_size, o);
    return r as MaxPoolResult<R>;
  }
  override extra_repr(): string {
    return `kernel_size=${pyArg(this.kernel_size)}, stride=${pyArg(this.stride)}, padding=${pyArg(this.padding)}, dilation=${pyArg(this.dilation)}, ceil_mode=${pyBool(this.ceil_mode)}`;
  }
}

type AvgPoolOptions = { stride?: IntOrTuple | null; padding?: IntOrTuple; ceil_mode?: boolean; count_include_pad?: boolean; divisor_override?: number | null };

/**
 * `nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
 * divisor_override=None)`: stride defaults to kernel_size.
 * @example new nn.AvgPool2d(2)(torch.ones(1, 1, 4, 4)).shape // [1, 1, 2, 2]
 */
export class AvgPool2d extends Module {
  declare kernel_size: IntOrTuple;
  declare stride: IntOrTuple;
  declare padding: IntOrTuple;
  declare ceil_mode: boolean;
  declare count_include_pad: boolean;
  declare divisor_override: number | null;
  constructor(
    kernel_size: IntOrTuple, stride?: IntOrTuple | null | AvgPoolOptions, padding?: IntOrTuple | AvgPoolOptions,
    ceil_mode?: boolean | AvgPoolOptions, count_include_pad?: boolean | AvgPoolOptions, divisor_override?: number | null | AvgPoolOptions,
  ) {
    super();
    const o = pyArgs<AvgPoolOptions>(
      ['stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'],
      [stride, padding, ceil_mode, count_include_pad, divisor_override],
    );
    this.kernel_size = kernel_size;
    this.stride = o.stride ?? kernel_size;
    this.padding = o.padding ?? 0;
    this.ceil_mode = o.ceil_mode ?? false;
    this.count_include_pad = o.count_include_pad ?? true;
    this.divisor_override = o.divisor_override ?? null;
  }
  override forward(input: Tensor): Tensor {
    return F.avg_pool2d(input, this.kernel_size, {
      stride: this.stride, padding: this.padding, ceil_mode: this.ceil_mode,
      count_include_pad: this.count_include_pad, divisor_override: this.divisor_override,
    });
  }
  override extra_repr(): string {
    return `kernel_size=${pyArg(this.kernel_size)}, stride=${pyArg(this.stride)}, padding=${pyArg(this.padding)}`;
  }
}

/**
 * `nn.AdaptiveAvgPool2d(output_size)`: averages to a fixed output size (null keeps that dim).
 * @example new nn.AdaptiveAvgPool2d([5, 7])(torch.randn(1, 64, 8, 9)).shape // [1, 64, 5, 7]
 */
export class AdaptiveAvgPool2d extends Module {
  declare output_size: number | (number | null)[];
  constructor(output_size: number | readonly (number | null)[] | { output_size: number | readonly (number | null)[] }) {
    super();
    const v = typeof output_size === 'number' || Array.isArray(output_size) ? output_size : (output_size as { output_size: number | readonly (number | null)[] }).output_size;
    this.output_size = typeof v === 'number' ? v : v.slice();
  }
  override forward(input: Tensor): Tensor {
    return F.adaptive_avg_pool2d(input, this.output_size);
  }
  override extra_repr(): string {
    return `output_size=${pyArg(this.output_size)}`;
  }
}
