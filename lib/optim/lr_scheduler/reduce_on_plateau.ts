/**
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: reduces the learning rates when a metric given to
 * `step(metric)` stops improving; not epoch-indexed, so not an `LRScheduler`.
 * @example const sched = new optim.lr_scheduler.ReduceLROnPlateau(opt, {patience: 5})
 */

import { Tensor } from '../../tensor.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { warnOnce } from '../../nn/warnings.js';
import type { Optimizer } from '../optimizer.js';
import { EPOCH_DEPRECATION_WARNING, bindArgs, checkOptimizer, loadSchedulerState, num, schedulerState, type SchedulerStateDict } from './base.js';

export type ReduceLROnPlateauOptions = {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  threshold_mode?: 'rel' | 'abs';
  cooldown?: number;
  min_lr?: number | number[];
  eps?: number;
};

/**
 * `ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
 * threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)`: multiplies each group's lr by
 * `factor` (down to `min_lr`) when the metric given to `step(metric)` has not improved for more
 * than `patience` epochs, then waits `cooldown` epochs. The metric may be a number or a
 * one-element tensor.
 * Differs from PyTorch 2: not a subclass of `LRScheduler` (as in PyTorch 1.13); `verbose` is not
 * supported (PyTorch 2 deprecates it).
 * @example
 * const sched = new optim.lr_scheduler.ReduceLROnPlateau(opt, 'min', {patience: 5});
 * for (let epoch = 0; epoch < 50; epoch++) { train(opt); sched.step(validate()); }
 */
export class ReduceLROnPlateau {
  factor: number;
  optimizer: Optimizer;
  default_min_lr: number | null;
  min_lrs: number[];
  patience: number;
  cooldown: number;
  eps: number;
  last_epoch = 0;
  _last_lr: number[];
  mode_worse = Infinity;
  mode: 'min' | 'max' = 'min';
  threshold = 1e-4;
  threshold_mode: 'rel' | 'abs' = 'rel';
  best = Infinity;
  cooldown_counter = 0;
  num_bad_epochs = 0;

  constructor(
    optimizer: Optimizer, mode?: 'min' | 'max' | ReduceLROnPlateauOptions, factor?: number | ReduceLROnPlateauOptions,
    patience?: number | ReduceLROnPlateauOptions, threshold?: number | ReduceLROnPlateauOptions,
    threshold_mode?: 'rel' | 'abs' | ReduceLROnPlateauOptions, cooldown?: number | ReduceLROnPlateauOptions,
    min_lr?: number | number[] | ReduceLROnPlateauOptions, eps?: number | ReduceLROnPlateauOptions, opts?: ReduceLROnPlateauOptions,
  ) {
    const o = bindArgs<ReduceLROnPlateauOptions>(
      'ReduceLROnPlateau', ['mode', 'factor', 'patience', 'threshold', 'threshold_mode', 'cooldown', 'min_lr', 'eps'], [],
      [mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps, opts],
    );
    this.factor = o.factor ?? 0.1;
    if (this.factor >= 1.0) throw new ValueError('Factor should be < 1.0.');
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    const minLr = o.min_lr ?? 0;
    if (Array.isArray(minLr)) {
      if (minLr.length !== optimizer.param_groups.length) {
        throw new ValueError(`expected ${optimizer.param_groups.length} min_lrs, got ${minLr.length}`);
      }
      this.default_min_lr = null;
      this.min_lrs = [...minLr];
    } else {
      this.default_min_lr = minLr as number;
      this.min_lrs = new Array<number>(optimizer.param_groups.length).fill(minLr as number);
    }
    this.patience = o.patience ?? 10;
    this.cooldown = o.cooldown ?? 0;
    this.eps = o.eps ?? 1e-8;
    this._last_lr = optimizer.param_groups.map((g) => num(g, 'lr'));
    this._init_is_better(o.mode ?? 'min', o.threshold ?? 1e-4, o.threshold_mode ?? 'rel');
    this._reset();
  }

  private _reset(): void {
    this.best = this.mode_worse;
    this.cooldown_counter = 0;
    this.num_bad_epochs = 0;
  }

  /**
   * `step(metrics, epoch=None)`: records this epoch's metric and reduces the learning rates
   * when it has stopped improving.
   * @example const sched = new optim.lr_scheduler.ReduceLROnPlateau(opt, {patience: 2}); sched.step(valLoss)
   */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? metrics.item() : Number(metrics);
    if (epoch === undefined || epoch === null) epoch = this.last_epoch + 1;
    else warnOnce(EPOCH_DEPRECATION_WARNING);
    this.last_epoch = epoch;
    if (this._is_better(current, this.best)) {
      this.best = current;
      this.num_bad_epochs = 0;
    } else {
      this.num_bad_epochs += 1;
    }
    if (this.in_cooldown) {
      this.cooldown_counter -= 1;
      this.num_bad_epochs = 0; // bad epochs during the cooldown do not count
    }
    if (this.num_bad_epochs > this.patience) {
      this._reduce_lr();
      this.cooldown_counter = this.cooldown;
      this.num_bad_epochs = 0;
    }
    this._last_lr = this.optimizer.param_groups.map((g) => num(g, 'lr'));
  }

  private _reduce_lr(): void {
    const groups = this.optimizer.param_groups;
    if (groups.length !== this.min_lrs.length) {
      if (this.default_min_lr === null) {
        throw new RuntimeError(
          `The number of param groups in the \`optimizer\` (${groups.length}) differs from when \`ReduceLROnPlateau\` was ` +
          `initialized (${this.min_lrs.length}), usually due to a new param group being added to the optimizer. Please ` +
          'modify the `min_lrs` field to match the length of the `optimizer` param groups.',
        );
      }
      this.min_lrs = new Array<number>(groups.length).fill(this.default_min_lr);
    }
    groups.forEach((g, i) => {
      const oldLr = num(g, 'lr');
      const newLr = Math.max(oldLr * this.factor, this.min_lrs[i]!);
      if (oldLr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** True while the scheduler waits after a reduction. @example if (sched.in_cooldown) console.log('lr just reduced') */
  get in_cooldown(): boolean {
    return this.cooldown_counter > 0;
  }

  _is_better(a: number, best: number): boolean {
    if (this.mode === 'min' && this.threshold_mode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min' && this.threshold_mode === 'abs') return a < best - this.threshold;
    if (this.mode === 'max' && this.threshold_mode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  private _init_is_better(mode: string, threshold: number, threshold_mode: string): void {
    if (mode !== 'min' && mode !== 'max') throw new ValueError(`mode ${mode} is unknown!`);
    if (threshold_mode !== 'rel' && threshold_mode !== 'abs') throw new ValueError(`threshold mode ${threshold_mode} is unknown!`);
    this.mode_worse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.threshold_mode = threshold_mode;
  }

  /** `get_last_lr()`: the learning rate of each parameter group after the last step. @example sched.get_last_lr() // [0.001] */
  get_last_lr(): number[] {
    return this._last_lr;
  }

  /** `state_dict()`: every attribute of the scheduler except the optimizer. @example const saved = sched.state_dict() */
  state_dict(): SchedulerStateDict {
    return schedulerState(this);
  }

  /** `load_state_dict(state_dict)`: restores the attributes saved by `state_dict()`. @example sched.load_state_dict(saved) */
  load_state_dict(state_dict: SchedulerStateDict): void {
    loadSchedulerState(this, state_dict);
    this._init_is_better(this.mode, this.threshold, this.threshold_mode);
  }
}
