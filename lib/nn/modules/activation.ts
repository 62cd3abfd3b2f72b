/** Activation modules: thin wrappers of the `F` functions that print their hyperparameters. */

import { warnOnce } from '../warnings.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import { pyFloat, pyNum } from './_repr.js';
import { pyArgs } from '../_args.js';

type LeakyOpts = { negative_slope?: number; inplace?: boolean };
type EluOpts = { alpha?: number; inplace?: boolean };
type SoftplusOpts = { beta?: number; threshold?: number };
type HardtanhOpts = { min_val?: number; max_val?: number; inplace?: boolean };

type InplaceArg = boolean | { inplace?: boolean };
const inplaceOf = (v: InplaceArg | undefined): boolean => pyArgs<{ inplace?: boolean }>(['inplace'], [v]).inplace ?? false;
const inplaceSuffix = (inplace: boolean): string => (inplace ? ', inplace=True' : '');

/**
 * `nn.ReLU(inplace=False)`: max(0, x).
 * @example const act = new nn.ReLU(); act(x)
 */
export class ReLU extends Module {
  declare inplace: boolean;
  constructor(inplace?: InplaceArg) {
    super();
    this.inplace = inplaceOf(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.relu(input, this.inplace);
  }
  override extra_repr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/**
 * `nn.LeakyReLU(negative_slope=0.01, inplace=False)`: x for x > 0, else negative_slope * x.
 * @example new nn.LeakyReLU(0.1)
 */
export class LeakyReLU extends Module {
  declare negative_slope: number;
  declare inplace: boolean;
  constructor(negative_slope?: number | LeakyOpts, inplace?: boolean | LeakyOpts) {
    super();
    const o = pyArgs<LeakyOpts>(['negative_slope', 'inplace'], [negative_slope, inplace]);
    this.negative_slope = o.negative_slope ?? 0.01;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return F.leaky_relu(input, this.negative_slope, this.inplace);
  }
  override extra_repr(): string {
    return `negative_slope=${pyFloat(this.negative_slope)}${inplaceSuffix(this.inplace)}`;
  }
}

/**
 * `nn.ELU(alpha=1.0, inplace=False)`: x for x > 0, else alpha * (exp(x) - 1).
 * @example new nn.ELU({alpha: 0.5})
 */
export class ELU extends Module {
  declare alpha: number;
  declare inplace: boolean;
  constructor(alpha?: number | EluOpts, inplace?: boolean | EluOpts) {
    super();
    const o = pyArgs<EluOpts>(['alpha', 'inplace'], [alpha, inplace]);
    this.alpha = o.alpha ?? 1;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return F.elu(input, this.alpha, this.inplace);
  }
  override extra_repr(): string {
    return `alpha=${pyFloat(this.alpha)}${inplaceSuffix(this.inplace)}`;
  }
}

/**
 * `nn.GELU(approximate='none')`: x·Φ(x), or its tanh approximation.
 * @example new nn.GELU({approximate: 'tanh'})
 */
export class GELU extends Module {
  declare approximate: 'none' | 'tanh';
  constructor(approximate?: 'none' | 'tanh' | { approximate?: 'none' | 'tanh' }) {
    super();
    this.approximate = pyArgs<{ approximate?: 'none' | 'tanh' }>(['approximate'], [approximate]).approximate ?? 'none';
  }
  override forward(input: Tensor): Tensor {
    return F.gelu(input, this.approximate);
  }
  override extra_repr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** `nn.SiLU(inplace=False)`: x * sigmoid(x). @example new nn.SiLU()(torch.zeros(1)) // tensor([0.]) */
export class SiLU extends Module {
  declare inplace: boolean;
  constructor(inplace?: InplaceArg) {
    super();
    this.inplace = inplaceOf(inplace);
  }
  override forward(input: Tensor): Tensor {
    return F.silu(input, this.inplace);
  }
  override extra_repr(): string {
    return this.inplace ? 'inplace=True' : '';
  }
}

/** `nn.Sigmoid()`. @example new nn.Sigmoid()(torch.zeros(1)) // tensor([0.5000]) */
export class Sigmoid extends Module {
  override forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

/** `nn.Tanh()`. @example new nn.Tanh()(torch.zeros(1)) // tensor([0.]) */
export class Tanh extends Module {
  override forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/**
 * `nn.Softplus(beta=1, threshold=20)`: log(1 + exp(beta x)) / beta, linear above the threshold.
 * @example new nn.Softplus({beta: 2})
 */
export class Softplus extends Module {
  declare beta: number;
  declare threshold: number;
  constructor(beta?: number | SoftplusOpts, threshold?: number | SoftplusOpts) {
    super();
    const o = pyArgs<SoftplusOpts>(['beta', 'threshold'], [beta, threshold]);
    this.beta = o.beta ?? 1;
    this.threshold = o.threshold ?? 20;
  }
  override forward(input: Tensor): Tensor {
    return F.softplus(input, this.beta, this.threshold);
  }
  override extra_repr(): string {
    return `beta=${pyNum(this.beta)}, threshold=${pyNum(this.threshold)}`;
  }
}

/**
 * `nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False)`: x clamped to [min_val, max_val].
 * @example new nn.Hardtanh(-2, 2)
 */
export class Hardtanh extends Module {
  declare min_val: number;
  declare max_val: number;
  declare inplace: boolean;
  constructor(min_val?: number | HardtanhOpts, max_val?: number | HardtanhOpts, inplace?: boolean | HardtanhOpts) {
    super();
    const o = pyArgs<HardtanhOpts>(['min_val', 'max_val', 'inplace'], [min_val, max_val, inplace]);
    this.min_val = o.min_val ?? -1;
    this.max_val = o.max_val ?? 1;
    this.inplace = o.inplace ?? false;
  }
  override forward(input: Tensor): Tensor {
    return F.hardtanh(input, this.min_val, this.max_val, this.inplace);
  }
  override extra_repr(): string {
    return `min_val=${pyFloat(this.min_val)}, max_val=${pyFloat(this.max_val)}${inplaceSuffix(this.inplace)}`;
  }
}

/** PyTorch's choice of dim when a Softmax module was made without one (deprecated there too). */
function implicitDim(name: string, ndim: number): number {
  warnOnce(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}

type DimArg = number | null | { dim?: number | null };
const dimOf = (d: DimArg | undefined): number | null => pyArgs<{ dim?: number | null }>(['dim'], [d]).dim ?? null;

/**
 * `nn.Softmax(dim=None)`: softmax along `dim` (PyTorch's implicit dim, with its warning, when none).
 * @example new nn.Softmax(1)
 */
export class Softmax extends Module {
  declare dim: number | null;
  constructor(dim?: DimArg) {
    super();
    this.dim = dimOf(dim);
  }
  override forward(input: Tensor): Tensor {
    return input.softmax(this.dim ?? implicitDim('softmax', input.dim()));
  }
  override extra_repr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/**
 * `nn.LogSoftmax(dim=None)`: log_softmax along `dim`.
 * @example new nn.LogSoftmax({dim: 1})
 */
export class LogSoftmax extends Module {
  declare dim: number | null;
  constructor(dim?: DimArg) {
    super();
    this.dim = dimOf(dim);
  }
  override forward(input: Tensor): Tensor {
    return input.log_softmax(this.dim ?? implicitDim('log_softmax', input.dim()));
  }
  override extra_repr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

