/**
 * `nn.Module`, the base class of every layer and model.
 *
 * Two Python behaviours need JavaScript machinery here:
 * - Instances are callable (`net(x)` runs `forward`). The constructor returns a Proxy over an
 *   arrow function whose prototype is the subclass's prototype, so methods, `instanceof` and
 *   class fields all behave as on an ordinary instance, and calling it runs hooks and forward.
 * - Attributes register on assignment, as `Module.__setattr__` does. Class fields are defined
 *   with [[DefineOwnProperty]] and plain assignments end in the same operation, so the Proxy's
 *   `defineProperty` trap sees both and files Parameters, Modules and buffers in ordered maps
 *   (PyTorch's `_parameters`, `_modules`, `_buffers`), which keep registration order.
 *
 * The call signature is typed from `forward`: `class Net extends nn.Module { forward(x: Tensor)
 * { ... } }` makes `new Net()(x)` a `Tensor`. A field a base class assigns in its constructor
 * must be redeclared with `declare` in a subclass (a plain field declaration would reset it).
 */

import { Tensor } from '../tensor.js';
import type { DType } from '../dtype.js';
import { DType as DTypeClass } from '../dtype.js';
import { Device, tensorDevice, type DeviceLike } from '../device.js';
import { KeyError, NotImplementedError, RuntimeError, ValueError } from '../errors.js';
import { no_grad } from '../autograd/grad_mode.js';
import { Parameter, setData } from './parameter.js';

/** `module.state_dict()`: dotted names to tensors, in registration order. */
export type StateDict = Record<string, Tensor>;

/** What `register_forward_hook` and friends return: `handle.remove()` unregisters the hook. */
export interface RemovableHandle {
  readonly id: number;
  remove(): void;
}

/** `hook(module, input, output)`: a non-undefined return value replaces the output. */
export type ForwardHook<M extends Module = Module> = (module: M, input: unknown[], output: unknown) => unknown;
/** `hook(module, input)`: a non-undefined return value replaces the input (an array is the args). */
export type ForwardPreHook<M extends Module = Module> = (module: M, input: unknown[]) => unknown;

/** `module.to(...)` arguments: a device, a dtype, both, a tensor, or `{device, dtype}`. */
export type ModuleToArg = DeviceLike | DType | Tensor | { device?: DeviceLike; dtype?: DType; non_blocking?: boolean };

let nextHookId = 0;

/** Python's `torch.typename` / `type(x).__name__` for error messages. */
function pyTypeName(v: unknown): string {
  if (v instanceof Tensor) return v.typeName();
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'object' || typeof v === 'function') {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    if (name) return name;
  }
  return typeof v;
}

const dataDescriptor = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: true, configurable: true });

/** `Module.__setattr__`: files the value where PyTorch would, then stores it as an own property. */
function setAttr(target: Module, name: string, value: unknown): boolean {
  if (value instanceof Parameter) {
    target._buffers.delete(name);
    target._non_persistent_buffers_set.delete(name);
    target._modules.delete(name);
    if (value.grad_fn !== null) {
      throw new ValueError(
        `Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. To express '${name}' as a function of another Tensor, compute the value in the forward() method.`,
      );
    }
    target._parameters.set(name, value);
  } else if (target._parameters.has(name)) {
    if (value !== null && value !== undefined) {
      throw new TypeError(`cannot assign '${pyTypeName(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
    }
    target._parameters.set(name, null);
    value = null;
  } else if (value instanceof Module) {
    target._buffers.delete(name);
    target._non_persistent_buffers_set.delete(name);
    target._modules.set(name, value);
  } else if (target._modules.has(name)) {
    if (value !== null && value !== undefined) {
      throw new TypeError(`cannot assign '${pyTypeName(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
    }
    target._modules.set(name, null);
    value = null;
  } else if (target._buffers.has(name)) {
    if (value !== null && value !== undefined && !(value instanceof Tensor)) {
      throw new TypeError(`cannot assign '${pyTypeName(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    }
    value = value ?? null;
    target._buffers.set(name, value as Tensor | null);
  }
  return Reflect.defineProperty(target, name, dataDescriptor(value));
}

const handler: ProxyHandler<Module> = {
  defineProperty(target, key, desc) {
    if (typeof key === 'string' && 'value' in desc) return setAttr(target, key, desc.value);
    return Reflect.defineProperty(target, key, desc);
  },
  deleteProperty(target, key) {
    if (typeof key === 'string') {
      target._parameters.delete(key);
      target._buffers.delete(key);
      target._non_persistent_buffers_set.delete(key);
      target._modules.delete(key);
    }
    return Reflect.deleteProperty(target, key);
  },
};

function addIndent(s: string, spaces: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  const pad = ' '.repeat(spaces);
  return [lines[0]!, ...lines.slice(1).map((l) => pad + l)].join('\n');
}

function checkName(kind: string, name: string, exists: boolean, dotMessage: string): void {
  if (typeof name !== 'string') throw new TypeError(`${kind} name should be a string. Got ${pyTypeName(name)}`);
  if (name.includes('.')) throw new KeyError(dotMessage);
  if (name === '') throw new KeyError(`${kind} name can't be empty string ""`);
  if (exists) throw new KeyError(`attribute '${name}' already exists`);
}

/**
 * What `load_state_dict` returns: the keys that did not match (empty lists when all matched).
 * @example const {missing_keys, unexpected_keys} = net.load_state_dict(sd, {strict: false})
 */
export class IncompatibleKeys {
  constructor(
    readonly missing_keys: string[],
    readonly unexpected_keys: string[],
  ) {}
  /**
   * `String(keys)`: PyTorch's repr, `<All keys matched successfully>` or
   * `_IncompatibleKeys(missing_keys=[...], unexpected_keys=[...])`.
   * @example console.log(String(net.load_state_dict(sd)))
   */
  toString(): string {
    if (this.missing_keys.length === 0 && this.unexpected_keys.length === 0) return '<All keys matched successfully>';
    const list = (ks: string[]) => `[${ks.map((k) => `'${k}'`).join(', ')}]`;
    return `_IncompatibleKeys(missing_keys=${list(this.missing_keys)}, unexpected_keys=${list(this.unexpected_keys)})`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

// The call signature of a module is its forward's: declaration merging adds it to the class.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Module {
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

/**
 * `nn.Module`: subclass it, assign layers and parameters (as class fields or in the
 * constructor), and define `forward`; instances are called like functions.
 * Differs from PyTorch: made with `new`; keyword arguments are a trailing options object;
 * iterators (`parameters()`, `named_modules()`, ...) are JavaScript generators.
 * @example
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(784, 64);
 *   fc2 = new nn.Linear(64, 10);
 *   forward(x: Tensor): Tensor { return F.log_softmax(this.fc2(F.relu(this.fc1(x))), 1); }
 * }
 * const net = new Net(); const out = net(torch.randn(8, 784)); // Tensor [8, 10]
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Module {
  /** Whether the module is in training mode (`train()` / `eval()` set it, recursively). */
  declare training: boolean;
  /** @internal */ declare _parameters: Map<string, Parameter | null>;
  /** @internal */ declare _buffers: Map<string, Tensor | null>;
  /** @internal */ declare _non_persistent_buffers_set: Set<string>;
  /** @internal */ declare _modules: Map<string, Module | null>;
  /** @internal */ declare _forward_hooks: Map<number, ForwardHook>;
  /** @internal */ declare _forward_pre_hooks: Map<number, ForwardPreHook>;

  constructor() {
    const target = (...args: unknown[]): unknown => self._call_impl(...args);
    // an arrow function has no `prototype` and these two are the only own keys to clear
    Reflect.deleteProperty(target, 'name');
    Reflect.deleteProperty(target, 'length');
    Object.setPrototypeOf(target, new.target.prototype);
    const hidden = (value: unknown): PropertyDescriptor => ({ value, writable: true, enumerable: false, configurable: true });
    Object.defineProperties(target, {
      training: hidden(true),
      _parameters: hidden(new Map()),
      _buffers: hidden(new Map()),
      _non_persistent_buffers_set: hidden(new Set()),
      _modules: hidden(new Map()),
      _forward_hooks: hidden(new Map()),
      _forward_pre_hooks: hidden(new Map()),
    });
    const self = new Proxy(target as unknown as Module, handler);
    return self;
  }

  /**
   * The computation; subclasses override it. Typed loosely here (PyTorch's `*input: Any`) so
   * that every subclass's signature is a valid override and a subclass is a `Module`.
   * @example class Net extends nn.Module { fc = new nn.Linear(4, 2); forward(x: Tensor): Tensor { return this.fc(x); } }; new Net()(x) // calls forward through the hooks
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(...args: any[]): unknown {
    throw new NotImplementedError(`Module [${this._get_name()}] is missing the required "forward" function`);
  }

  /** @internal `__call__`: forward pre-hooks, forward, forward hooks. */
  _call_impl(...args: unknown[]): unknown {
    if (this._forward_pre_hooks.size === 0 && this._forward_hooks.size === 0) return this.forward(...args);
    for (const hook of [...this._forward_pre_hooks.values()]) {
      const r = hook(this, args);
      if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
    }
    let result = this.forward(...args);
    for (const hook of [...this._forward_hooks.values()]) {
      const r = hook(this, args, result);
      if (r !== undefined && r !== null) result = r;
    }
    return result;
  }

  // ---- registration ----

  /**
   * `register_parameter(name, param)`: adds a Parameter (or None) under `name`.
   * @example this.register_parameter('scale', new nn.Parameter(torch.ones(1)))
   */
  register_parameter(name: string, param: Parameter | null): void {
    checkName('parameter', name, name in this && !this._parameters.has(name), `parameter name can't contain "."`);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${pyTypeName(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    this._parameters.set(name, param);
    Reflect.defineProperty(this, name, dataDescriptor(param));
  }

  /**
   * `register_buffer(name, tensor, persistent=True)`: state that is not a parameter (running
   * statistics, masks); it moves with `to()` and, when persistent, is in `state_dict()`.
   * @example this.register_buffer('running_mean', torch.zeros(10))
   */
  register_buffer(name: string, tensor: Tensor | null, persistent: boolean | { persistent?: boolean } = true): void {
    checkName('buffer', name, name in this && !this._buffers.has(name), `buffer name can't contain "."`);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${pyTypeName(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    const keep = typeof persistent === 'boolean' ? persistent : (persistent.persistent ?? true);
    this._parameters.delete(name);
    this._modules.delete(name);
    this._buffers.set(name, tensor);
    if (keep) this._non_persistent_buffers_set.delete(name);
    else this._non_persistent_buffers_set.add(name);
    Reflect.defineProperty(this, name, dataDescriptor(tensor));
  }

  /**
   * `add_module(name, module)`: registers a child module under `name` (names may be '0', '1', ...).
   * @example this.add_module('fc1', new nn.Linear(784, 64)); this.fc1 // the same layer
   */
  add_module(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) throw new TypeError(`${pyTypeName(module)} is not a Module subclass`);
    checkName('module', name, name in this && !this._modules.has(name), `module name can't contain ".", got: ${name}`);
    this._modules.set(name, module);
    Reflect.defineProperty(this, name, dataDescriptor(module));
  }

  /** Alias of `add_module`. @example this.register_module(`block${i}`, new Block()) */
  register_module(name: string, module: Module | null): void {
    this.add_module(name, module);
  }

  /**
   * `register_forward_pre_hook(hook)`: `hook(module, args)` runs before forward.
   * @example const h = net.register_forward_pre_hook((m, args) => { console.log(args[0].shape); }); h.remove()
   */
  register_forward_pre_hook(hook: ForwardPreHook<this>): RemovableHandle {
    const id = nextHookId++;
    this._forward_pre_hooks.set(id, hook as ForwardPreHook);
    return { id, remove: () => void this._forward_pre_hooks.delete(id) };
  }

  /**
   * `register_forward_hook(hook)`: `hook(module, args, output)` runs after forward; a returned
   * value replaces the output.
   * @example const h = net.fc1.register_forward_hook((m, args, out) => { acts.push(out); }); h.remove();
   */
  register_forward_hook(hook: ForwardHook<this>): RemovableHandle {
    const id = nextHookId++;
    this._forward_hooks.set(id, hook as ForwardHook);
    return { id, remove: () => void this._forward_hooks.delete(id) };
  }

  // ---- traversal ----

  /**
   * `named_modules()`: `[name, module]` for this module ('') and every descendant, depth first.
   * @example for (const [name, m] of net.named_modules()) console.log(name || '(root)', m._get_name())
   */
  *named_modules(memo: Set<Module> = new Set(), prefix = '', remove_duplicate = true): Generator<[string, Module]> {
    if (memo.has(this)) return;
    if (remove_duplicate) memo.add(this);
    yield [prefix, this];
    for (const [name, module] of this._modules) {
      if (module === null) continue;
      yield* module.named_modules(memo, prefix + (prefix ? '.' : '') + name, remove_duplicate);
    }
  }

  /**
   * `modules()`: this module and every descendant.
   * @example for (const m of net.modules()) if (m instanceof nn.Linear) nn.init.zeros_(m.bias!)
   */
  *modules(): Generator<Module> {
    for (const [, m] of this.named_modules()) yield m;
  }

  /**
   * `named_children()`: `[name, module]` for the direct children.
   * @example for (const [name, child] of net.named_children()) console.log(name)
   */
  *named_children(): Generator<[string, Module]> {
    const memo = new Set<Module>();
    for (const [name, module] of this._modules) {
      if (module === null || memo.has(module)) continue;
      memo.add(module);
      yield [name, module];
    }
  }

  /** `children()`: the direct child modules. @example const layers = [...net.children()] */
  *children(): Generator<Module> {
    for (const [, m] of this.named_children()) yield m;
  }

  private *namedMembers<T>(
    members: (m: Module) => Iterable<[string, T | null]>,
    prefix: string,
    recurse: boolean,
    remove_duplicate: boolean,
  ): Generator<[string, T]> {
    const memo = new Set<T>();
    const modules: Iterable<[string, Module]> = recurse ? this.named_modules(new Set(), prefix, remove_duplicate) : [[prefix, this]];
    for (const [modPrefix, module] of modules) {
      for (const [name, v] of members(module)) {
        if (v === null || memo.has(v)) continue;
        if (remove_duplicate) memo.add(v);
        yield [modPrefix + (modPrefix ? '.' : '') + name, v];
      }
    }
  }

  /**
   * `named_parameters(prefix='', recurse=True)`: `[dotted name, parameter]` pairs in PyTorch's
   * order (own parameters in registration order, then each child's), shared ones once.
   * @example for (const [name, p] of net.named_parameters()) console.log(name, p.shape)
   */
  named_parameters(prefix = '', recurse = true, remove_duplicate = true): Generator<[string, Parameter]> {
    return this.namedMembers((m) => m._parameters, prefix, recurse, remove_duplicate);
  }

  /**
   * `parameters(recurse=True)`: every parameter once, as `optim.Adam(net.parameters())` takes them.
   * @example const opt = new optim.SGD(net.parameters(), {lr: 0.1}); [...net.parameters()].length
   */
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.named_parameters('', recurse)) yield p;
  }

  /**
   * `named_buffers(prefix='', recurse=True)`.
   * @example for (const [name, b] of bn.named_buffers()) console.log(name) // running_mean, running_var, num_batches_tracked
   */
  named_buffers(prefix = '', recurse = true, remove_duplicate = true): Generator<[string, Tensor]> {
    return this.namedMembers((m) => m._buffers, prefix, recurse, remove_duplicate);
  }

  /** `buffers(recurse=True)`. @example [...bn.buffers()].length // 3 */
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.named_buffers('', recurse)) yield b;
  }

  // ---- modes and gradients ----

  /**
   * `train(mode=True)`: sets training mode here and in every descendant; returns this.
   * @example net.train(); net.training // true
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new ValueError('training mode is expected to be boolean');
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }

  /** `eval()`: `train(false)`. @example net.eval(); torch.no_grad(() => net(x_test)) */
  eval(): this {
    return this.train(false);
  }

  /**
   * `requires_grad_(requires_grad=True)`: sets requires_grad on every parameter; returns this.
   * @example backbone.requires_grad_(false) // freeze it
   */
  requires_grad_(requires_grad = true): this {
    for (const p of this.parameters()) p.requires_grad_(requires_grad);
    return this;
  }

  /**
   * `zero_grad(set_to_none=True)`: drops (or zeroes) every parameter's `.grad`, as PyTorch 2.
   * @example net.zero_grad(); net.zero_grad({set_to_none: false})
   */
  zero_grad(set_to_none: boolean | { set_to_none?: boolean } = true): void {
    const toNone = typeof set_to_none === 'boolean' ? set_to_none : (set_to_none.set_to_none ?? true);
    for (const p of this.parameters()) zeroGrad(p, toNone);
  }

  /**
   * `apply(fn)`: calls `fn` on every descendant, then on this module (e.g. custom init); returns this.
   * @example net.apply((m) => { if (m instanceof nn.Linear) nn.init.xavier_uniform_(m.weight); })
   */
  apply(fn: (module: Module) => void): this {
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  // ---- devices and dtypes ----

  /** @internal converts every parameter (in place, keeping its identity), gradient and buffer. */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const m of this.children()) m._apply(fn);
    for (const p of this._parameters.values()) {
      if (p === null) continue;
      no_grad(() => {
        setData(p, fn(p));
        if (p.grad) setData(p.grad, fn(p.grad));
      });
    }
    for (const [name, b] of this._buffers) {
      if (b === null) continue;
      const nb = no_grad(() => fn(b));
      this._buffers.set(name, nb);
      Reflect.defineProperty(this, name, dataDescriptor(nb));
    }
    return this;
  }

  /**
   * `to(device)`, `to(dtype)`, `to(device, dtype)`, `to(tensor)`, `to({device, dtype})`: moves
   * and casts parameters and buffers in place (dtype applies to floating point ones); returns this.
   * @example const net = new Net().to(device)
   */
  to(a: ModuleToArg, b?: DType | { dtype?: DType; non_blocking?: boolean }): this {
    let device: Device | null = null;
    let dtype: DType | null = null;
    for (const arg of [a, b]) {
      if (arg === undefined) continue;
      if (arg instanceof DTypeClass) dtype = arg;
      else if (arg instanceof Tensor) {
        device = arg.device;
        dtype = arg.dtype;
      } else if (typeof arg === 'string' || arg instanceof Device) device = tensorDevice(arg);
      else {
        const o: { device?: DeviceLike; dtype?: DType } = arg;
        if (o.dtype) dtype = o.dtype;
        if (o.device !== undefined) device = tensorDevice(o.device);
      }
    }
    if (dtype && !dtype.is_floating_point) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${dtype}`);
    }
    return this._apply((t) => {
      const dev = device ?? t.device;
      return t.is_floating_point() && dtype ? t.to(dev, dtype) : t.to(dev);
    });
  }

  /** `cuda(device=None)`: moves everything to the (WebGPU) 'cuda' device. @example const net = new Net().cuda() */
  cuda(device?: number | DeviceLike): this {
    const d = device === undefined ? 'cuda' : typeof device === 'number' ? `cuda:${device}` : device;
    return this._apply((t) => t.to(tensorDevice(d)));
  }

  /** `cpu()`. @example net.cpu() */
  cpu(): this {
    return this._apply((t) => t.to('cpu'));
  }

  /** `float()`: floating point parameters and buffers to float32. @example net.double().float() */
  float(): this {
    return this._apply((t) => (t.is_floating_point() ? t.float() : t));
  }

  /** `double()`: floating point parameters and buffers to float64. @example net.double() // for gradcheck */
  double(): this {
    return this._apply((t) => (t.is_floating_point() ? t.double() : t));
  }

  // ---- state dicts ----

  /**
   * `state_dict(prefix='', keep_vars=False)`: parameters and persistent buffers under dotted
   * names (`'fc1.weight'`), detached unless `keep_vars`.
   * @example const sd = net.state_dict(); Object.keys(sd) // ['fc1.weight', 'fc1.bias', ...]
   */
  state_dict(opts: { destination?: StateDict; prefix?: string; keep_vars?: boolean } = {}): StateDict {
    const dest: StateDict = opts.destination ?? {};
    const prefix = opts.prefix ?? '';
    const keep = opts.keep_vars ?? false;
    for (const [name, p] of this._parameters) if (p !== null) dest[prefix + name] = keep ? p : p.detach();
    for (const [name, b] of this._buffers) {
      if (b !== null && !this._non_persistent_buffers_set.has(name)) dest[prefix + name] = keep ? b : b.detach();
    }
    for (const [name, m] of this._modules) if (m !== null) m.state_dict({ destination: dest, prefix: `${prefix}${name}.`, keep_vars: keep });
    return dest;
  }

  /**
   * `load_state_dict(state_dict, strict=True)`: copies values in (under no_grad); with `strict`,
   * missing or unexpected keys raise PyTorch's error. Returns the incompatible keys.
   * @example net.load_state_dict(sd); net.load_state_dict(sd, {strict: false})
   */
  load_state_dict(state_dict: StateDict | Map<string, Tensor>, strict: boolean | { strict?: boolean } = true): IncompatibleKeys {
    const isStrict = typeof strict === 'boolean' ? strict : (strict.strict ?? true);
    const entries: [string, unknown][] = state_dict instanceof Map ? [...state_dict] : Object.entries(state_dict);
    const missing: string[] = [];
    const unexpected: string[] = [];
    const errors: string[] = [];
    const load = (module: Module, local: [string, unknown][], prefix: string) => {
      module.loadFromStateDict(new Map(local), prefix, missing, unexpected, errors);
      for (const [name, child] of module._modules) {
        if (child === null) continue;
        const childPrefix = `${prefix}${name}.`;
        load(child, local.filter(([k]) => k.startsWith(childPrefix)), childPrefix);
      }
    };
    load(this, entries, '');
    if (isStrict) {
      if (unexpected.length > 0) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}. `);
      if (missing.length > 0) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}. `);
    }
    if (errors.length > 0) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._get_name()}:\n\t${errors.join('\n\t')}`);
    }
    return new IncompatibleKeys(missing, unexpected);
  }

  private loadFromStateDict(sd: Map<string, unknown>, prefix: string, missing: string[], unexpected: string[], errors: string[]): void {
    const local = new Map<string, Tensor>();
    for (const [k, p] of this._parameters) if (p !== null) local.set(k, p);
    for (const [k, b] of this._buffers) if (b !== null && !this._non_persistent_buffers_set.has(k)) local.set(k, b);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!sd.has(key)) {
        missing.push(key);
        continue;
      }
      const input = sd.get(key);
      if (!(input instanceof Tensor)) {
        errors.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received <class '${pyTypeName(input)}'>`);
        continue;
      }
      // checkpoints from before 0-d tensors stored scalars as [1]
      const src = param.dim() === 0 && input.dim() === 1 ? input.select(0, 0) : input;
      if (src.shape.join() !== param.shape.join() || src.dim() !== param.dim()) {
        errors.push(`size mismatch for ${key}: copying a param with shape ${src.shape} from checkpoint, the shape in current model is ${param.shape}.`);
        continue;
      }
      try {
        no_grad(() => param.copy_(src));
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        errors.push(`While copying the parameter named "${key}", whose dimensions in the model are ${param.shape} and whose dimensions in the checkpoint are ${src.shape}, an exception occurred : ('${msg}',).`);
      }
    }
    for (const key of sd.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split('.', 1)[0]!;
      if (!this._modules.has(inputName) && !local.has(inputName)) unexpected.push(key);
    }
  }

  // ---- printing ----

  /** The class name, as PyTorch's `_get_name()`. */
  _get_name(): string {
    return this.constructor.name;
  }

  /**
   * Extra text inside the parentheses of the repr (`in_features=784, ...`); override in layers.
   * @example class Scale extends nn.Module { constructor(public s: number) { super(); } override extra_repr() { return `s=${this.s}`; } }
   */
  extra_repr(): string {
    return '';
  }

  /**
   * PyTorch's module repr: `Net(\n (fc1): Linear(in_features=784, out_features=64, bias=True)\n)`.
   * @example console.log(String(new nn.Linear(2, 3))) // Linear(in_features=2, out_features=3, bias=True)
   */
  toString(): string {
    const extra = this.extra_repr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines: string[] = [];
    for (const [key, module] of this._modules) {
      childLines.push(`(${key}): ${addIndent(module === null ? 'None' : module.toString(), 2)}`);
    }
    const lines = [...extraLines, ...childLines];
    let main = `${this._get_name()}(`;
    if (lines.length > 0) {
      if (extraLines.length === 1 && childLines.length === 0) main += extraLines[0];
      else main += `\n  ${lines.join('\n  ')}\n`;
    }
    return `${main})`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * Drops or zeroes one tensor's gradient, as `zero_grad` does for modules and optimizers. A dropped
 * gradient that only the engine, optimizers and zero_grad ever touched (never read or set through
 * the public `grad`, which marks it) has no other holder: its memory goes back to its backend, as
 * PyTorch's reference count frees it into its caching allocator, so that the next backward pass
 * writes the gradient of that size into memory still in the cache.
 */
export function zeroGrad(p: Tensor, setToNone: boolean): void {
  const g = p._grad;
  if (!g) return;
  if (setToNone) {
    p._grad = null;
    if (!g._gradExposed && g.grad_fn === null && !g._requiresGrad) g._storage.backend.donate?.(g._storage, 'step');
    return;
  }
  if (g.grad_fn) g.detach_();
  else g.requires_grad_(false);
  g.zero_();
}
