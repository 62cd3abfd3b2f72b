/**
 * `torch.optim.Optimizer`: parameter groups with per-group options, per-parameter state,
 * state dicts, zero_grad. Subclasses implement `update` (one step over the groups, run under
 * no_grad by `step`).
 */

import { Tensor } from '../tensor.js';
import { castScalar } from '../dtype.js';
import { backendFor } from '../device.js';
import { viewOf } from '../ops/dispatch.js';
import { ValueError, pyTypeName } from '../errors.js';
import { enable_grad, no_grad } from '../autograd/grad_mode.js';
import { floatRepr } from '../display/pyformat.js';
import { zeroGrad } from '../nn/module.js';
import { warnOnce } from '../nn/warnings.js';
import { pyArgs } from '../nn/_args.js';
import { check_interrupt } from '../interrupt.js';

/** An optimizer's hyperparameters: plain values (numbers, booleans, tuples). */
export type Options = Record<string, unknown>;

/** One parameter group: its tensors and its options (defaults filled in). */
export type ParamGroup<O extends Options = Options> = O & { params: Tensor[] };

/** A parameter group as given: tensors plus any options that differ from the defaults. */
export type ParamGroupInput<O extends Options = Options> = Partial<O> & { params: Iterable<Tensor> | Tensor };

/** What optimizers take: tensors (`net.parameters()`), or parameter groups. */
export type ParamsInput<O extends Options = Options> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** Per-parameter optimizer state (`momentum_buffer`, `exp_avg`, `step`, ...). */
export type ParamState = Record<string, unknown>;

/** `optimizer.state_dict()`: state keyed by parameter index, groups with indices for params. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  param_groups: (Options & { params: number[] })[];
}

/** `torch.typename(v)`: a tensor's type name (torch.FloatTensor), else Python's name for v's type. */
const typename = (v: unknown): string => (v instanceof Tensor ? v.typeName() : pyTypeName(v));

/** Python's str() of an option value, for the optimizer repr. */
function pyStr(v: unknown): string {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : floatRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (Array.isArray(v)) return v.length === 1 ? `(${pyStr(v[0])},)` : `(${v.map(pyStr).join(', ')})`;
  return String(v);
}

function deepCopy(v: unknown): unknown {
  if (v instanceof Tensor) return v.detach().clone();
  if (Array.isArray(v)) return v.map(deepCopy);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)]));
  return v;
}

/**
 * Base class of the optimizers. `step(closure?)` runs the subclass's update under no_grad
 * (the closure, if any, under enable_grad first) and returns the closure's loss.
 * Differs from PyTorch: `state` is a Map keyed by the parameter tensor.
 * @example
 * const opt = new optim.SGD(net.parameters(), {lr: 0.1, momentum: 0.9});
 * opt.zero_grad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<O extends Options = Options> {
  readonly defaults: O;
  param_groups: ParamGroup<O>[] = [];
  state = new Map<Tensor, ParamState>();

  constructor(params: ParamsInput<O>, defaults: O) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${params.typeName()}`);
    }
    const list = [...(params as Iterable<Tensor | ParamGroupInput<O>>)];
    if (list.length === 0) throw new ValueError('optimizer got an empty parameter list');
    const first = list[0];
    const groups: ParamGroupInput<O>[] = first instanceof Tensor || typeof first !== 'object' || first === null
      ? [Object.assign({} as Partial<O>, { params: list as Tensor[] })]
      : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.add_param_group(g);
  }

  /**
   * `add_param_group(param_group)`: adds tensors with their own options (the rest from the
   * defaults), e.g. to fine-tune a new head at a different learning rate.
   * @example opt.add_param_group({params: head.parameters(), lr: 1e-2})
   */
  add_param_group(param_group: ParamGroupInput<O>): void {
    const raw = param_group.params;
    if (raw instanceof Set) {
      throw new TypeError('optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.');
    }
    const params: unknown[] = raw instanceof Tensor ? [raw] : [...raw];
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typename(p)}`);
      if (!(p.is_leaf || p.retains_grad)) throw new ValueError("can't optimize a non-leaf Tensor");
    }
    const group = { ...this.defaults, ...param_group, params } as ParamGroup<O>;
    if (new Set(params).size !== params.length) {
      warnOnce('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information');
    }
    const seen = new Set<Tensor>();
    for (const g of this.param_groups) for (const p of g.params) seen.add(p);
    if (group.params.some((p) => seen.has(p))) throw new ValueError('some parameters appear in more than one parameter group');
    this.param_groups.push(group);
  }

  /**
   * `zero_grad(set_to_none=True)`: drops (or zeroes) the gradients of every parameter.
   * @example opt.zero_grad(); opt.zero_grad({set_to_none: false})
   */
  zero_grad(set_to_none: boolean | { set_to_none?: boolean } = true): void {
    const toNone = typeof set_to_none === 'boolean' ? set_to_none : (set_to_none.set_to_none ?? true);
    for (const g of this.param_groups) for (const p of g.params) zeroGrad(p, toNone);
  }

  /**
   * `step(closure=None)`: one update of every parameter that has a gradient. The closure, when
   * given, re-evaluates the model and returns the loss (needed by some optimizers).
   * @example opt.zero_grad(); loss.backward(); opt.step()
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    check_interrupt();
    const loss = closure ? enable_grad(closure) : undefined;
    no_grad(() => this.update());
    return loss;
  }

  /** One update over all groups; runs under no_grad. */
  protected abstract update(): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) this.state.set(p, (s = {}));
    return s;
  }

  /**
   * `state_dict()`: `{state, param_groups}` with parameters replaced by their index across
   * groups, as PyTorch saves optimizers. The state tensors are the live ones (not copies).
   * @example torch.save({model: net.state_dict(), optim: opt.state_dict()}, 'ckpt.pt')
   */
  state_dict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const param_groups = this.param_groups.map((g) => {
      const packed: Options = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') packed[k] = v;
      for (const p of g.params) if (!index.has(p)) index.set(p, next++);
      return { ...packed, params: g.params.map((p) => index.get(p)!) };
    });
    const state: Record<number, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i !== undefined) state[i] = s;
    }
    return { state, param_groups };
  }

  /**
   * `load_state_dict(state_dict)`: restores options and state saved by `state_dict()` onto this
   * optimizer's parameters (matched by position; tensors cast to each parameter's dtype/device).
   * @example opt.load_state_dict(ckpt.optim)
   */
  load_state_dict(state_dict: OptimizerStateDict): void {
    const sd = deepCopy(state_dict) as OptimizerStateDict;
    const saved = sd.param_groups;
    if (saved.length !== this.param_groups.length) throw new ValueError('loaded state dict has a different number of parameter groups');
    if (saved.some((g, i) => g.params.length !== this.param_groups[i]!.params.length)) {
      throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => idMap.set(id, this.param_groups[i]!.params[j]!)));
    const cast = (p: Tensor, v: unknown, key?: string): unknown => {
      if (v instanceof Tensor) {
        // the step count keeps its own dtype, as PyTorch does
        if (key === 'step') return v;
        return (p.is_floating_point() ? v.to(p.dtype) : v).to(p.device);
      }
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cast(p, x, k)]));
      }
      return v;
    };
    this.state = new Map();
    for (const [k, v] of Object.entries(sd.state)) {
      const p = idMap.get(Number(k));
      if (p) this.state.set(p, cast(p, v) as ParamState);
    }
    this.param_groups = saved.map((g, i) => ({ ...g, params: this.param_groups[i]!.params }) as unknown as ParamGroup<O>);
  }

  /**
   * PyTorch's optimizer repr: the class name, then each group's options sorted by name.
   * @example console.log(String(new optim.SGD(net.parameters(), {lr: 0.1}))) // SGD (\n Parameter Group 0\n ...)
   */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.param_groups.forEach((g, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(g).sort()) {
        if (key !== 'params') s += `    ${key}: ${pyStr((g as Options)[key])}\n`;
      }
    });
    return `${s})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The learning rate given positionally (PyTorch's `SGD(params, 0.1)`) and/or the options by name. */
export function optionsOf<T extends Options>(lr: number | Partial<T> | undefined, opts?: Partial<T>): Partial<T> {
  return pyArgs<Partial<T>>(['lr' as keyof T & string], [lr, opts]);
}

/** Each step counter's value as last written by incrementStep, with the storage version it left. */
const stepValues = new WeakMap<Tensor, { storage: Tensor['_storage']; version: number; value: number }>();

/**
 * `state['step'] += 1` and the new value, as PyTorch's `step_t += 1; step = step_t.item()`. The
 * counter stays a float tensor as in PyTorch (so state dicts load in either direction), but its
 * value is remembered from the last increment and written straight into its storage: a step costs
 * no elementwise op and no read (a device sync where the counter lives on 'cuda'). A counter
 * changed in any other way (a loaded state dict, an in-place op) has a new storage or version and
 * is read back once.
 */
export function incrementStep(stepT: Tensor): number {
  const storage = stepT._storage;
  const known = stepValues.get(stepT);
  const value = known !== undefined && known.storage === storage && known.version === storage.version ? known.value : stepT.item();
  const next = castScalar(value + 1, stepT.dtype);
  const cell = new stepT.dtype.array(1);
  cell[0] = next;
  backendFor(stepT.device).write(viewOf(stepT), cell);
  storage.version++;
  stepValues.set(stepT, { storage, version: storage.version, value: next });
  return next;
}
