/**
 * Tensor: shape/stride/offset metadata over a backend storage, autograd state, and the method
 * surface. Methods delegate to the op modules; the pointwise methods are installed from the op
 * table (ops/pointwise.ts) and typed by `PointwiseMethods`.
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
import * as red from './ops/reduction.js';
import * as ix from './ops/indexing.js';
import * as sc from './ops/scatter.js';
import * as la from './ops/linalg.js';
import * as cat from './ops/cat.js';
import * as rnd from './ops/random.js';
import * as cr from './ops/creation.js';
import { installExtras, type TensorExtras } from './ops/api_extra.js';
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
  /** The gradient accumulated by backward() (leaves, and non-leaves after retain_grad()). */
  grad: Tensor | null = null;
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

  // ---- views ----

  /**
   * `x.view(*shape)`: the same storage seen with a new shape (one dim may be -1); fails where the
   * strides cannot express it (use `reshape`).
   * @example torch.arange(6).view(2, 3); x.view(-1, 784)
   */
  view(...shape: (number | readonly number[])[]): Tensor { return mv.view(this, shape); }
  /** `x.view_as(other)`: `x.view(other.shape)`. @example g.view_as(w) */
  view_as(other: Tensor): Tensor { return mv.view(this, [other._shape]); }
  /**
   * `x.reshape(*shape)`: a view when the strides allow it, else a copy; one dim may be -1.
   * @example torch.arange(6).reshape(3, -1).shape // [3, 2]
   */
  reshape(...shape: (number | readonly number[])[]): Tensor { return mv.reshape(this, shape); }
  /** `x.reshape_as(other)`: `x.reshape(other.shape)`. @example y.reshape_as(x) */
  reshape_as(other: Tensor): Tensor { return mv.reshape(this, [other._shape]); }
  /**
   * `x.flatten(start_dim=0, end_dim=-1)`: dims start_dim..end_dim merged into one.
   * @example torch.zeros(8, 1, 28, 28).flatten(1).shape // [8, 784]
   */
  flatten(start_dim = 0, end_dim = -1): Tensor { return mv.flatten(this, start_dim, end_dim); }
  /**
   * `x.unflatten(dim, sizes)`: splits dim into `sizes` (one may be -1).
   * @example torch.zeros(8, 784).unflatten(1, [28, 28]).shape // [8, 28, 28]
   */
  unflatten(dim: number, sizes: readonly number[]): Tensor { return mv.unflatten(this, dim, sizes); }
  /**
   * `x.squeeze(dim=None)`: drops the size-1 dims (all, or those of `dim`; other dims are left alone).
   * @example torch.zeros(2, 1, 3).squeeze().shape // [2, 3]
   */
  squeeze(dim?: Dims): Tensor { return mv.squeeze(this, dim); }
  /**
   * `x.unsqueeze(dim)`: inserts a size-1 dim at `dim` (negative counts from the end of the result).
   * @example torch.zeros(3).unsqueeze(0).shape // [1, 3]
   */
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  /** `x.permute(*dims)`: the dims reordered (a view). @example torch.zeros(2, 3, 4).permute(2, 0, 1).shape // [4, 2, 3] */
  permute(...dims: (number | readonly number[])[]): Tensor { return mv.permute(this, dims); }
  /** `x.transpose(dim0, dim1)`: the two dims swapped (a view). @example torch.zeros(2, 3).transpose(0, 1).shape // [3, 2] */
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** `x.swapaxes(axis0, axis1)`: an alias of `transpose`. @example torch.zeros(2, 3).swapaxes(0, 1).shape // [3, 2] */
  swapaxes(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /**
   * `x.movedim(source, destination)`: dims moved to new positions, the others keeping their order.
   * @example torch.zeros(2, 3, 4).movedim(0, -1).shape // [3, 4, 2]
   */
  movedim(source: Dims, destination: Dims): Tensor { return mv.movedim(this, source, destination); }
  /**
   * `x.t()`: the transpose of a tensor of at most 2 dims (0-d and 1-d come back as they are).
   * @example torch.zeros(2, 3).t().shape // [3, 2]
   */
  t(): Tensor { return mv.t(this); }
  /** `x.T`: all dims reversed. @example torch.zeros(2, 3, 4).T.shape // [4, 3, 2] */
  get T(): Tensor { return mv.permute(this, [this._shape.map((_, i) => this._shape.length - 1 - i)]); }
  /** `x.mT`: the last two dims swapped. @example torch.zeros(5, 2, 3).mT.shape // [5, 3, 2] */
  get mT(): Tensor { return mv.transpose(this, -2, -1); }
  /**
   * `x.expand(*sizes)`: a view with size-1 dims repeated (stride 0), -1 keeping a dim; no copy.
   * @example torch.tensor([[1], [2]]).expand(2, 3) // tensor([[1, 1, 1], [2, 2, 2]])
   */
  expand(...sizes: (number | readonly number[])[]): Tensor { return mv.expand(this, sizes); }
  /** `x.expand_as(other)`: `x.expand(other.shape)`. @example b.expand_as(x) */
  expand_as(other: Tensor): Tensor { return mv.expand(this, [other._shape]); }
  /**
   * `x.narrow(dim, start, length)`: `length` elements of `dim` from `start` (a view).
   * @example torch.arange(5).narrow(0, 1, 3) // tensor([1, 2, 3])
   */
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  /**
   * `x.select(dim, index)`: the slice at `index` along `dim`, which is removed (a view; `x[:, i]` is
   * `select(1, i)`).
   * @example torch.tensor([[1, 2], [3, 4]]).select(1, 0) // tensor([1, 3])
   */
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  /**
   * `x.unfold(dimension, size, step)`: every window of `size` along `dimension`, `step` apart, as a new
   * last dim (a view).
   * @example torch.arange(5).unfold(0, 2, 1) // tensor([[0, 1], [1, 2], [2, 3], [3, 4]])
   */
  unfold(dimension: number, size: number, step: number): Tensor { return mv.unfold(this, dimension, size, step); }
  /**
   * `x.diagonal(offset=0, dim1=0, dim2=1)`: the diagonal of the (dim1, dim2) planes as the last dim (a
   * view).
   * @example torch.eye(3).diagonal() // tensor([1., 1., 1.])
   */
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor { return mv.diagonal(this, offset, dim1, dim2); }
  /**
   * `x.as_strided(size, stride, storage_offset=None)`: a view with the given shape and strides over x's
   * storage.
   * @example torch.arange(4).as_strided([3, 2], [1, 1]) // tensor([[0, 1], [1, 2], [2, 3]])
   */
  as_strided(size: readonly number[], stride: readonly number[], storage_offset?: number): Tensor {
    return mv.as_strided(this, size, stride, storage_offset);
  }

  // ---- indexing ----

  /**
   * `x[...]`: `x.get(0)`, `x.get(':', 1)`, `x.get('1:3', null, '...')`, `x.get(mask)`, `x.get(idx)`.
   * Strings are Python slices (`':'`, `'::2'`, `'-1:'`), `null` is None, `'...'` is Ellipsis.
   * @example x.get(0); x.get(':', 1); x.get('1:3', '::2'); x.get(null, '...', 0); x.get(x.gt(0))
   */
  get(...index: IndexItem[]): Tensor { return ix.getitem(this, index); }
  /**
   * `x[...] = value`: the last argument is the value, e.g. `x.set(':', 1, 0)` for `x[:, 1] = 0`.
   * @example x.set(':', 1, 0); x.set(x.lt(0), 0); x.set(0, torch.tensor([1, 2]))
   */
  set(...args: [...IndexItem[], Tensor | Scalar]): this {
    ix.setitem(this, args.slice(0, -1) as IndexItem[], args[args.length - 1] as Tensor | Scalar);
    return this;
  }
  /**
   * `x.index_put_(indices, values, accumulate=False)`: `x[indices] = values` with a tuple of index
   * tensors (null for a whole dim); `accumulate` adds, also at repeated indices.
   * @example x.index_put_([torch.tensor([0, 0])], torch.tensor(1.), true) // x[0] += 2
   */
  index_put_(indices: readonly (Tensor | null)[], values: Tensor | Scalar, accumulate = false): this {
    ix.index_put_(this, indices, values, accumulate);
    return this;
  }
  /**
   * `x.gather(dim, index)`: out[i][j] = x[index[i][j]][j] for dim 0 (and so on): picks along `dim`.
   * @example torch.tensor([[1, 2], [3, 4]]).gather(1, torch.tensor([[1], [0]])) // tensor([[2], [3]])
   */
  gather(dim: number, index: Tensor): Tensor { return sc.gather(this, dim, index); }
  /**
   * `x.scatter(dim, index, src, *, reduce=None)`: a copy of x with `src` written at `index` along `dim`
   * (the inverse of gather); `reduce` 'add' or 'multiply' combines.
   * @example torch.zeros(2, 3).scatter(1, torch.tensor([[2], [0]]), 1) // one 1 per row
   */
  scatter(dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): Tensor {
    return sc.scatter(this, dim, index, src, opts?.reduce);
  }
  /**
   * `x.scatter_(dim, index, src, *, reduce=None)`: `scatter` in place.
   * @example torch.zeros(3).scatter_(0, torch.tensor([1]), 5) // tensor([0., 5., 0.])
   */
  scatter_(dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): this {
    sc.scatter_(this, dim, index, src, opts?.reduce);
    return this;
  }
  /**
   * `x.scatter_add(dim, index, src)`: a copy of x with `src` added at `index` along `dim` (repeated
   * indices add up).
   * @example torch.zeros(3).scatter_add(0, torch.tensor([0, 0, 2]), torch.ones(3)) // tensor([2., 0., 1.])
   */
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor { return sc.scatter_add(this, dim, index, src); }
  /**
   * `x.scatter_add_(dim, index, src)`: `scatter_add` in place.
   * @example counts.scatter_add_(0, labels, torch.ones(labels.shape[0]))
   */
  scatter_add_(dim: number, index: Tensor, src: Tensor): this { sc.scatter_add_(this, dim, index, src); return this; }
  /**
   * `x.index_select(dim, index)`: the entries of `dim` at the int64 `index` (a copy).
   * @example torch.tensor([[1, 2], [3, 4]]).index_select(0, torch.tensor([1, 1])) // tensor([[3, 4], [3, 4]])
   */
  index_select(dim: number, index: Tensor): Tensor { return sc.index_select(this, dim, index); }
  /**
   * `x.index_add_(dim, index, source, *, alpha=1)`: adds `alpha * source` to the entries of `dim` at
   * `index`, in place (repeated indices add up).
   * @example torch.zeros(3).index_add_(0, torch.tensor([0, 0]), torch.ones(2)) // tensor([2., 0., 0.])
   */
  index_add_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this {
    sc.index_add_(this, dim, index, source, opts?.alpha ?? 1);
    return this;
  }
  /**
   * `x.masked_fill(mask, value)`: `value` where the bool `mask` (broadcast) is true; x's dtype is kept.
   * @example scores.masked_fill(mask.logical_not(), -Infinity)
   */
  masked_fill(mask: Tensor, value: Tensor | Scalar): Tensor { return pw.masked_fill(this, mask, value); }
  /** `x.masked_fill_(mask, value)`: `masked_fill` in place. @example x.masked_fill_(x.lt(0), 0) */
  masked_fill_(mask: Tensor, value: Tensor | Scalar): this { return cp.inplace(this, pw.masked_fill(this, mask, value, this)); }
  /**
   * `x.masked_select(mask)`: the elements where `mask` (broadcast) is true, as a 1-d tensor.
   * @example torch.tensor([1, -2, 3]).masked_select(torch.tensor([true, false, true])) // tensor([1, 3])
   */
  masked_select(mask: Tensor): Tensor { return sc.masked_select(this, mask); }
  /**
   * `x.nonzero()`: the indices of the nonzero elements, one row each (int64, [n, x.dim()]).
   * @example torch.tensor([0, 3, 0, 4]).nonzero() // tensor([[1], [3]])
   */
  nonzero(): Tensor { return sc.nonzero(this); }
  /**
   * `x.take(index)`: the elements at `index` of x read as 1-d.
   * @example torch.tensor([[1, 2], [3, 4]]).take(torch.tensor([0, 3])) // tensor([1, 4])
   */
  take(index: Tensor): Tensor { return sc.take(this, index); }

  // ---- pointwise with extra arguments (the plain ones come from the op table) ----

  /**
   * `x.add(other, *, alpha=1)`: x + alpha * other, broadcast, with PyTorch's type promotion.
   * @example torch.tensor([1, 2]).add(1) // tensor([2, 3]); a.add(b, {alpha: -0.1})
   */
  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return pw.add(this, other, opts?.alpha); }
  /** `x.add_(other, *, alpha=1)`: `add` in place (the result must keep x's dtype). @example w.add_(w.grad!, {alpha: -0.1}) */
  add_(other: TensorOrScalar, opts?: { alpha?: number }): this { return cp.inplace(this, pw.add(this, other, opts?.alpha, this)); }
  /**
   * `x.sub(other, *, alpha=1)`: x - alpha * other, broadcast, with PyTorch's type promotion.
   * @example torch.tensor([3, 4]).sub(1) // tensor([2, 3])
   */
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return pw.sub(this, other, opts?.alpha); }
  /**
   * `x.sub_(other, *, alpha=1)`: `sub` in place (the result must keep x's dtype).
   * @example torch.no_grad(() => w.sub_(w.grad!.mul(lr)))
   */
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this { return cp.inplace(this, pw.sub(this, other, opts?.alpha, this)); }
  /**
   * `x.div(y)`, `x.div(y, {rounding_mode: 'floor' | 'trunc'})`.
   * @example torch.tensor([1, 2]).div(2) // tensor([0.5000, 1.0000]); torch.tensor([-3]).div(2, {rounding_mode: 'floor'}) // tensor([-2])
   */
  div(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor {
    return pw.div(this, other, opts?.rounding_mode ?? null);
  }
  /** `x.div_(other, *, rounding_mode=None)`: `div` in place (true division needs a floating x). @example x.div_(255) */
  div_(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): this {
    return cp.inplace(this, pw.div(this, other, opts?.rounding_mode ?? null, this));
  }
  /**
   * `x.clamp(min=None, max=None)`: each element limited to [min, max] (numbers or tensors; at least
   * one); NaN stays NaN.
   * @example torch.tensor([-2, 0, 2]).clamp(-1, 1) // tensor([-1,  0,  1]); x.clamp(0) // relu
   */
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return pw.clamp(this, min ?? null, max ?? null); }
  /** `x.clamp_(min=None, max=None)`: `clamp` in place. @example p.grad!.clamp_(-1, 1) */
  clamp_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this {
    return cp.inplace(this, pw.clamp(this, min ?? null, max ?? null, this));
  }
  /** `x.clip(min=None, max=None)`: an alias of `clamp`. @example torch.tensor([-2, 2]).clip(-1, 1) // tensor([-1,  1]) */
  clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return this.clamp(min, max); }
  /** `x.clamp_min(min)`: `x.clamp(min)`. @example torch.tensor([-1, 2]).clamp_min(0) // tensor([0, 2]) */
  clamp_min(min: TensorOrScalar): Tensor { return pw.clamp(this, min, null); }
  /** `x.clamp_max(max)`: `x.clamp(null, max)`. @example torch.tensor([-1, 2]).clamp_max(0) // tensor([-1,  0]) */
  clamp_max(max: TensorOrScalar): Tensor { return pw.clamp(this, null, max); }
  /**
   * `x.lerp(end, weight)`: x + weight * (end - x), weight a number or tensor.
   * @example torch.zeros(2).lerp(torch.ones(2), 0.25) // tensor([0.2500, 0.2500])
   */
  lerp(end: Tensor, weight: TensorOrScalar): Tensor { return pw.lerp(this, end, weight); }
  /**
   * `x.lerp_(end, weight)`: `lerp` in place (e.g. an exponential moving average).
   * @example torch.no_grad(() => ema.lerp_(w, 0.01))
   */
  lerp_(end: Tensor, weight: TensorOrScalar): this { return cp.inplace(this, pw.lerp(this, end, weight, this)); }
  /** `x.addcmul(tensor1, tensor2, *, value=1)`: x + value * tensor1 * tensor2. @example v.addcmul(g, g, {value: 1 - beta2}) */
  addcmul(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor { return pw.addcmul(this, t1, t2, opts?.value ?? 1); }
  /** `x.addcmul_(tensor1, tensor2, *, value=1)`: `addcmul` in place. @example v.mul_(beta2).addcmul_(g, g, {value: 1 - beta2}) */
  addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this {
    return cp.inplace(this, pw.addcmul(this, t1, t2, opts?.value ?? 1, this));
  }
  /**
   * `x.addcdiv(tensor1, tensor2, *, value=1)`: x + value * tensor1 / tensor2.
   * @example p.addcdiv(m, v.sqrt().add(eps), {value: -lr})
   */
  addcdiv(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor { return pw.addcdiv(this, t1, t2, opts?.value ?? 1); }
  /** `x.addcdiv_(tensor1, tensor2, *, value=1)`: `addcdiv` in place. @example p.addcdiv_(m, v.sqrt().add(eps), {value: -lr}) */
  addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this {
    return cp.inplace(this, pw.addcdiv(this, t1, t2, opts?.value ?? 1, this));
  }
  /**
   * `x.where(condition, other)`: `torch.where(condition, x, other)`: x where condition is true, else
   * other.
   * @example x.where(x.gt(0), 0) // relu
   */
  where(condition: Tensor, other: TensorOrScalar): Tensor { return pw.where(condition, this, other); }
  /**
   * `torch.equal`: same shape and the same values (NaN is never equal).
   * @example torch.tensor([1, 2]).equal(torch.tensor([1, 2])) // true
   */
  equal(other: Tensor): boolean {
    if (this._shape.length !== other._shape.length || this._shape.some((n, i) => n !== other._shape[i])) return false;
    return this.eq(other).all().item() === 1;
  }
  /**
   * `torch.isclose`: |a - b| <= atol + rtol * |b| elementwise; infinities equal only to themselves.
   * @example torch.tensor([1, 2]).isclose(torch.tensor([1, 2.0001]), {rtol: 0, atol: 1e-3}) // tensor([True, True])
   */
  isclose(other: Tensor | Scalar, opts: { rtol?: number; atol?: number; equal_nan?: boolean } = {}): Tensor {
    const rtol = opts.rtol ?? 1e-5;
    const atol = opts.atol ?? 1e-8;
    const same = this.eq(other);
    const o = other instanceof Tensor ? other : this.new_full([], +other);
    const near = this.sub(o).abs().le(o.abs().mul(rtol).add(atol)).logical_and(this.isfinite()).logical_and(o.isfinite());
    const r = same.logical_or(near);
    return opts.equal_nan ? r.logical_or(this.isnan().logical_and(o.isnan())) : r;
  }
  /** `torch.allclose`: isclose everywhere. @example expect(y.allclose(expected, {atol: 1e-6})).toBe(true) */
  allclose(other: Tensor | Scalar, opts: { rtol?: number; atol?: number; equal_nan?: boolean } = {}): boolean {
    return this.isclose(other, opts).all().item() === 1;
  }
  /** `+x`: returns x itself, as PyTorch does. @example torch.tensor([-1, 2]).positive() // tensor([-1,  2]) */
  positive(): Tensor {
    if (this.dtype === dt.bool) throw new RuntimeError('The `+` operator, on a bool tensor is not supported.');
    return this;
  }

  // ---- reductions ----

  /**
   * `x.sum(dim=None, keepdim=False, *, dtype=None)`: the sum of all elements, or over `dim` (a number or
   * list); integer and bool sums are int64.
   * @example torch.tensor([[1, 2], [3, 4]]).sum(1) // tensor([3, 7]); x.sum(1, {keepdim: true})
   */
  sum(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor { return red.sum(this, dim, keepdim); }
  /**
   * `x.mean(dim=None, keepdim=False, *, dtype=None)`: the mean of all elements, or over `dim`; floating
   * point input only (pass `{dtype}` for integers).
   * @example torch.tensor([[1, 2], [3, 4]], {dtype: torch.float32}).mean(0) // tensor([2., 3.])
   */
  mean(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor { return red.mean(this, dim, keepdim); }
  /**
   * `x.prod(dim=None, keepdim=False, *, dtype=None)`: the product of all elements, or along one `dim`.
   * @example torch.tensor([1, 2, 3, 4]).prod() // tensor(24)
   */
  prod(dim?: number | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor { return red.prod(this, dim, keepdim); }
  /**
   * `x.max()` the maximum; `x.max(dim)` values and indices; `x.max(other)` the elementwise maximum.
   * @example x.max() // tensor(9.); const [values, indices] = x.max(1); x.max(y) // elementwise
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }): Tensor | ValuesIndices {
    return red.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  min(other: Tensor): Tensor;
  /**
   * `x.min()`: the minimum; `x.min(dim, keepdim=False)`: `(values, indices)` along dim; `x.min(other)`:
   * the elementwise minimum.
   * @example torch.tensor([[3, 1], [0, 2]]).min(1).values // tensor([1, 0])
   */
  min(dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }): Tensor | ValuesIndices {
    return red.min(this, dim, keepdim);
  }
  /**
   * `x.argmax(dim=None, keepdim=False)`: the int64 index of the maximum (of x read as 1-d when dim is
   * None; the first one on ties).
   * @example logits.argmax(1) // the predicted classes
   */
  argmax(dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.argmax(this, dim, keepdim); }
  /**
   * `x.argmin(dim=None, keepdim=False)`: the int64 index of the minimum (the first one on ties).
   * @example torch.tensor([3, 1, 2]).argmin() // tensor(1)
   */
  argmin(dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.argmin(this, dim, keepdim); }
  /**
   * `x.amax(dim=(), keepdim=False)`: the maximum over `dim` (all dims when omitted), without indices;
   * the gradient is shared among ties.
   * @example torch.tensor([[1, 5], [3, 2]]).amax(0) // tensor([3, 5])
   */
  amax(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.amax(this, dim, keepdim); }
  /**
   * `x.amin(dim=(), keepdim=False)`: the minimum over `dim` (all dims when omitted), without indices.
   * @example torch.tensor([[1, 5], [3, 2]]).amin(1) // tensor([1, 2])
   */
  amin(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.amin(this, dim, keepdim); }
  /**
   * Variance; `correction` defaults to 1 (Bessel), as in PyTorch.
   * @example torch.tensor([1, 2, 3, 4], {dtype: torch.float32}).var() // tensor(1.6667); x.var(0, {correction: 0})
   */
  var(dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor {
    return red.var_(this, dim, opts);
  }
  /**
   * `x.std(dim=None, *, correction=1, keepdim=False)`: the standard deviation (the square root of
   * `var`); `unbiased: false` is `correction: 0`.
   * @example torch.tensor([1, 2, 3, 4], {dtype: torch.float32}).std() // tensor(1.2910)
   */
  std(dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor {
    return red.std(this, dim, opts);
  }
  /**
   * `x.logsumexp(dim, keepdim=False)`: log(sum(exp(x))) over `dim`, computed without overflow.
   * @example torch.tensor([0, 0], {dtype: torch.float32}).logsumexp(0) // tensor(0.6931)
   */
  logsumexp(dim: Dims, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.logsumexp(this, dim, keepdim); }
  /**
   * p-norm over all elements or `dim` (p = 2 by default; 'fro', Infinity, -Infinity too).
   * @example torch.tensor([3, 4], {dtype: torch.float32}).norm() // tensor(5.); x.norm(1, 1)
   */
  norm(p?: number | 'fro' | null, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor {
    return red.norm(this, p ?? 2, dim, keepdim);
  }
  /**
   * `x.all(dim=None, keepdim=False)`: whether every element (of all, or along `dim`) is nonzero, as a
   * bool tensor.
   * @example torch.tensor([1, 0]).all() // tensor(False)
   */
  all(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.all(this, dim, keepdim); }
  /**
   * `x.any(dim=None, keepdim=False)`: whether some element (of all, or along `dim`) is nonzero, as a
   * bool tensor.
   * @example torch.tensor([1, 0]).any() // tensor(True)
   */
  any(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.any(this, dim, keepdim); }
  /**
   * `x.cumsum(dim, *, dtype=None)`: running sums along `dim` (int64 for integer input).
   * @example torch.tensor([1, 2, 3]).cumsum(0) // tensor([1, 3, 6])
   */
  cumsum(dim: number, opts?: { dtype?: DType }): Tensor { return red.cumsum(this, dim, opts?.dtype); }
  /**
   * `x.cumprod(dim, *, dtype=None)`: running products along `dim`.
   * @example torch.tensor([1, 2, 3]).cumprod(0) // tensor([1, 2, 6])
   */
  cumprod(dim: number, opts?: { dtype?: DType }): Tensor { return red.cumprod(this, dim, opts?.dtype); }
  /**
   * Sorted values and their indices along `dim` (last by default).
   * @example const [values, indices] = torch.tensor([3, 1, 2]).sort(); x.sort(0, true); x.sort({descending: true})
   */
  sort(dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices {
    return red.sort(this, dim, descending);
  }
  /**
   * `x.argsort(dim=-1, descending=False, *, stable=False)`: the indices that sort x along `dim`.
   * @example torch.tensor([3, 1, 2]).argsort() // tensor([1, 2, 0])
   */
  argsort(dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): Tensor {
    return red.sort(this, dim, descending).indices;
  }
  /**
   * `x.topk(k, dim=-1, largest=True, sorted=True)`: `(values, indices)` of the k largest (or smallest)
   * along `dim`.
   * @example const [values, indices] = probs.topk(5); torch.tensor([1, 5, 3]).topk(2).values // tensor([5, 3])
   */
  topk(k: number, dim?: number | { dim?: number; largest?: boolean; sorted?: boolean }, largest?: boolean, sorted?: boolean): ValuesIndices {
    return red.topk(this, k, dim, largest, sorted);
  }
  /**
   * `x.softmax(dim, *, dtype=None)`: exp(x) / sum(exp(x)) along `dim`, computed stably.
   * @example logits.softmax(1) // rows sum to 1
   */
  softmax(dim: number, opts?: { dtype?: DType }): Tensor { return red.softmax(this, dim, opts?.dtype); }
  /**
   * `x.log_softmax(dim, *, dtype=None)`: log(softmax(x)) along `dim`, computed stably.
   * @example F.nll_loss(logits.log_softmax(1), y)
   */
  log_softmax(dim: number, opts?: { dtype?: DType }): Tensor { return red.log_softmax(this, dim, opts?.dtype); }

  // ---- linear algebra ----

  /**
   * `x.matmul(other)`: the matrix product with NumPy's rules: dot for 1-d, batched and broadcast for 3-d
   * and more (Python's `x @ other`).
   * @example torch.ones(8, 784).matmul(torch.ones(784, 10)).shape // [8, 10]
   */
  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  /**
   * `x.mm(mat2)`: the product of two matrices, no broadcasting.
   * @example torch.ones(2, 3).mm(torch.ones(3, 4)).shape // [2, 4]
   */
  mm(mat2: Tensor): Tensor { return la.mm(this, mat2); }
  /**
   * `x.bmm(mat2)`: batched matrix products of [b, n, m] and [b, m, p].
   * @example torch.ones(5, 2, 3).bmm(torch.ones(5, 3, 4)).shape // [5, 2, 4]
   */
  bmm(mat2: Tensor): Tensor { return la.bmm(this, mat2); }
  /** `x.mv(vec)`: the product of a matrix and a vector. @example torch.ones(2, 3).mv(torch.ones(3)) // tensor([3., 3.]) */
  mv(vec: Tensor): Tensor { return la.mv(this, vec); }
  /**
   * `x.dot(other)`: the inner product of two 1-d tensors of the same dtype.
   * @example torch.tensor([1, 2]).dot(torch.tensor([3, 4])) // tensor(11)
   */
  dot(other: Tensor): Tensor { return la.dot(this, other); }
  /**
   * `x.outer(vec2)`: the outer product of two 1-d tensors.
   * @example torch.tensor([1, 2]).outer(torch.tensor([1, 10])) // tensor([[ 1, 10], [ 2, 20]])
   */
  outer(vec2: Tensor): Tensor { return la.outer(this, vec2); }
  /**
   * `x.addmm(mat1, mat2, *, beta=1, alpha=1)`: beta * x + alpha * (mat1 @ mat2), x broadcast (what
   * nn.Linear computes).
   * @example b.addmm(x, w.t()) // x @ wᵀ + b
   */
  addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return la.addmm(this, mat1, mat2, opts?.beta ?? 1, opts?.alpha ?? 1);
  }

  // ---- joining, splitting, rearranging ----

  /**
   * `x.split(split_size_or_sections, dim=0)`: views of `split_size` along `dim` (the last may be
   * smaller), or of the listed sizes.
   * @example torch.arange(5).split(2) // [tensor([0, 1]), tensor([2, 3]), tensor([4])]
   */
  split(split_size_or_sections: number | readonly number[], dim = 0): Tensor[] { return cat.split(this, split_size_or_sections, dim); }
  /**
   * `x.chunk(chunks, dim=0)`: at most `chunks` views of ceil(size / chunks) along `dim`.
   * @example const [q, k, v] = qkv.chunk(3, -1)
   */
  chunk(chunks: number, dim = 0): Tensor[] { return cat.chunk(this, chunks, dim); }
  /**
   * `x.unbind(dim=0)`: the slices along `dim`, the dim removed.
   * @example const [a, b] = torch.tensor([[1, 2], [3, 4]]).unbind() // tensor([1, 2]), tensor([3, 4])
   */
  unbind(dim = 0): Tensor[] { return cat.unbind(this, dim); }
  /**
   * `x.flip(dims)`: the elements reversed along `dims` (a copy, as in PyTorch).
   * @example torch.tensor([1, 2, 3]).flip(0) // tensor([3, 2, 1])
   */
  flip(...dims: (number | readonly number[])[]): Tensor { return cat.flip(this, dims); }
  /**
   * `x.roll(shifts, dims=None)`: the elements shifted circularly along `dims` (of x flattened when dims
   * is None).
   * @example torch.tensor([1, 2, 3]).roll(1) // tensor([3, 1, 2])
   */
  roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor { return cat.roll(this, shifts, dims ?? null); }
  /**
   * `x.repeat(*sizes)`: x tiled `sizes` times along each dim (a copy; more sizes than dims add leading
   * dims).
   * @example torch.tensor([1, 2]).repeat(2) // tensor([1, 2, 1, 2])
   */
  repeat(...sizes: (number | readonly number[])[]): Tensor { return cat.repeat(this, sizes); }
  /**
   * `x.tile(dims)`: `repeat`, with fewer `dims` than x has padded with leading 1s.
   * @example torch.tensor([1, 2]).tile([2]) // tensor([1, 2, 1, 2])
   */
  tile(...dims: (number | readonly number[])[]): Tensor { return cat.tile(this, dims); }
  /**
   * `x.repeat_interleave(repeats, dim=None)`: each element repeated `repeats` times (a number or a
   * tensor per element), of x flattened when dim is None.
   * @example torch.tensor([1, 2]).repeat_interleave(2) // tensor([1, 1, 2, 2])
   */
  repeat_interleave(repeats: number | Tensor, dim?: number | null): Tensor { return cat.repeat_interleave(this, repeats, dim ?? null); }
  /**
   * `x.tril(diagonal=0)`: the lower triangle of the last two dims, the rest zeroed.
   * @example torch.ones(3, 3).tril() // ones on and below the diagonal
   */
  tril(diagonal = 0): Tensor { return cat.tril(this, diagonal); }
  /**
   * `x.triu(diagonal=0)`: the upper triangle of the last two dims, the rest zeroed.
   * @example torch.ones(3, 3).triu(1) // ones strictly above the diagonal
   */
  triu(diagonal = 0): Tensor { return cat.triu(this, diagonal); }
  /** `x.tril_(diagonal=0)`: `tril` in place. @example mask.tril_() */
  tril_(diagonal = 0): this { return cp.inplace(this, cat.tril(this, diagonal)); }
  /** `x.triu_(diagonal=0)`: `triu` in place. @example mask.triu_(1) */
  triu_(diagonal = 0): this { return cp.inplace(this, cat.triu(this, diagonal)); }

  // ---- random fills ----

  /**
   * `x.uniform_(from=0, to=1, *, generator=None)`: fills x with U(from, to) draws, PyTorch's stream for
   * a given seed.
   * @example torch.empty(3, 5).uniform_(-0.1, 0.1)
   */
  uniform_(from = 0, to = 1, opts?: { generator?: rnd.Generator }): this { rnd.uniform_(this, from, to, opts?.generator); return this; }
  /**
   * `x.normal_(mean=0, std=1, *, generator=None)`: fills x with N(mean, std²) draws, PyTorch's stream
   * for a given seed.
   * @example torch.empty(784, 10).normal_(0, 0.01)
   */
  normal_(mean = 0, std = 1, opts?: { generator?: rnd.Generator }): this { rnd.normal_(this, mean, std, opts?.generator); return this; }
  /**
   * `x.bernoulli_(p=0.5, *, generator=None)`: fills x with 0/1 draws that are 1 with probability p (a
   * number or a tensor).
   * @example torch.empty(4).bernoulli_(0.8) // a dropout keep-mask
   */
  bernoulli_(p: number | Tensor = 0.5, opts?: { generator?: rnd.Generator }): this { rnd.bernoulli_(this, p, opts?.generator); return this; }
  /**
   * `x.random_(from=0, to=None, *, generator=None)`: fills x with integers drawn uniformly from [from,
   * to) (`x.random_(to)` is [0, to); to None: up to the dtype's limit).
   * @example torch.empty(5, {dtype: torch.int64}).random_(10)
   */
  random_(from?: number, to?: number | null, opts?: { generator?: rnd.Generator }): this { rnd.random_(this, from, to, opts?.generator); return this; }
  /** `x.exponential_(lambd=1, *, generator=None)`: fills x with Exp(lambd) draws. @example torch.empty(3).exponential_(2) */
  exponential_(lambd = 1, opts?: { generator?: rnd.Generator }): this { rnd.exponential_(this, lambd, opts?.generator); return this; }
}

pw.installPointwise();
installExtras();

/** @internal shape helper re-exported for modules typed against Tensor */
export type { Shape };
