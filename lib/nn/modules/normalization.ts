/** `nn.LayerNorm` and `nn.GroupNorm`: thin modules over `F.layer_norm` / `F.group_norm`. */

import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { empty } from '../../ops/creation.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyArgs } from '../_args.js';
import { factory, type FactoryOptions } from './linear.js';
import { pyBool, pyFloat, pyTuple } from './_repr.js';

type Affine = Module & { weight: Parameter | null; bias: Parameter | null };

/** Registers weight and bias of `shape`, or None for both, as PyTorch does. */
function affineParams(m: Affine, shape: readonly number[] | null, o: FactoryOptions): void {
  if (shape) {
    m.weight = new Parameter(empty(shape, factory(o)));
    m.bias = new Parameter(empty(shape, factory(o)));
  } else {
    m.register_parameter('weight', null);
    m.register_parameter('bias', null);
  }
}

function resetAffine(m: Affine): void {
  if (m.weight) init.ones_(m.weight);
  if (m.bias) init.zeros_(m.bias);
}

export type LayerNormOptions = { eps?: number; elementwise_affine?: boolean } & FactoryOptions;

/**
 * `nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, device=None, dtype=None)`:
 * normalises over the trailing normalized_shape dims; weight ones and bias zeros at start.
 * @example new nn.LayerNorm(10)(torch.randn(4, 10)).shape // [4, 10]
 */
export class LayerNorm extends Module {
  declare normalized_shape: number[];
  declare eps: number;
  declare elementwise_affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(
    normalized_shape: number | readonly number[], eps?: number | LayerNormOptions,
    elementwise_affine?: boolean | LayerNormOptions, opts?: LayerNormOptions,
  ) {
    super();
    const o = pyArgs<LayerNormOptions>(['eps', 'elementwise_affine'], [eps, elementwise_affine, opts]);
    this.normalized_shape = typeof normalized_shape === 'number' ? [normalized_shape] : normalized_shape.slice();
    this.eps = o.eps ?? 1e-5;
    this.elementwise_affine = o.elementwise_affine ?? true;
    affineParams(this, this.elementwise_affine ? this.normalized_shape : null, o);
    this.reset_parameters();
  }
  /** Weight to ones, bias to zeros. @example ln.reset_parameters() */
  reset_parameters(): void {
    resetAffine(this);
  }
  override forward(input: Tensor): Tensor {
    return F.layer_norm(input, this.normalized_shape, this.weight, this.bias, this.eps);
  }
  override extra_repr(): string {
    return `${pyTuple(this.normalized_shape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwise_affine)}`;
  }
}

export type GroupNormOptions = { eps?: number; affine?: boolean } & FactoryOptions;

/**
 * `nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None)`:
 * normalises each group of channels; per-channel weight ones and bias zeros at start.
 * @example new nn.GroupNorm(3, 6)(torch.randn(2, 6, 4, 4)).shape // [2, 6, 4, 4]
 */
export class GroupNorm extends Module {
  declare num_groups: number;
  declare num_channels: number;
  declare eps: number;
  declare affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(
    num_groups: number, num_channels: number, eps?: number | GroupNormOptions, affine?: boolean | GroupNormOptions,
    opts?: GroupNormOptions,
  ) {
    super();
    const o = pyArgs<GroupNormOptions>(['eps', 'affine'], [eps, affine, opts]);
    if (num_channels % num_groups !== 0) throw new ValueError('num_channels must be divisible by num_groups');
    this.num_groups = num_groups;
    this.num_channels = num_channels;
    this.eps = o.eps ?? 1e-5;
    this.affine = o.affine ?? true;
    affineParams(this, this.affine ? [num_channels] : null, o);
    this.reset_parameters();
  }
  /** Weight to ones, bias to zeros. @example gn.reset_parameters() */
  reset_parameters(): void {
    resetAffine(this);
  }
  override forward(input: Tensor): Tensor {
    return F.group_norm(input, this.num_groups, this.weight, this.bias, this.eps);
  }
  override extra_repr(): string {
    return `${this.num_groups}, ${this.num_channels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
