/**
 * `torch.optim.lr_scheduler`: learning-rate schedules that rewrite `param_group.lr` (and, for
 * OneCycleLR, the momentum) of an optimizer each time `step()` is called.
 *
 * Arguments follow PyTorch's order and names: positionally, by name in one trailing options
 * object, or both (`new StepLR(opt, 30, 0.1)`, `new StepLR(opt, {step_size: 30, gamma: 0.1})`,
 * `new StepLR(opt, 30, {gamma: 0.1})`). The schedules compute their values with PyTorch's
 * (recursive, "chainable") formulas, so the learning rates agree with PyTorch's to the last bits.
 * @example
 * const opt = new optim.SGD(net.parameters(), {lr: 0.1, momentum: 0.9});
 * const sched = new optim.lr_scheduler.StepLR(opt, {step_size: 30, gamma: 0.1});
 * for (let epoch = 0; epoch < 100; epoch++) { train(opt); sched.step(); }
 */

import { Tensor } from '../tensor.js';
import { KeyError, RuntimeError, ValueError } from '../errors.js';
import { warnOnce } from '../nn/warnings.js';
import { pyArgs } from '../nn/_args.js';
import { Optimizer, type Options, type ParamGroup } from './optimizer.js';

/** What `scheduler.state_dict()` returns: the scheduler's attributes, without the optimizer. */
export type SchedulerStateDict = Record<string, unknown>;

type Group = ParamGroup<Options>;

const EPOCH_DEPRECATION_WARNING =
  'The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. ' +
  'Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, ' +
  'the closed form is used instead of the new chainable form, where available. Please open an issue if you are ' +
  'unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.';
const STEP_ORDER_WARNING =
  'Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call ' +
  'them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in ' +
  'PyTorch skipping the first value of the learning rate schedule. See more details at ' +
  'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';
const STEP_OVERRIDDEN_WARNING =
  'Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. Please, make ' +
  'sure to call `optimizer.step()` before `lr_scheduler.step()`. See more details at ' +
  'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate';
const GET_LR_WARNING = 'To get the last learning rate computed by the scheduler, please use `get_last_lr()`.';

// Which optimizers have stepped since a scheduler wrapped their step(), and which step functions
// are those wrappers: PyTorch tags the optimizer and the wrapper with attributes instead; kept
// here so that optimizer.ts needs no hook and optimizer objects gain no fields.
const optimizerStepped = new WeakSet<Optimizer>();
const stepWrappers = new WeakSet<object>();

function trackStepCalls(opt: Optimizer): void {
  if (stepWrappers.has(opt.step)) return;
  const original = opt.step.bind(opt);
  const wrapper = function <L>(closure?: () => L): L | undefined {
    optimizerStepped.add(opt);
    return original(closure);
  };
  stepWrappers.add(wrapper);
  opt.step = wrapper;
}

/** Python's `type(x).__name__` for the "is not an Optimizer" message. */
function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'function') return 'function';
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return 'dict';
  return (v as { constructor?: { name?: string } }).constructor?.name ?? 'object';
}

function checkOptimizer(optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
}

/**
 * Binds a scheduler's arguments as Python would (positionals, then one keyword object) and
 * raises Python's TypeError for a missing required argument or an unknown keyword.
 */
function bindArgs<T extends object>(cls: string, names: readonly (keyof T & string)[], required: readonly (keyof T & string)[], args: readonly unknown[]): Partial<T> {
  const o = pyArgs<T>(names, args);
  for (const k of Object.keys(o)) {
    if (!(names as readonly string[]).includes(k)) throw new TypeError(`${cls}.__init__() got an unexpected keyword argument '${k}'`);
  }
  const missing = required.filter((k) => o[k] === undefined);
  if (missing.length === 1) throw new TypeError(`${cls}.__init__() missing 1 required positional argument: '${missing[0]}'`);
  return o;
}

/** `float(x)` of a learning rate or momentum read from a parameter group. */
function num(g: Group, key: string): number {
  const v = g[key];
  if (typeof v === 'number') return v;
  if (v instanceof Tensor) return v.item();
  throw new KeyError(key);
}

/** One value per parameter group: a list is checked against the number of groups, a number repeated. */
function formatParam(name: string, optimizer: Optimizer, param: number | readonly number[]): number[] {
  const n = optimizer.param_groups.length;
  if (Array.isArray(param)) {
    if (param.length !== n) {
      throw new ValueError(`${name} must have the same length as optimizer.param_groups. ${name} has ${param.length} values, param_groups has ${n}.`);
    }
    return [...(param as readonly number[])];
  }
  return new Array<number>(n).fill(param as number);
}

/** Copies plain data (arrays, plain objects) so saved and live scheduler state do not alias. */
function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyPlain(x)]));
  }
  return v;
}

/**
 * `torch.optim.lr_scheduler.LRScheduler`, the base class of the epoch-indexed schedulers: on
 * construction it records `initial_lr` in every parameter group (when `last_epoch` is -1) and
 * takes the initial step; `step()` then advances `last_epoch` and writes `get_lr()` into the
 * groups' `lr`. Subclasses implement `get_lr()` (and may implement `_get_closed_form_lr()` for
 * `step(epoch)`).
 *
 * Differs from PyTorch: TypeScript runs the base constructor before a subclass has set its own
 * fields, so a subclass passes the attributes its `get_lr()` reads as `attributes` (they are
 * assigned before the initial step); the subclass declares them with `declare`.
 * @example
 * class Halving extends optim.lr_scheduler.LRScheduler {
 *   declare every: number;
 *   constructor(opt: optim.Optimizer, every: number) { super(opt, -1, { every }); }
 *   get_lr() { return this.base_lrs.map((lr) => lr * 0.5 ** Math.floor(this.last_epoch / this.every)); }
 * }
 */
export abstract class LRScheduler {
  optimizer: Optimizer;
  base_lrs: number[] = [];
  last_epoch: number;
  _step_count = 0;
  _get_lr_called_within_step = false;
  _is_initial = false;
  _last_lr: number[] = [];

  constructor(optimizer: Optimizer, last_epoch = -1, attributes: object = {}) {
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    Object.assign(this, attributes);
    if (last_epoch === -1) {
      for (const g of optimizer.param_groups) if (!('initial_lr' in g)) g.initial_lr = g.lr;
    } else {
      optimizer.param_groups.forEach((g, i) => {
        if (!('initial_lr' in g)) throw new KeyError(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
      });
    }
    this.base_lrs = optimizer.param_groups.map((g) => num(g, 'initial_lr'));
    this.last_epoch = last_epoch;
    trackStepCalls(optimizer);
    this._initial_step();
  }

  /** Resets the step count and takes the step that sets the schedule's first learning rates. */
  _initial_step(): void {
    this._step_count = 0;
    this._is_initial = true;
    try {
      this.step();
    } finally {
      this._is_initial = false;
    }
  }

  /**
   * The learning rates of the next epoch (chainable form: usually from the groups' current lr).
   * @example sched.get_lr() // called by step(); read get_last_lr() instead
   */
  abstract get_lr(): number[];

  /** The learning rates at `last_epoch` from a closed formula, used by the deprecated `step(epoch)`. */
  _get_closed_form_lr?(): number[];

  /**
   * `step(epoch=None)`: advances the schedule by one epoch (or, deprecated, jumps to `epoch`) and
   * writes the new learning rates into the optimizer's parameter groups. Call it after
   * `optimizer.step()`.
   * @example for (let epoch = 0; epoch < 30; epoch++) { trainOneEpoch(); sched.step(); }
   */
  step(epoch?: number): void {
    if (this._step_count === 1) {
      if (!stepWrappers.has(this.optimizer.step)) warnOnce(STEP_OVERRIDDEN_WARNING);
      else if (!optimizerStepped.has(this.optimizer)) warnOnce(STEP_ORDER_WARNING);
    }
    this._step_count += 1;
    if (epoch !== undefined && epoch !== null) warnOnce(EPOCH_DEPRECATION_WARNING);
    this._update_lr(epoch);
  }

  _update_lr(epoch?: number): void {
    let values: number[];
    this._get_lr_called_within_step = true;
    try {
      if (epoch === undefined || epoch === null) {
        this.last_epoch += 1;
        values = this.get_lr();
      } else {
        this.last_epoch = epoch;
        values = this._get_closed_form_lr ? this._get_closed_form_lr() : this.get_lr();
      }
    } finally {
      this._get_lr_called_within_step = false;
    }
    const groups = this.optimizer.param_groups;
    for (let i = 0; i < Math.min(groups.length, values.length); i++) groups[i]!.lr = values[i];
    this._last_lr = groups.map((g) => num(g, 'lr'));
  }

  /**
   * `get_last_lr()`: the learning rate of each parameter group as the last step set it.
   * @example sched.get_last_lr() // [0.01]
   */
  get_last_lr(): number[] {
    return this._last_lr;
  }

  /** `state_dict()`: every attribute of the scheduler except the optimizer. @example const saved = sched.state_dict() */
  state_dict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') out[k] = copyPlain(v);
    return out;
  }

  /** `load_state_dict(state_dict)`: restores the attributes saved by `state_dict()`. @example sched.load_state_dict(saved) */
  load_state_dict(state_dict: SchedulerStateDict): void {
    for (const [k, v] of Object.entries(state_dict)) {
      if (k !== 'optimizer') Reflect.set(this, k, copyPlain(v));
    }
  }

  /** Warns, as PyTorch, when `get_lr()` is called from outside `step()`. */
  protected _warn_get_lr(): void {
    if (!this._get_lr_called_within_step) warnOnce(GET_LR_WARNING);
  }

  protected groupLrs(factor = 1): number[] {
    return this.optimizer.param_groups.map((g) => num(g, 'lr') * factor);
  }
}

/**
 * `_LRScheduler`: PyTorch 1's name of the base class, kept by PyTorch 2 as a subclass of
 * `LRScheduler` for old code; subclass either.
 * @example class MySched extends optim.lr_scheduler._LRScheduler { get_lr() { return this.base_lrs; } }
 */
export abstract class _LRScheduler extends LRScheduler {}

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
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') out[k] = copyPlain(v);
    return out;
  }

  /** `load_state_dict(state_dict)`: restores the attributes saved by `state_dict()`. @example sched.load_state_dict(saved) */
  load_state_dict(state_dict: SchedulerStateDict): void {
    for (const [k, v] of Object.entries(state_dict)) {
      if (k !== 'optimizer') Reflect.set(this, k, copyPlain(v));
    }
    this._init_is_better(this.mode, this.threshold, this.threshold_mode);
  }
}
