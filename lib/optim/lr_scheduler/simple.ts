/**
 * The epoch-indexed schedules of `torch.optim.lr_scheduler` with one formula each: StepLR,
 * MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR and LinearLR.
 * @example const sched = new optim.lr_scheduler.StepLR(opt, {step_size: 30, gamma: 0.1})
 */

import { ValueError } from '../../errors.js';
import type { Optimizer } from '../optimizer.js';
import { LRScheduler, bindArgs, checkOptimizer, num, typeName, type SchedulerStateDict } from './base.js';

export type StepLROptions = { step_size: number; gamma?: number; last_epoch?: number };

/**
 * `StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)`: multiplies each group's lr by
 * `gamma` every `step_size` epochs.
 * @example const sched = new optim.lr_scheduler.StepLR(opt, {step_size: 30, gamma: 0.1}) // or StepLR(opt, 30, 0.1)
 */
export class StepLR extends LRScheduler {
  declare step_size: number;
  declare gamma: number;

  constructor(
    optimizer: Optimizer, step_size: number | StepLROptions, gamma?: number | Partial<StepLROptions>,
    last_epoch?: number | Partial<StepLROptions>, opts?: Partial<StepLROptions>,
  ) {
    const o = bindArgs<StepLROptions>('StepLR', ['step_size', 'gamma', 'last_epoch'], ['step_size'], [step_size, gamma, last_epoch, opts]);
    super(optimizer, o.last_epoch ?? -1, { step_size: o.step_size, gamma: o.gamma ?? 0.1 });
  }

  get_lr(): number[] {
    this._warn_get_lr();
    if (this.last_epoch === 0 || this.last_epoch % this.step_size !== 0) return this.groupLrs();
    return this.groupLrs(this.gamma);
  }

  override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((lr) => lr * this.gamma ** Math.floor(this.last_epoch / this.step_size));
  }
}

export type MultiStepLROptions = { milestones: Iterable<number>; gamma?: number; last_epoch?: number };

/**
 * `MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)`: multiplies each group's lr by
 * `gamma` at every milestone epoch (by `gamma**k` at a milestone listed k times). `milestones`
 * is kept as PyTorch's Counter: an object from epoch to count.
 * @example const sched = new optim.lr_scheduler.MultiStepLR(opt, [30, 80], 0.1)
 */
export class MultiStepLR extends LRScheduler {
  declare milestones: Record<number, number>;
  declare gamma: number;

  constructor(
    optimizer: Optimizer, milestones: Iterable<number> | MultiStepLROptions, gamma?: number | Partial<MultiStepLROptions>,
    last_epoch?: number | Partial<MultiStepLROptions>, opts?: Partial<MultiStepLROptions>,
  ) {
    const o = bindArgs<MultiStepLROptions>('MultiStepLR', ['milestones', 'gamma', 'last_epoch'], ['milestones'], [milestones, gamma, last_epoch, opts]);
    const counter: Record<number, number> = {};
    for (const m of o.milestones!) counter[m] = (counter[m] ?? 0) + 1;
    super(optimizer, o.last_epoch ?? -1, { milestones: counter, gamma: o.gamma ?? 0.1 });
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const count = this.milestones[this.last_epoch];
    if (count === undefined) return this.groupLrs();
    return this.groupLrs(this.gamma ** count);
  }

  override _get_closed_form_lr(): number[] {
    let passed = 0;
    for (const [m, c] of Object.entries(this.milestones)) if (Number(m) <= this.last_epoch) passed += c;
    return this.base_lrs.map((lr) => lr * this.gamma ** passed);
  }
}

export type ExponentialLROptions = { gamma: number; last_epoch?: number };

/**
 * `ExponentialLR(optimizer, gamma, last_epoch=-1)`: multiplies each group's lr by `gamma` every epoch.
 * @example const sched = new optim.lr_scheduler.ExponentialLR(opt, 0.95)
 */
export class ExponentialLR extends LRScheduler {
  declare gamma: number;

  constructor(optimizer: Optimizer, gamma: number | ExponentialLROptions, last_epoch?: number | Partial<ExponentialLROptions>, opts?: Partial<ExponentialLROptions>) {
    const o = bindArgs<ExponentialLROptions>('ExponentialLR', ['gamma', 'last_epoch'], ['gamma'], [gamma, last_epoch, opts]);
    super(optimizer, o.last_epoch ?? -1, { gamma: o.gamma });
  }

  get_lr(): number[] {
    this._warn_get_lr();
    // resuming (last_epoch given) must not take one more decay step at construction
    if (this._is_initial) return this.groupLrs();
    return this.groupLrs(this.gamma);
  }

  override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((lr) => lr * this.gamma ** this.last_epoch);
  }
}

export type CosineAnnealingLROptions = { T_max: number; eta_min?: number; last_epoch?: number };

/**
 * `CosineAnnealingLR(optimizer, T_max, eta_min=0, last_epoch=-1)`: anneals each group's lr from
 * its initial value to `eta_min` along half a cosine over `T_max` epochs (and back up after,
 * as PyTorch's recursive form does: no restarts).
 * @example const sched = new optim.lr_scheduler.CosineAnnealingLR(opt, {T_max: 50, eta_min: 1e-5})
 */
export class CosineAnnealingLR extends LRScheduler {
  declare T_max: number;
  declare eta_min: number;

  constructor(
    optimizer: Optimizer, T_max: number | CosineAnnealingLROptions, eta_min?: number | Partial<CosineAnnealingLROptions>,
    last_epoch?: number | Partial<CosineAnnealingLROptions>, opts?: Partial<CosineAnnealingLROptions>,
  ) {
    const o = bindArgs<CosineAnnealingLROptions>('CosineAnnealingLR', ['T_max', 'eta_min', 'last_epoch'], ['T_max'], [T_max, eta_min, last_epoch, opts]);
    super(optimizer, o.last_epoch ?? -1, { T_max: o.T_max, eta_min: o.eta_min ?? 0 });
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const { T_max, eta_min, last_epoch } = this;
    const groups = this.optimizer.param_groups;
    if (this._is_initial) return this.groupLrs();
    if (this._step_count === 1 && last_epoch > 0) {
      return this.base_lrs.map((base) => eta_min + ((base - eta_min) * (1 + Math.cos((last_epoch * Math.PI) / T_max))) / 2);
    }
    if ((last_epoch - 1 - T_max) % (2 * T_max) === 0) {
      return groups.map((g, i) => num(g, 'lr') + ((this.base_lrs[i]! - eta_min) * (1 - Math.cos(Math.PI / T_max))) / 2);
    }
    return groups.map(
      (g) => ((1 + Math.cos((Math.PI * last_epoch) / T_max)) / (1 + Math.cos((Math.PI * (last_epoch - 1)) / T_max))) * (num(g, 'lr') - eta_min) + eta_min,
    );
  }

  override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((base) => this.eta_min + ((base - this.eta_min) * (1 + Math.cos((Math.PI * this.last_epoch) / this.T_max))) / 2);
  }
}

/** A factor of the initial learning rate as a function of the epoch. */
export type LrLambda = (epoch: number) => number;
export type LambdaLROptions = { lr_lambda: LrLambda | LrLambda[]; last_epoch?: number };

/**
 * `LambdaLR(optimizer, lr_lambda, last_epoch=-1)`: sets each group's lr to its initial lr times
 * `lr_lambda(epoch)` (one function, or one per group). `state_dict()` saves `null` for each
 * function, as PyTorch does for plain functions.
 * @example const sched = new optim.lr_scheduler.LambdaLR(opt, (epoch) => 0.95 ** epoch)
 */
export class LambdaLR extends LRScheduler {
  declare lr_lambdas: LrLambda[];

  constructor(optimizer: Optimizer, lr_lambda: LrLambda | LrLambda[] | LambdaLROptions, last_epoch?: number | Partial<LambdaLROptions>, opts?: Partial<LambdaLROptions>) {
    const o = bindArgs<LambdaLROptions>('LambdaLR', ['lr_lambda', 'last_epoch'], ['lr_lambda'], [lr_lambda, last_epoch, opts]);
    checkOptimizer(optimizer);
    const n = optimizer.param_groups.length;
    const given = o.lr_lambda!;
    let lambdas: LrLambda[];
    if (Array.isArray(given)) {
      if (given.length !== n) throw new ValueError(`Expected ${n} lr_lambdas, but got ${given.length}`);
      lambdas = [...given];
    } else {
      lambdas = new Array<LrLambda>(n).fill(given);
    }
    for (const f of lambdas) {
      if (typeof f !== 'function') throw new TypeError(`lr_lambda should be a function, but got ${typeName(f)}`);
    }
    super(optimizer, o.last_epoch ?? -1, { lr_lambdas: lambdas });
  }

  get_lr(): number[] {
    this._warn_get_lr();
    return this.base_lrs.map((base, i) => base * this.lr_lambdas[i]!(this.last_epoch));
  }

  override state_dict(): SchedulerStateDict {
    const sd = super.state_dict();
    sd.lr_lambdas = this.lr_lambdas.map(() => null);
    return sd;
  }

  override load_state_dict(state_dict: SchedulerStateDict): void {
    const rest = { ...state_dict };
    delete rest.lr_lambdas;
    super.load_state_dict(rest);
  }
}

export type LinearLROptions = { start_factor?: number; end_factor?: number; total_iters?: number; last_epoch?: number };

/**
 * `LinearLR(optimizer, start_factor=1/3, end_factor=1.0, total_iters=5, last_epoch=-1)`: scales
 * each group's lr by a factor going linearly from `start_factor` to `end_factor` over
 * `total_iters` epochs (a warm-up when start < end).
 * @example const warmup = new optim.lr_scheduler.LinearLR(opt, {start_factor: 0.1, total_iters: 10})
 */
export class LinearLR extends LRScheduler {
  declare start_factor: number;
  declare end_factor: number;
  declare total_iters: number;

  constructor(
    optimizer: Optimizer, start_factor?: number | LinearLROptions, end_factor?: number | LinearLROptions,
    total_iters?: number | LinearLROptions, last_epoch?: number | LinearLROptions, opts?: LinearLROptions,
  ) {
    const o = bindArgs<LinearLROptions>('LinearLR', ['start_factor', 'end_factor', 'total_iters', 'last_epoch'], [], [start_factor, end_factor, total_iters, last_epoch, opts]);
    const start = o.start_factor ?? 1.0 / 3;
    const end = o.end_factor ?? 1.0;
    if (start > 1.0 || start <= 0) throw new ValueError('Starting multiplicative factor expected to be greater than 0 and less or equal to 1.');
    if (end > 1.0 || end < 0) throw new ValueError('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer, o.last_epoch ?? -1, { start_factor: start, end_factor: end, total_iters: o.total_iters ?? 5 });
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const { start_factor: s, end_factor: e, total_iters: n, last_epoch: t } = this;
    if (t === 0) return this.groupLrs(s);
    if (this._is_initial || t > n) return this.groupLrs();
    return this.groupLrs(1.0 + (e - s) / (n * s + (t - 1) * (e - s)));
  }

  override _get_closed_form_lr(): number[] {
    const { start_factor: s, end_factor: e, total_iters: n } = this;
    return this.base_lrs.map((lr) => lr * (s + ((e - s) * Math.min(n, this.last_epoch)) / n));
  }
}
