/**
 * The base of `torch.optim.lr_scheduler`: `LRScheduler` (and its old name `_LRScheduler`), and the
 * argument binding, checks and state copying that every scheduler shares.
 * @example class MySched extends optim.lr_scheduler.LRScheduler { get_lr() { return this.base_lrs; } }
 */

import { Tensor } from '../../tensor.js';
import { KeyError, ValueError } from '../../errors.js';
import { warnOnce } from '../../nn/warnings.js';
import { pyArgs } from '../../nn/_args.js';
import { Optimizer, type Options, type ParamGroup } from '../optimizer.js';

// The helpers are exported for the scheduler files beside this one; lr_scheduler.ts re-exports
// only the public names.

/** What `scheduler.state_dict()` returns: the scheduler's attributes, without the optimizer. */
export type SchedulerStateDict = Record<string, unknown>;

export type Group = ParamGroup<Options>;

export const EPOCH_DEPRECATION_WARNING =
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
export function typeName(v: unknown): string {
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

export function checkOptimizer(optimizer: unknown): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typeName(optimizer)} is not an Optimizer`);
}

/**
 * Binds a scheduler's arguments as Python would (positionals, then one keyword object) and
 * raises Python's TypeError for a missing required argument or an unknown keyword.
 */
export function bindArgs<T extends object>(cls: string, names: readonly (keyof T & string)[], required: readonly (keyof T & string)[], args: readonly unknown[]): Partial<T> {
  const o = pyArgs<T>(names, args);
  for (const k of Object.keys(o)) {
    if (!(names as readonly string[]).includes(k)) throw new TypeError(`${cls}.__init__() got an unexpected keyword argument '${k}'`);
  }
  const missing = required.filter((k) => o[k] === undefined);
  if (missing.length === 1) throw new TypeError(`${cls}.__init__() missing 1 required positional argument: '${missing[0]}'`);
  return o;
}

/** `float(x)` of a learning rate or momentum read from a parameter group. */
export function num(g: Group, key: string): number {
  const v = g[key];
  if (typeof v === 'number') return v;
  if (v instanceof Tensor) return v.item();
  throw new KeyError(key);
}

/** One value per parameter group: a list is checked against the number of groups, a number repeated. */
export function formatParam(name: string, optimizer: Optimizer, param: number | readonly number[]): number[] {
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
export function copyPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyPlain);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyPlain(x)]));
  }
  return v;
}

/** A scheduler's state dict: every attribute but the optimizer, copied (PyTorch's `state_dict`). */
export function schedulerState(sched: object): SchedulerStateDict {
  const out: SchedulerStateDict = {};
  for (const [k, v] of Object.entries(sched)) if (k !== 'optimizer') out[k] = copyPlain(v);
  return out;
}

/** Restores the attributes of a state dict made by schedulerState (the optimizer is never replaced). */
export function loadSchedulerState(sched: object, state_dict: SchedulerStateDict): void {
  for (const [k, v] of Object.entries(state_dict)) {
    if (k !== 'optimizer') Reflect.set(sched, k, copyPlain(v));
  }
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
    return schedulerState(this);
  }

  /** `load_state_dict(state_dict)`: restores the attributes saved by `state_dict()`. @example sched.load_state_dict(saved) */
  load_state_dict(state_dict: SchedulerStateDict): void {
    loadSchedulerState(this, state_dict);
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
