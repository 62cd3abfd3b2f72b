/** Containers: `nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict`. */

import { IndexError, KeyError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';

/** PyTorch's index check for list-like containers: negative indices count from the end. */
function absIndex(idx: number, n: number): number {
  if (!Number.isInteger(idx) || idx < -n || idx >= n) throw new IndexError(`index ${idx} is out of range`);
  return idx < 0 ? idx + n : idx;
}

type NamedModules<M extends Module> = Record<string, M> | Map<string, M>;

function isNamed<M extends Module>(x: unknown): x is NamedModules<M> {
  return x instanceof Map || (typeof x === 'object' && x !== null && !Array.isArray(x));
}

/**
 * `nn.Sequential(*modules)` or `nn.Sequential(OrderedDict)`: runs its children in order, each
 * on the previous one's output. Children are named '0', '1', ... or by the given names.
 * Differs from PyTorch: an ordered record (or a Map) stands for the OrderedDict; `seq[i]` reads
 * a child by position (negative too via `get(i)`).
 * @example
 * const net = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
 * const named = new nn.Sequential({fc1: new nn.Linear(4, 8), act: new nn.ReLU()});
 */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...args: Module[] | [NamedModules<Module>]) {
    super();
    const first: unknown = args[0];
    if (args.length === 1 && isNamed<Module>(first)) {
      for (const [name, m] of first instanceof Map ? first : Object.entries(first)) this.add_module(name, m);
    } else {
      (args as Module[]).forEach((m, i) => this.add_module(String(i), m));
    }
  }

  override forward(input: Tensor): Tensor {
    let x = input;
    for (const m of this._modules.values()) if (m !== null) x = m(x) as Tensor;
    return x;
  }

  /** The child at position `idx` (negative counts from the end). @example net.get(-1) // the last layer */
  get(idx: number): Module {
    const mods = [...this._modules.values()];
    return mods[absIndex(idx, mods.length)]!;
  }

  /** `seq[start:end]`: a new Sequential of those children, keeping their names. @example const features = net.slice(0, -1) */
  slice(start?: number, end?: number): Sequential {
    const entries = [...this._modules].slice(start, end).filter((e): e is [string, Module] => e[1] !== null);
    return new Sequential(new Map(entries));
  }

  /** `append(module)`: adds a child at the end; returns this. @example net.append(new nn.Softmax(1)) */
  append(module: Module): this {
    this.add_module(String(this._modules.size), module);
    return this;
  }

  /** `extend(modules)`. @example net.extend([new nn.ReLU(), new nn.Linear(64, 10)]) */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** `insert(index, module)`: renumbers the children after it. @example net.insert(1, new nn.Dropout(0.2)) */
  insert(index: number, module: Module): this {
    const mods = [...this._modules.values()];
    const n = mods.length;
    if (!Number.isInteger(index) || index < -n || index > n) throw new IndexError(`Index out of range: ${index}`);
    mods.splice(index < 0 ? index + n : index, 0, module);
    renumber(this, mods);
    return this;
  }

  /** `len(seq)`. */
  __len__(): number {
    return this._modules.size;
  }

  /**
   * `seq.length`: the number of children (Python's `len(seq)`).
   * @example new nn.Sequential(new nn.ReLU(), new nn.Tanh()).length // 2
   */
  override get length(): number {
    return this._modules.size;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (const m of this._modules.values()) if (m !== null) yield m;
  }
}

function renumber(target: Module, mods: (Module | null)[]): void {
  for (const key of [...target._modules.keys()]) Reflect.deleteProperty(target, key);
  mods.forEach((m, i) => target.add_module(String(i), m));
}

/**
 * `nn.ModuleList(modules=None)`: a list of modules registered as children (so their parameters
 * are the owner's); indexed `list[i]`, iterated with `for...of`. Has no forward of its own.
 * @example
 * class MLP extends nn.Module {
 *   layers = new nn.ModuleList([new nn.Linear(784, 64), new nn.Linear(64, 10)]);
 *   forward(x: Tensor) { for (const l of this.layers) x = F.relu(l(x)); return x; }
 * }
 */
export class ModuleList<M extends Module = Module> extends Module {
  [index: number]: M;

  constructor(modules?: Iterable<M>) {
    super();
    if (modules) this.extend(modules);
  }

  /** The module at `idx` (negative counts from the end). @example layers.get(-1) */
  get(idx: number): M {
    const mods = [...this._modules.values()] as M[];
    return mods[absIndex(idx, mods.length)]!;
  }

  /** `list[idx] = module`. @example layers.set(0, new nn.Linear(784, 128)) */
  set(idx: number, module: M): void {
    const keys = [...this._modules.keys()];
    this.add_module(keys[absIndex(idx, keys.length)]!, module);
  }

  /** `append(module)`; returns this. @example layers.append(new nn.Linear(64, 10)) */
  append(module: M): this {
    this.add_module(String(this._modules.size), module);
    return this;
  }

  /** `extend(modules)`; returns this. @example layers.extend([new nn.Linear(8, 8), new nn.Linear(8, 8)]) */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** `insert(index, module)`. @example layers.insert(0, new nn.Flatten()) */
  insert(index: number, module: M): void {
    const mods = [...this._modules.values()];
    const n = mods.length;
    const i = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    mods.splice(i, 0, module);
    renumber(this, mods);
  }

  /** `pop(idx=-1)`: removes and returns a module. @example const last = layers.pop() */
  pop(idx = -1): M {
    const mods = [...this._modules.values()];
    const i = absIndex(idx, mods.length);
    const [m] = mods.splice(i, 1);
    renumber(this, mods);
    return m as M;
  }

  __len__(): number {
    return this._modules.size;
  }

  /** `list.length`: the number of modules (Python's `len(list)`). @example new nn.ModuleList([new nn.ReLU()]).length // 1 */
  override get length(): number {
    return this._modules.size;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (const m of this._modules.values()) yield m as M;
  }
}

/**
 * `nn.ModuleDict(modules=None)`: named child modules, in insertion order.
 * Differs from PyTorch: `dict[key]` is `get(key)` / `set(key, module)` (or the attribute `dict.key`).
 * @example const heads = new nn.ModuleDict({cls: new nn.Linear(64, 10), reg: new nn.Linear(64, 1)}); heads.get('cls')
 */
export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules?: NamedModules<M> | Iterable<[string, M]>) {
    super();
    if (modules) this.update(modules);
  }

  /** `dict[key]`; KeyError when absent. @example heads.get('cls')(h) */
  get(key: string): M {
    if (!this._modules.has(key)) throw new KeyError(`'${key}'`);
    return this._modules.get(key) as M;
  }

  /** `dict[key] = module`. @example heads.set('aux', new nn.Linear(64, 2)) */
  set(key: string, module: M): void {
    this.add_module(key, module);
  }

  /** `key in dict`. @example heads.has('cls') // true */
  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** `pop(key)`: removes and returns the module. @example const reg = heads.pop('reg') */
  pop(key: string): M {
    const m = this.get(key);
    Reflect.deleteProperty(this, key);
    return m;
  }

  /** `del dict[key]`. @example heads.delete('aux') */
  delete(key: string): void {
    this.pop(key);
  }

  /** `clear()`: removes every entry. @example heads.clear(); heads.length // 0 */
  clear(): void {
    for (const key of [...this._modules.keys()]) Reflect.deleteProperty(this, key);
  }

  /** `keys()`: the names, in insertion order. @example heads.keys() // ['cls', 'reg'] */
  keys(): string[] {
    return [...this._modules.keys()];
  }

  /** `values()`: the modules, in insertion order. @example for (const m of heads.values()) m.reset_parameters() */
  values(): M[] {
    return [...this._modules.values()] as M[];
  }

  /**
   * `items()`: `[name, module]` pairs, in insertion order.
   * @example for (const [name, head] of heads.items()) out[name] = head(h)
   */
  items(): [string, M][] {
    return [...this._modules.entries()] as [string, M][];
  }

  /**
   * `update(modules)`: adds or replaces entries from a record, Map or [key, module] pairs.
   * @example heads.update({aux: new nn.Linear(64, 2)})
   */
  update(modules: NamedModules<M> | Iterable<[string, M]>): void {
    const entries: Iterable<[string, M]> =
      modules instanceof Map ? modules : Symbol.iterator in Object(modules) ? (modules as Iterable<[string, M]>) : Object.entries(modules as Record<string, M>);
    for (const [k, m] of entries) this.add_module(k, m);
  }

  __len__(): number {
    return this._modules.size;
  }

  /** `dict.length`: the number of entries (Python's `len(dict)`). @example new nn.ModuleDict({a: new nn.ReLU()}).length // 1 */
  override get length(): number {
    return this._modules.size;
  }

  /** Iterates the keys, as Python's dict does. */
  *[Symbol.iterator](): Iterator<string> {
    yield* this._modules.keys();
  }
}
