/**
 * Tensor: shape/stride/offset metadata over a backend storage, autograd state, and the core of the
 * method surface (metadata, autograd, reading values, conversion and copies). The rest is installed
 * on the prototype after the class and typed by interfaces merged into it: the methods by concern
 * from lib/tensor/ (views, indexing, pointwise with extra arguments, reductions, linear algebra,
 * splitting and rearranging, random fills), the pointwise ones from the op table (ops/pointwise.ts,
 * `PointwiseMethods`) and the API-coverage extras (ops/api_extra.ts, `TensorExtras`).
 */

import type { Storage } from './backend.js';
import type { DType } from './dtype.js';
import * as dt from './dtype.js';
import { tensorDevice, type Device, type DeviceLike } from './device.js';
import { RuntimeError, ValueError } from './errors.js';
import { normDim, numelOf, type Shape } from './shape.js';
import { Size } from './size.js';
import { AccumulateGrad, type Node } from './autograd/node.js';
import { runBackward } from './autograd/engine.js';
import type { PointwiseMethods } from './ops/pointwise.js';
import * as pw from './ops/pointwise.js';
import * as mv from './ops/movement.js';
import * as cp from './ops/copy.js';
import { installReductions } from './tensor/reduction.js';
import * as ix from './ops/indexing.js';
import { installIndexing } from './tensor/indexing.js';
import { installLinalg } from './tensor/linalg.js';
import { installJoining } from './tensor/cat.js';
import { installRandomFills } from './tensor/random.js';
import * as cr from './ops/creation.js';
import { installExtras, type TensorExtras } from './ops/api_extra.js';
import { installViews } from './tensor/views.js';
import { installPointwiseArgs } from './tensor/pointwise.js';
import { tensorRepr } from './display/repr.js';
import { tensorHtml } from './display/html.js';

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | Scalar;
export type Dims = number | readonly number[];
/** One entry of a `get`/`set` index: see ops/indexing.ts for the translation of `x[...]`. */
export type IndexItem = ix.IndexItem;

/** `(values, indices)` as PyTorch's named tuple: destructure it or read `.values`/`.indices`. */
export type ValuesIndices = readonly [Tensor, Tensor] & { readonly values: Tensor; readonly indices: Tensor };

export interface ToOptions {
  dtype?: DType;
  device?: DeviceLike;
  copy?: boolean;
  non_blocking?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Tensor extends PointwiseMethods, TensorExtras {}

/**
 * A multi-dimensional array with autograd, as `torch.Tensor`.
 * Differs from PyTorch: no operator overloading (`a.add(b)`, or operators in notebook cells),
 * indexing is `x.get(...)` / `x.set(..., value)` (see ops/indexing.ts).
 * @example const x = torch.tensor([[1, 2], [3, 4]], {dtype: torch.float32}); x.sum(1) // tensor([3., 7.])
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Tensor {
  /** @internal */ _storage: Storage;
  /** @internal */ _shape: number[];
  /** @internal */ _strides: number[];
  /** @internal */ _offset: number;
  /** @internal the tensor this one is a view of */ _base: Tensor | null = null;
  /** @internal */ _requiresGrad = false;
  /** @internal which output of grad_fn this tensor is */ _outputNr = 0;
  /** @internal */ _acc: AccumulateGrad | null = null;
  /** @internal */ _sizeCache: Size | null = null;
  readonly dtype: DType;
  readonly device: Device;
  /** @internal the gradient, as the engine, the optimizers and zero_grad see it (see `grad`) */
  _grad: Tensor | null = null;
  /**
   * @internal this tensor was handed out or set through some tensor's public `grad`, so user code
   * may hold it: zero_grad leaves its memory to the garbage collector rather than giving it back
   */
  _gradExposed = false;
  /**
   * The gradient accumulated by backward() (leaves, and non-leaves after retain_grad()); settable.
   * @example const w = torch.ones(3, {requires_grad: true}); w.mul(2).sum().backward(); w.grad // tensor([2., 2., 2.])
   */
  get grad(): Tensor | null {
    const g = this._grad;
    if (g !== null) g._gradExposed = true;
    return g;
  }
  set grad(g: Tensor | null) {
    if (g !== null) g._gradExposed = true;
    this._grad = g;
  }
  /** The node that made this tensor, or null for a leaf. */
  grad_fn: Node | null = null;

  /** @internal use torch.tensor / torch.zeros / ... */
  constructor(storage: Storage, device: Device, shape: number[], strides: number[], offset: number) {
    this._storage = storage;
    this._shape = shape;
    this._strides = strides;
    this._offset = offset;
    this.dtype = storage.dtype;
    this.device = device;
  }

  // ---- metadata ----

  /** `torch.Size`, an array of dims. @example torch.zeros(2, 3).shape // torch.Size([2, 3]) */
  get shape(): Size {
    return (this._sizeCache ??= Size.make(this._shape));
  }
  /** `x.size()` is the shape; `x.size(d)` one dim (negative allowed). @example x.size() // torch.Size([2, 3]); x.size(-1) // 3 */
  size(): Size;
  size(dim: number): number;
  size(dim?: number): Size | number {
    return dim === undefined ? this.shape : this._shape[normDim(dim, this._shape.length)] ?? 1;
  }
  /** `x.dim()`: the number of dims (0 for a scalar tensor). @example torch.zeros(2, 3).dim() // 2 */
  dim(): number {
    return this._shape.length;
  }
  /** `x.ndim`: the number of dims, as `x.dim()`. @example torch.zeros(2, 3).ndim // 2 */
  get ndim(): number {
    return this._shape.length;
  }
  /** `x.numel()`: the number of elements (the product of the shape). @example torch.zeros(2, 3).numel() // 6 */
  numel(): number {
    return numelOf(this._shape);
  }
  /** `x.nelement()`: an alias of `numel()`. @example torch.zeros(2, 3).nelement() // 6 */
  nelement(): number {
    return this.numel();
  }
  /** `x.element_size()`: bytes per element (4 for float32, 8 for int64). @example torch.zeros(2).element_size() // 4 */
  element_size(): number {
    return this.dtype.itemsize;
  }
  /** `x.stride()` as an array, `x.stride(d)` one dim. @example torch.zeros(2, 3).stride() // [3, 1]; x.t().stride(0) // 1 */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? this._strides.slice() : this._strides[normDim(dim, this._shape.length)]!;
  }
  /**
   * `x.storage_offset()`: where the view starts in its storage, in elements.
   * @example torch.arange(6).get('2:').storage_offset() // 2
   */
  storage_offset(): number {
    return this._offset;
  }
  /**
   * `x.is_contiguous()`: whether the elements lie in row-major order without gaps.
   * @example torch.zeros(2, 3).t().is_contiguous() // false
   */
  is_contiguous(): boolean {
    return mv.isContiguous(this._shape, this._strides);
  }
  /** `x.is_cuda`: true on a `'cuda'` (WebGPU) device. @example torch.zeros(2).is_cuda // false */
  get is_cuda(): boolean {
    return this.device.type === 'cuda';
  }
  /** `x.is_floating_point()`: true for float32 and float64. @example torch.tensor([1, 2]).is_floating_point() // false (int64) */
  is_floating_point(): boolean {
    return this.dtype.is_floating_point;
  }
  /**
   * `'torch.FloatTensor'` as PyTorch's `x.type()`.
   * @example torch.zeros(2).typeName() // 'torch.FloatTensor' (PyTorch: x.type())
   */
  typeName(): string {
    const names: Record<string, string> = {
      float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', uint8: 'Byte', bool: 'Bool',
    };
    return `torch.${this.is_cuda ? 'cuda.' : ''}${names[this.dtype.name]}Tensor`;
  }

  // ---- autograd ----

  /**
   * `x.requires_grad`: whether autograd records ops on this tensor; setting it is `requires_grad_(v)`.
   * @example const w = torch.randn(3); w.requires_grad = true
   */
  get requires_grad(): boolean {
    return this._requiresGrad || this.grad_fn !== null;
  }
  set requires_grad(v: boolean) {
    this.requires_grad_(v);
  }
  /**
   * `x.is_leaf`: true for tensors not made by a recorded op (`grad_fn` is null); only leaves get
   * `.grad`.
   * @example torch.ones(2, {requires_grad: true}).mul(2).is_leaf // false
   */
  get is_leaf(): boolean {
    return this.grad_fn === null;
  }
  /**
   * Sets requires_grad in place (leaves only, floating point only), as in PyTorch.
   * @example const w = torch.randn(784, 10).mul(0.01).requires_grad_()
   */
  requires_grad_(requires_grad = true): this {
    if (!this.is_leaf) {
      if (!requires_grad) {
        throw new RuntimeError(
          "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
        );
      }
      return this;
    }
    if (requires_grad && !this.dtype.is_floating_point) {
      throw new RuntimeError('only Tensors of floating point dtype can require gradients');
    }
    this._requiresGrad = requires_grad;
    return this;
  }
  /** @internal the leaf's gradient sink, shared by every use of the leaf */
  _accumulator(): AccumulateGrad {
    return (this._acc ??= new AccumulateGrad(this));
  }
  /**
   * Keeps `.grad` on a non-leaf after backward.
   * @example const h = x.mul(2); h.retain_grad(); h.sum().backward(); h.grad // ones
   */
  retain_grad(): void {
    if (!this.requires_grad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.is_leaf) return;
    const node = this.grad_fn!;
    (node.retained ??= new Map()).set(this._outputNr, new WeakRef(this));
  }
  /** `x.retains_grad`: whether `retain_grad()` was called on this non-leaf. @example h.retain_grad(); h.retains_grad // true */
  get retains_grad(): boolean {
    return !this.is_leaf && (this.grad_fn!.retained?.has(this._outputNr) ?? false);
  }
  /**
   * Registers `hook(grad)`, which may return a replacement gradient; returns a handle with remove().
   * @example const h = w.register_hook((g) => g.clamp(-1, 1)); ...; h.remove()
   */
  register_hook(hook: (grad: Tensor) => Tensor | void): { remove(): void } {
    if (!this.requires_grad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
    const node: Node = this.grad_fn ?? this._accumulator();
    const nr = this.grad_fn ? this._outputNr : 0;
    const map = (node.preHooks ??= new Map());
    const list = map.get(nr) ?? [];
    list.push(hook);
    map.set(nr, list);
    return { remove: () => list.splice(list.indexOf(hook) >>> 0, 1) };
  }
  /**
   * Computes gradients of this tensor w.r.t. the graph leaves, accumulating into `.grad`.
   * @example loss.backward(); loss.backward(null, {retain_graph: true})
   */
  backward(gradient?: Tensor | null, opts: { retain_graph?: boolean; create_graph?: boolean; inputs?: Tensor[] } = {}): void {
    if (!this.requires_grad) {
      throw new RuntimeError('element 0 of tensors does not require grad and does not have a grad_fn');
    }
    let seed = gradient ?? null;
    if (!seed) {
      if (this.numel() !== 1) throw new RuntimeError('grad can be implicitly created only for scalar outputs');
      seed = cp.onesLike(this);
    }
    const create = opts.create_graph ?? false;
    runBackward([this], [seed], {
      retain_graph: opts.retain_graph ?? create,
      create_graph: create,
      ...(opts.inputs ? { accumulate_into: opts.inputs } : {}),
    });
  }
  /** A new tensor sharing storage, cut from the graph. @example const y = x.detach(); y.requires_grad // false */
  detach(): Tensor {
    const t = mv.alias(this);
    t._base = null; // not a view for autograd: in-place ops on it never reach this tensor's graph
    return t;
  }
  /** Cuts this tensor from the graph in place. @example h.detach_(); h.grad_fn // null */
  detach_(): this {
    if (this._base) {
      throw new RuntimeError(
        "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.",
      );
    }
    this.grad_fn = null;
    this._requiresGrad = false;
    return this;
  }
  /**
   * `x.data`: a detached alias (assigning to it is not supported; use copy_ under no_grad).
   * @example torch.no_grad(() => w.data.mul_(0.5))
   */
  get data(): Tensor {
    return this.detach();
  }

  // ---- reading values ----

  /**
   * The value of a one-element tensor as a number (a bool tensor gives 1 or 0, where Python gives
   * True/False).
   * @example torch.tensor([[2.5]]).item() // 2.5
   */
  item(): number {
    if (this.numel() !== 1) {
      throw new ValueError('only one element tensors can be converted to Python scalars');
    }
    return cp.readValues(this)[0]!;
  }
  /**
   * Nested arrays of numbers (booleans for bool tensors), as `x.tolist()`.
   * @example torch.tensor([[1, 2], [3, 4]]).tolist() // [[1, 2], [3, 4]]
   */
  tolist(): unknown {
    return cp.tolist(this);
  }
  /**
   * The values as a new contiguous typed array (Float32Array for float32, ...); int64 as Float64Array.
   * @example torch.tensor([1, 2], {dtype: torch.float32}).numpy() // Float32Array [1, 2]
   */
  numpy(): dt.TypedArray {
    return cp.readValues(this);
  }
  /**
   * `String(x)`: PyTorch's repr, `tensor([...], dtype=..., requires_grad=True)`.
   * @example String(torch.ones(2)) // 'tensor([1., 1.])'
   */
  toString(): string {
    return tensorRepr(this);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return tensorRepr(this);
  }
  /** The rich view a notebook shows: the repr and an HTML table (display/html.ts). */
  [Symbol.for('Jupyter.display')](): Record<string, string> {
    return { 'text/plain': tensorRepr(this), 'text/html': tensorHtml(this) };
  }

  // ---- conversion and copies ----

  /**
   * `x.to(dtype)`, `x.to(device)`, `x.to(device, dtype)`, `x.to(other)`, `x.to({dtype, device})`.
   * @example x.to('cuda'); x.to(torch.float64); x.to({device: 'cpu', dtype: torch.float32})
   */
  to(a: DType | DeviceLike | Tensor | ToOptions, b?: DType | ToOptions): Tensor {
    return cp.to(this, a, b);
  }
  /** `x.float()`: a float32 copy (x itself when already float32). @example torch.tensor([1, 2]).float() // tensor([1., 2.]) */
  float(): Tensor { return cp.to(this, dt.float32); }
  /**
   * `x.double()`: a float64 copy (x itself when already float64).
   * @example torch.tensor([1, 2]).double() // tensor([1., 2.], dtype=torch.float64)
   */
  double(): Tensor { return cp.to(this, dt.float64); }
  /**
   * `x.long()`: an int64 copy (x itself when already int64); floats are truncated.
   * @example torch.tensor([1.7, -1.7]).long() // tensor([ 1, -1])
   */
  long(): Tensor { return cp.to(this, dt.int64); }
  /**
   * `x.int()`: an int32 copy (x itself when already int32); floats are truncated.
   * @example torch.tensor([1.5, 2]).int() // tensor([1, 2], dtype=torch.int32)
   */
  int(): Tensor { return cp.to(this, dt.int32); }
  /** `x.bool()`: a bool copy (nonzero is true). @example torch.tensor([0, 2]).bool() // tensor([False,  True]) */
  bool(): Tensor { return cp.to(this, dt.bool); }
  /**
   * `x.byte()`: a uint8 copy (x itself when already uint8).
   * @example torch.tensor([1, 255]).byte() // tensor([  1, 255], dtype=torch.uint8)
   */
  byte(): Tensor { return cp.to(this, dt.uint8); }
  /**
   * `x.type(dtype)`: `x.to(dtype)`, also for PyTorch's type strings. Differs from PyTorch: `x.type()`
   * without an argument is `x.typeName()`.
   * @example x.type(torch.float64); x.type('torch.LongTensor')
   */
  type(dtype: DType | string): Tensor { return cp.to(this, dt.toDType(dtype)); }
  /** `x.cpu()`: the tensor on the CPU (x itself when already there). @example const y = x.cuda().mul(2).cpu() */
  cpu(): Tensor { return cp.to(this, 'cpu'); }
  /**
   * `x.cuda(device='cuda')`: the tensor on a `'cuda'` (WebGPU) device (x itself when already there).
   * @example const xg = x.cuda(); x.cuda(0)
   */
  cuda(device: number | DeviceLike = 'cuda'): Tensor {
    return cp.to(this, typeof device === 'number' ? `cuda:${device}` : tensorDevice(device));
  }
  /** A copy with its own storage (differentiable). @example const y = x.clone(); y.set(0, 5) // x unchanged */
  clone(): Tensor { return cp.clone(this); }
  /** `x.contiguous()`: x itself when contiguous, else a row-major copy. @example x.t().contiguous().is_contiguous() // true */
  contiguous(): Tensor { return this.is_contiguous() ? this : cp.clone(this); }
  /**
   * Copies `src` (broadcast, any dtype/device) into this tensor.
   * @example torch.no_grad(() => target.weight.copy_(source.weight))
   */
  copy_(src: Tensor | Scalar): this { cp.copy_(this, src); return this; }
  /**
   * `x.fill_(value)`: sets every element to `value` in place.
   * @example torch.empty(2, 2).fill_(7) // tensor([[7., 7.], [7., 7.]])
   */
  fill_(value: Scalar | Tensor): this { cp.copy_(this, value); return this; }
  /** `x.zero_()`: sets every element to 0 in place. @example w.grad!.zero_() */
  zero_(): this { cp.copy_(this, 0); return this; }

  /**
   * `x.new_zeros(size)` etc.: new tensors with x's dtype and device unless given.
   * @example x.new_zeros([2, 3]) // zeros with x's dtype and device
   */
  new_zeros(size: readonly number[], opts: cr.TensorOptions = {}): Tensor { return cr.zeros(size, this._like(opts)); }
  /**
   * `x.new_ones(size, {dtype, device, requires_grad})`: ones with x's dtype and device unless given.
   * @example x.new_ones([2]) // tensor([1., 1.]) for a float32 x
   */
  new_ones(size: readonly number[], opts: cr.TensorOptions = {}): Tensor { return cr.ones(size, this._like(opts)); }
  /**
   * `x.new_empty(size, {dtype, device, requires_grad})`: a new tensor with x's dtype and device. Differs
   * from PyTorch: filled with zeros, not left uninitialised.
   * @example x.new_empty([3, 4])
   */
  new_empty(size: readonly number[], opts: cr.TensorOptions = {}): Tensor { return cr.zeros(size, this._like(opts)); }
  /**
   * `x.new_full(size, fill_value, {dtype, device, requires_grad})`: filled with `fill_value`, with x's
   * dtype and device unless given.
   * @example x.new_full([2], -1) // tensor([-1., -1.]) for a float32 x
   */
  new_full(size: readonly number[], fill_value: number | boolean, opts: cr.TensorOptions = {}): Tensor {
    return cr.full(size, fill_value, this._like(opts));
  }
  /**
   * `x.new_tensor(data, {dtype, device, requires_grad})`: `torch.tensor(data)` with x's dtype and device
   * unless given.
   * @example x.new_tensor([1, 2]) // float32 when x is float32
   */
  new_tensor(data: Parameters<typeof cr.tensor>[0], opts: cr.TensorOptions = {}): Tensor { return cr.tensor(data, this._like(opts)); }
  /** @internal */
  _like(opts: cr.TensorOptions): cr.TensorOptions {
    return { dtype: opts.dtype ?? this.dtype, device: opts.device ?? this.device, requires_grad: opts.requires_grad ?? false };
  }
}

// the class's own methods first: the op table may replace some, and api_extra only fills gaps
installViews();
installIndexing();
installPointwiseArgs();
installReductions();
installLinalg();
installJoining();
installRandomFills();
pw.installPointwise();
installExtras();

/** @internal shape helper re-exported for modules typed against Tensor */
export type { Shape };
