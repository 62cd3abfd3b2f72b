/** `nn.BatchNorm1d` and `nn.BatchNorm2d`: running statistics as buffers, over `F.batch_norm`. */

import * as dt from '../../dtype.js';
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { empty, tensor } from '../../ops/creation.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as F from '../functional.js';
import * as init from '../init.js';
import { pyArgs } from '../_args.js';
import { factory, type FactoryOptions } from './linear.js';
import { pyBool, pyFloat } from './_repr.js';

export type BatchNormOptions = { eps?: number; momentum?: number | null; affine?: boolean; track_running_stats?: boolean } & FactoryOptions;

/**
 * PyTorch's `_BatchNorm`: weight/bias (affine), running_mean, running_var and
 * num_batches_tracked buffers (None without track_running_stats), and its forward: training
 * uses batch statistics and updates the running ones (a cumulative average when momentum is
 * null); eval uses the running statistics.
 */
export abstract class _BatchNorm extends Module {
  declare num_features: number;
  declare eps: number;
  declare momentum: number | null;
  declare affine: boolean;
  declare track_running_stats: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;

  constructor(num_features: number, args: readonly unknown[]) {
    super();
    const o = pyArgs<BatchNormOptions>(['eps', 'momentum', 'affine', 'track_running_stats'], args);
    this.num_features = num_features;
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? true;
    this.track_running_stats = o.track_running_stats ?? true;
    if (this.affine) {
      this.weight = new Parameter(empty([num_features], factory(o)));
      this.bias = new Parameter(empty([num_features], factory(o)));
    } else {
      this.register_parameter('weight', null);
      this.register_parameter('bias', null);
    }
    if (this.track_running_stats) {
      this.register_buffer('running_mean', empty([num_features], factory(o)));
      this.register_buffer('running_var', empty([num_features], factory(o)));
      this.register_buffer('num_batches_tracked', tensor(0, { dtype: dt.int64, ...(o.device !== undefined ? { device: o.device } : {}) }));
    } else {
      this.register_buffer('running_mean', null);
      this.register_buffer('running_var', null);
      this.register_buffer('num_batches_tracked', null);
    }
    this.reset_parameters();
  }

  /**
   * Zeroes the running mean and count, sets the running variance to one.
   * @example bn.reset_running_stats(); bn.running_var // ones
   */
  reset_running_stats(): void {
    if (!this.track_running_stats) return;
    no_grad(() => {
      this.running_mean!.zero_();
      this.running_var!.fill_(1);
      this.num_batches_tracked!.zero_();
    });
  }

  /** Running statistics reset; weight to ones and bias to zeros. @example bn.reset_parameters() */
  reset_parameters(): void {
    this.reset_running_stats();
    if (this.affine) {
      init.ones_(this.weight!);
      init.zeros_(this.bias!);
    }
  }

  /** PyTorch's `_check_input_dim`. */
  abstract _check_input_dim(input: Tensor): void;

  override forward(input: Tensor): Tensor {
    this._check_input_dim(input);
    let factor = this.momentum ?? 0;
    if (this.training && this.track_running_stats && this.num_batches_tracked) {
      no_grad(() => this.num_batches_tracked!.add_(1));
      factor = this.momentum === null ? 1 / this.num_batches_tracked.item() : this.momentum;
    }
    const bnTraining = this.training || (this.running_mean === null && this.running_var === null);
    const useRunning = !this.training || this.track_running_stats;
    return F.batch_norm(
      input, useRunning ? this.running_mean : null, useRunning ? this.running_var : null,
      { weight: this.weight, bias: this.bias, training: bnTraining, momentum: factor, eps: this.eps },
    );
  }

  override extra_repr(): string {
    const m = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.num_features}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.track_running_stats)}`;
  }
}

/**
 * `nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
 * device=None, dtype=None)`: over (N, C) or (N, C, L).
 * @example new nn.BatchNorm1d(64)(torch.randn(32, 64)).shape // [32, 64]
 */
export class BatchNorm1d extends _BatchNorm {
  constructor(
    num_features: number, eps?: number | BatchNormOptions, momentum?: number | null | BatchNormOptions,
    affine?: boolean | BatchNormOptions, track_running_stats?: boolean | BatchNormOptions, opts?: BatchNormOptions,
  ) {
    super(num_features, [eps, momentum, affine, track_running_stats, opts]);
  }
  _check_input_dim(input: Tensor): void {
    if (input.dim() !== 2 && input.dim() !== 3) throw new ValueError(`expected 2D or 3D input (got ${input.dim()}D input)`);
  }
}

/**
 * `nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
 * device=None, dtype=None)`: over (N, C, H, W).
 * @example new nn.BatchNorm2d(16)(torch.randn(8, 16, 5, 5)).shape // [8, 16, 5, 5]
 */
export class BatchNorm2d extends _BatchNorm {
  constructor(
    num_features: number, eps?: number | BatchNormOptions, momentum?: number | null | BatchNormOptions,
    affine?: boolean | BatchNormOptions, track_running_stats?: boolean | BatchNormOptions, opts?: BatchNormOptions,
  ) {
    super(num_features, [eps, momentum, affine, track_running_stats, opts]);
  }
  _check_input_dim(input: Tensor): void {
    if (input.dim() !== 4) throw new ValueError(`expected 4D input (got ${input.dim()}D input)`);
  }
}
