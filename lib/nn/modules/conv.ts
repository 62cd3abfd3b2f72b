/**
 * `nn.Conv1d`, `nn.Conv2d`, `nn.ConvTranspose1d` and `nn.ConvTranspose2d`: thin modules over
 * `F.conv1d` / `F.conv2d` / `F.conv_transpose1d` / `F.conv_transpose2d`.
 */

import { sizeRepr } from '../../size.js';
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops/creation.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyArgs } from '../_args.js';
import { factory, type FactoryOptions } from './linear.js';
import { pyTuple } from './_repr.js';
import { ntuple, type ConvPadding, type IntOrTuple, type PadMode } from '../functional/conv.js';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export type ConvOptions = {
  stride?: IntOrTuple; padding?: ConvPadding; dilation?: IntOrTuple; groups?: number; bias?: boolean;
  padding_mode?: PaddingMode;
} & FactoryOptions;
const ARGS = ['stride', 'padding', 'dilation', 'groups', 'bias', 'padding_mode'] as const;
export type ConvTransposeOptions = {
  stride?: IntOrTuple; padding?: IntOrTuple; output_padding?: IntOrTuple; groups?: number; bias?: boolean; dilation?: IntOrTuple;
  padding_mode?: PaddingMode;
} & FactoryOptions;
const T_ARGS = ['stride', 'padding', 'output_padding', 'groups', 'bias', 'dilation', 'padding_mode'] as const;

/**
 * PyTorch's `_ConvNd`: hyperparameters, weight (out, in/groups, *kernel), or (in, out/groups,
 * *kernel) when transposed, default init, repr.
 */
export abstract class _ConvNd extends Module {
  declare in_channels: number;
  declare out_channels: number;
  declare kernel_size: number[];
  declare stride: number[];
  declare padding: number[] | 'same' | 'valid';
  declare dilation: number[];
  declare groups: number;
  declare transposed: boolean;
  declare output_padding: number[];
  declare padding_mode: PaddingMode;
  declare weight: Parameter;
  declare bias: Parameter | null;
  /** (left, right) amounts per spatial dim for F.pad when padding_mode is not 'zeros'. */
  declare _reversed_padding_repeated_twice: number[];

  constructor(
    nd: number, in_channels: number, out_channels: number, kernel_size: IntOrTuple,
    o: Partial<ConvOptions> & { output_padding?: IntOrTuple }, transposed = false,
  ) {
    super();
    const groups = o.groups ?? 1;
    if (groups <= 0) throw new ValueError('groups must be a positive integer');
    if (in_channels % groups !== 0) throw new ValueError('in_channels must be divisible by groups');
    if (out_channels % groups !== 0) throw new ValueError('out_channels must be divisible by groups');
    const padding = o.padding ?? 0;
    const stride = ntuple(o.stride ?? 1, nd, 'stride');
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') {
        throw new ValueError(`Invalid padding string '${String(padding)}', should be one of ['valid', 'same']`);
      }
      if (padding === 'same' && stride.some((s) => s !== 1)) {
        throw new ValueError("padding='same' is not supported for strided convolutions");
      }
    }
    const mode = o.padding_mode ?? 'zeros';
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(mode)) {
      throw new ValueError(`padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='${String(mode)}'`);
    }
    this.in_channels = in_channels;
    this.out_channels = out_channels;
    this.kernel_size = ntuple(kernel_size, nd, 'kernel_size');
    this.stride = stride;
    this.padding = typeof padding === 'string' ? padding : ntuple(padding, nd, 'padding');
    this.dilation = ntuple(o.dilation ?? 1, nd, 'dilation');
    this.groups = groups;
    this.transposed = transposed;
    this.output_padding = ntuple(o.output_padding ?? 0, nd, 'output_padding');
    this.padding_mode = mode;
    const rev: number[] = [];
    for (let i = nd - 1; i >= 0; i--) {
      if (this.padding === 'valid') rev.push(0, 0);
      else if (this.padding === 'same') {
        const total = this.dilation[i]! * (this.kernel_size[i]! - 1);
        rev.push(Math.floor(total / 2), total - Math.floor(total / 2));
      } else rev.push(this.padding[i]!, this.padding[i]!);
    }
    this._reversed_padding_repeated_twice = rev;
    const wShape = transposed ? [in_channels, out_channels / groups] : [out_channels, in_channels / groups];
    this.weight = new Parameter(empty([...wShape, ...this.kernel_size], factory(o)));
    if (o.bias ?? true) this.bias = new Parameter(empty([out_channels], factory(o)));
    else this.register_parameter('bias', null);
    this.reset_parameters();
  }

  /**
   * Re-draws the weights as PyTorch does: kaiming_uniform_(a=√5), bias U(±1/√fan_in).
   * @example torch.manual_seed(0); conv.reset_parameters()
   */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
      if (fanIn !== 0) {
        const bound = 1 / Math.sqrt(fanIn);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  /** The input padded by padding_mode (non-'zeros' modes pad before a padding-free convolution). */
  protected _padded(input: Tensor): [Tensor, ConvPadding] {
    if (this.padding_mode === 'zeros') return [input, this.padding];
    return [F.pad(input, this._reversed_padding_repeated_twice, this.padding_mode as PadMode), 0];
  }

  override extra_repr(): string {
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${pyTuple(this.kernel_size)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.output_padding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.output_padding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.padding_mode !== 'zeros') s += `, padding_mode=${this.padding_mode}`;
    return s;
  }
}

/**
 * `nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True, padding_mode='zeros', device=None, dtype=None)`, initialised as PyTorch does.
 * @example const conv = new nn.Conv2d(1, 6, 5, {padding: 2}); conv(torch.randn(8, 1, 28, 28)).shape // [8, 6, 28, 28]
 */
export class Conv2d extends _ConvNd {
  constructor(
    in_channels: number, out_channels: number, kernel_size: IntOrTuple,
    stride?: IntOrTuple | ConvOptions, padding?: ConvPadding | ConvOptions, dilation?: IntOrTuple | ConvOptions,
    groups?: number | ConvOptions, bias?: boolean | ConvOptions, padding_mode?: PaddingMode | ConvOptions, opts?: ConvOptions,
  ) {
    super(2, in_channels, out_channels, kernel_size, pyArgs<ConvOptions>(ARGS, [stride, padding, dilation, groups, bias, padding_mode, opts]));
  }
  override forward(input: Tensor): Tensor {
    const [x, padding] = this._padded(input);
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/**
 * `nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True, padding_mode='zeros', device=None, dtype=None)`, initialised as PyTorch does.
 * @example new nn.Conv1d(3, 5, 3)(torch.randn(2, 3, 10)).shape // [2, 5, 8]
 */
export class Conv1d extends _ConvNd {
  constructor(
    in_channels: number, out_channels: number, kernel_size: IntOrTuple,
    stride?: IntOrTuple | ConvOptions, padding?: ConvPadding | ConvOptions, dilation?: IntOrTuple | ConvOptions,
    groups?: number | ConvOptions, bias?: boolean | ConvOptions, padding_mode?: PaddingMode | ConvOptions, opts?: ConvOptions,
  ) {
    super(1, in_channels, out_channels, kernel_size, pyArgs<ConvOptions>(ARGS, [stride, padding, dilation, groups, bias, padding_mode, opts]));
  }
  override forward(input: Tensor): Tensor {
    const [x, padding] = this._padded(input);
    return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/** PyTorch's `_ConvTransposeNd`: only 'zeros' padding, and the output_size argument of forward. */
export abstract class _ConvTransposeNd extends _ConvNd {
  constructor(nd: number, in_channels: number, out_channels: number, kernel_size: IntOrTuple, o: Partial<ConvTransposeOptions>, cls: string) {
    if ((o.padding_mode ?? 'zeros') !== 'zeros') throw new ValueError(`Only "zeros" padding mode is supported for ${cls}`);
    super(nd, in_channels, out_channels, kernel_size, o, true);
  }

  /** The output_padding that gives `output_size` (PyTorch's `_output_padding`), with its errors. */
  protected _output_padding(input: Tensor, output_size: readonly number[] | null | undefined, nd: number): number[] {
    if (output_size === null || output_size === undefined) return this.output_padding.slice();
    const nonSpatial = input.dim() === nd + 2 ? 2 : 1;
    let size = output_size.slice();
    if (size.length === nonSpatial + nd) size = size.slice(nonSpatial);
    if (size.length !== nd) {
      throw new ValueError(
        `ConvTranspose${nd}D: for ${input.dim()}D input, output_size must have ${nd} or ${nonSpatial + nd} elements (got ${size.length})`,
      );
    }
    const padding = this.padding as number[];
    const minSizes: number[] = [];
    const maxSizes: number[] = [];
    for (let d = 0; d < nd; d++) {
      const m = (input._shape[d + nonSpatial]! - 1) * this.stride[d]! - 2 * padding[d]! + this.dilation[d]! * (this.kernel_size[d]! - 1) + 1;
      minSizes.push(m);
      maxSizes.push(m + this.stride[d]! - 1);
    }
    if (size.some((s, i) => s < minSizes[i]! || s > maxSizes[i]!)) {
      // PyTorch prints input.size()[2:], which is empty for an unbatched input
      throw new ValueError(
        `requested an output size of [${size.join(', ')}], but valid sizes range from [${minSizes.join(', ')}] to [${maxSizes.join(', ')}] (for an input of ${sizeRepr(input._shape.slice(2))})`,
      );
    }
    return size.map((s, i) => s - minSizes[i]!);
  }
}

type OutputSizeArg = readonly number[] | null | { output_size?: readonly number[] | null };
const outputSizeOf = (v: OutputSizeArg | undefined): readonly number[] | null =>
  pyArgs<{ output_size: readonly number[] | null }>(['output_size'], [v]).output_size ?? null;

/**
 * `nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
 * output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None,
 * dtype=None)`: weight (in, out/groups, kH, kW), initialised as PyTorch does. `forward(input,
 * output_size)` picks the output_padding that gives the requested size.
 * @example const up = new nn.ConvTranspose2d(16, 8, 3, {stride: 2, padding: 1}); up(x, [1, 8, 28, 28]) // x: [1, 16, 14, 14]
 */
export class ConvTranspose2d extends _ConvTransposeNd {
  constructor(
    in_channels: number, out_channels: number, kernel_size: IntOrTuple,
    stride?: IntOrTuple | ConvTransposeOptions, padding?: IntOrTuple | ConvTransposeOptions, output_padding?: IntOrTuple | ConvTransposeOptions,
    groups?: number | ConvTransposeOptions, bias?: boolean | ConvTransposeOptions, dilation?: IntOrTuple | ConvTransposeOptions,
    padding_mode?: PaddingMode | ConvTransposeOptions, opts?: ConvTransposeOptions,
  ) {
    const o = pyArgs<ConvTransposeOptions>(T_ARGS, [stride, padding, output_padding, groups, bias, dilation, padding_mode, opts]);
    super(2, in_channels, out_channels, kernel_size, o, 'ConvTranspose2d');
  }
  override forward(input: Tensor, output_size?: OutputSizeArg): Tensor {
    const op = this._output_padding(input, outputSizeOf(output_size), 2);
    return F.conv_transpose2d(input, this.weight, this.bias, this.stride, this.padding as number[], op, this.groups, this.dilation);
  }
}

/**
 * `nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1, padding=0,
 * output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros', device=None,
 * dtype=None)`: weight (in, out/groups, k), initialised as PyTorch does.
 * @example new nn.ConvTranspose1d(3, 5, 4, {stride: 2})(torch.randn(2, 3, 10)).shape // [2, 5, 22]
 */
export class ConvTranspose1d extends _ConvTransposeNd {
  constructor(
    in_channels: number, out_channels: number, kernel_size: IntOrTuple,
    stride?: IntOrTuple | ConvTransposeOptions, padding?: IntOrTuple | ConvTransposeOptions, output_padding?: IntOrTuple | ConvTransposeOptions,
    groups?: number | ConvTransposeOptions, bias?: boolean | ConvTransposeOptions, dilation?: IntOrTuple | ConvTransposeOptions,
    padding_mode?: PaddingMode | ConvTransposeOptions, opts?: ConvTransposeOptions,
  ) {
    const o = pyArgs<ConvTransposeOptions>(T_ARGS, [stride, padding, output_padding, groups, bias, dilation, padding_mode, opts]);
    super(1, in_channels, out_channels, kernel_size, o, 'ConvTranspose1d');
  }
  override forward(input: Tensor, output_size?: OutputSizeArg): Tensor {
    const op = this._output_padding(input, outputSizeOf(output_size), 1);
    return F.conv_transpose1d(input, this.weight, this.bias, this.stride, this.padding as number[], op, this.groups, this.dilation);
  }
}
