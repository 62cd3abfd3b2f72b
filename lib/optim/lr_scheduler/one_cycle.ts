/**
 * `torch.optim.lr_scheduler.OneCycleLR`: the 1cycle policy, which moves the learning rate and the
 * momentum (or Adam's beta1) in opposite directions, stepped once per batch.
 * @example const sched = new optim.lr_scheduler.OneCycleLR(opt, 0.01, {total_steps: 1000})
 */

import { KeyError, ValueError } from '../../errors.js';
import type { Optimizer } from '../optimizer.js';
import { LRScheduler, bindArgs, checkOptimizer, formatParam, num, type Group } from './base.js';

export type OneCycleLROptions = {
  max_lr: number | number[];
  total_steps?: number | null;
  epochs?: number | null;
  steps_per_epoch?: number | null;
  pct_start?: number;
  anneal_strategy?: 'cos' | 'linear';
  cycle_momentum?: boolean;
  base_momentum?: number | number[];
  max_momentum?: number | number[];
  div_factor?: number;
  final_div_factor?: number;
  three_phase?: boolean;
  last_epoch?: number;
};

interface SchedulePhase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

const ONE_CYCLE_ARGS = [
  'max_lr', 'total_steps', 'epochs', 'steps_per_epoch', 'pct_start', 'anneal_strategy', 'cycle_momentum',
  'base_momentum', 'max_momentum', 'div_factor', 'final_div_factor', 'three_phase', 'last_epoch',
] as const;

/**
 * `OneCycleLR(optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None,
 * pct_start=0.3, anneal_strategy='cos', cycle_momentum=True, base_momentum=0.85,
 * max_momentum=0.95, div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1)`:
 * the 1cycle policy, stepped once per batch — lr rises from max_lr/div_factor to max_lr over
 * `pct_start` of the steps, then falls to initial_lr/final_div_factor (with `three_phase`, back
 * to the initial lr first); the momentum (or Adam's beta1) moves the opposite way. Records
 * `initial_lr`, `max_lr`, `min_lr` (and `max_momentum`, `base_momentum`) in each group.
 * Differs from PyTorch: JavaScript has no separate float type, so `pct_start` may be any number in [0, 1].
 * @example const sched = new optim.lr_scheduler.OneCycleLR(opt, 0.01, {epochs: 10, steps_per_epoch: loader.length})
 */
export class OneCycleLR extends LRScheduler {
  declare total_steps: number;
  declare _schedule_phases: SchedulePhase[];
  declare _anneal_func_type: 'cos' | 'linear';
  declare cycle_momentum: boolean;
  declare use_beta1: boolean;

  constructor(
    optimizer: Optimizer,
    max_lr: number | number[] | OneCycleLROptions,
    total_steps?: number | null | Partial<OneCycleLROptions>,
    epochs?: number | null | Partial<OneCycleLROptions>,
    steps_per_epoch?: number | null | Partial<OneCycleLROptions>,
    opts?: Partial<OneCycleLROptions>,
  ) {
    const o = bindArgs<OneCycleLROptions>('OneCycleLR', ONE_CYCLE_ARGS, ['max_lr'], [max_lr, total_steps, epochs, steps_per_epoch, opts]);
    checkOptimizer(optimizer);
    const isPositiveInt = (v: number) => Number.isInteger(v) && v > 0;
    let total: number;
    if (o.total_steps !== undefined && o.total_steps !== null) {
      if (!isPositiveInt(o.total_steps)) throw new ValueError(`Expected positive integer total_steps, but got ${o.total_steps}`);
      total = o.total_steps;
    } else if (o.epochs !== undefined && o.epochs !== null && o.steps_per_epoch !== undefined && o.steps_per_epoch !== null) {
      if (!isPositiveInt(o.epochs)) throw new ValueError(`Expected positive integer epochs, but got ${o.epochs}`);
      if (!isPositiveInt(o.steps_per_epoch)) throw new ValueError(`Expected positive integer steps_per_epoch, but got ${o.steps_per_epoch}`);
      total = o.epochs * o.steps_per_epoch;
    } else {
      throw new ValueError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    }
    const pct = o.pct_start ?? 0.3;
    const phases: SchedulePhase[] = o.three_phase
      ? [
        { end_step: pct * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
        { end_step: 2 * pct * total - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
        { end_step: total - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
      ]
      : [
        { end_step: pct * total - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
        { end_step: total - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
      ];
    if (!(pct >= 0 && pct <= 1)) throw new ValueError(`Expected float between 0 and 1 pct_start, but got ${pct}`);
    const strategy = o.anneal_strategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') {
      throw new ValueError(`anneal_strategy must be one of 'cos' or 'linear', instead got ${String(strategy)}`);
    }
    const lastEpoch = o.last_epoch ?? -1;
    const divFactor = o.div_factor ?? 25.0;
    const finalDivFactor = o.final_div_factor ?? 1e4;
    const maxLrs = formatParam('max_lr', optimizer, o.max_lr!);
    if (lastEpoch === -1) {
      optimizer.param_groups.forEach((g, i) => {
        g.initial_lr = maxLrs[i]! / divFactor;
        g.max_lr = maxLrs[i];
        g.min_lr = (g.initial_lr as number) / finalDivFactor;
      });
    }
    const cycleMomentum = o.cycle_momentum ?? true;
    let useBeta1 = false;
    if (cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !('betas' in optimizer.defaults)) {
        throw new ValueError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      useBeta1 = 'betas' in optimizer.defaults;
      const maxMomentums = formatParam('max_momentum', optimizer, o.max_momentum ?? 0.95);
      const baseMomentums = formatParam('base_momentum', optimizer, o.base_momentum ?? 0.85);
      if (lastEpoch === -1) {
        optimizer.param_groups.forEach((g, i) => {
          if (useBeta1) g.betas = withBeta1(g, maxMomentums[i]!);
          else g.momentum = maxMomentums[i];
          g.max_momentum = maxMomentums[i];
          g.base_momentum = baseMomentums[i];
        });
      }
    }
    super(optimizer, lastEpoch, {
      total_steps: total, _schedule_phases: phases, _anneal_func_type: strategy, cycle_momentum: cycleMomentum,
      ...(cycleMomentum ? { use_beta1: useBeta1 } : {}),
    });
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this._anneal_func_type === 'cos') return end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
    return (end - start) * pct + start;
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const stepNum = this.last_epoch;
    if (stepNum > this.total_steps) {
      throw new ValueError(`Tried to step ${stepNum} times. The specified number of total steps is ${this.total_steps}`);
    }
    const phases = this._schedule_phases;
    return this.optimizer.param_groups.map((g) => {
      let start = 0;
      let lr = 0;
      let momentum = 0;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i]!;
        if (stepNum <= phase.end_step || i === phases.length - 1) {
          const pct = (stepNum - start) / (phase.end_step - start);
          lr = this.anneal(num(g, phase.start_lr), num(g, phase.end_lr), pct);
          if (this.cycle_momentum) momentum = this.anneal(num(g, phase.start_momentum), num(g, phase.end_momentum), pct);
          break;
        }
        start = phase.end_step;
      }
      if (this.cycle_momentum) {
        if (this.use_beta1) g.betas = withBeta1(g, momentum);
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

/** The group's `betas` with the first one replaced. */
function withBeta1(g: Group, beta1: number): number[] {
  const betas = g.betas;
  if (!Array.isArray(betas)) throw new KeyError('betas');
  return [beta1, ...(betas.slice(1) as number[])];
}
