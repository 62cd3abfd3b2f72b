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

  /** `torch.Size`, an array of dims. */
  get shape(): Size {
    return (this._sizeCache ??= Size.make(this._shape));
  }
  /** `x.size()` is the shape; `x.size(d)` one dim (negative allowed). */
  size(): Size;
  size(dim: number): number;
  size(dim?: number): Size | number {
    return dim === undefined ? this.shape : this._shape[normDim(dim, this._shape.length)] ?? 1;
  }
  dim(): number {
    return this._shape.length;
  }
  get ndim(): number {
    return this._shape.length;
  }
  numel(): number {
    return numelOf(this._shape);
  }
  nelement(): number {
    return this.numel();
  }
  element_size(): number {
    return this.dtype.itemsize;
  }
  /** `x.stride()` as an array, `x.stride(d)` one dim. */
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? this._strides.slice() : this._strides[normDim(dim, this._shape.length)]!;
  }
  storage_offset(): number {
    return this._offset;
  }
  is_contiguous(): boolean {
    return mv.isContiguous(this._shape, this._strides);
  }
  get is_cuda(): boolean {
    return this.device.type === 'cuda';
  }
  is_floating_point(): boolean {
    return this.dtype.is_floating_point;
  }
  /** `'torch.FloatTensor'` as PyTorch's `x.type()`. */
  typeName(): string {
    const names: Record<string, string> = {
      float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', uint8: 'Byte', bool: 'Bool',
    };
    return `torch.${this.is_cuda ? 'cuda.' : ''}${names[this.dtype.name]}Tensor`;
  }

  // ---- autograd ----

  get requires_grad(): boolean {
    return this._requiresGrad || this.grad_fn !== null;
  }
  set requires_grad(v: boolean) {
    this.requires_grad_(v);
  }
  get is_leaf(): boolean {
    return this.grad_fn === null;
  }
  /** Sets requires_grad in place (leaves only, floating point only), as in PyTorch. */
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
  /** Keeps `.grad` on a non-leaf after backward. */
  retain_grad(): void {
    if (!this.requires_grad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (this.is_leaf) return;
    const node = this.grad_fn!;
    (node.retained ??= new Map()).set(this._outputNr, new WeakRef(this));
  }
  get retains_grad(): boolean {
    return !this.is_leaf && (this.grad_fn!.retained?.has(this._outputNr) ?? false);
  }
  /** Registers `hook(grad)`, which may return a replacement gradient; returns a handle with remove(). */
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
  /** A new tensor sharing storage, cut from the graph. */
  detach(): Tensor {
    const t = mv.alias(this);
    t._base = null; // not a view for autograd: in-place ops on it never reach this tensor's graph
    return t;
  }
  /** Cuts this tensor from the graph in place. */
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
  /** `x.data`: a detached alias (assigning to it is not supported; use copy_ under no_grad). */
  get data(): Tensor {
    return this.detach();
  }

  // ---- reading values ----

  /** The value of a one-element tensor as a number (a bool tensor gives 1 or 0, where Python gives True/False). */
  item(): number {
    if (this.numel() !== 1) {
      throw new ValueError('only one element tensors can be converted to Python scalars');
    }
    return cp.readValues(this)[0]!;
  }
  /** Nested arrays of numbers (booleans for bool tensors), as `x.tolist()`. */
  tolist(): unknown {
    return cp.tolist(this);
  }
  /** The values as a new contiguous typed array (Float32Array for float32, ...); int64 as Float64Array. */
  numpy(): dt.TypedArray {
    return cp.readValues(this);
  }
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

  /** `x.to(dtype)`, `x.to(device)`, `x.to(device, dtype)`, `x.to(other)`, `x.to({dtype, device})`. */
  to(a: DType | DeviceLike | Tensor | ToOptions, b?: DType | ToOptions): Tensor {
    return cp.to(this, a, b);
  }
  float(): Tensor { return cp.to(this, dt.float32); }
  double(): Tensor { return cp.to(this, dt.float64); }
  long(): Tensor { return cp.to(this, dt.int64); }
  int(): Tensor { return cp.to(this, dt.int32); }
  bool(): Tensor { return cp.to(this, dt.bool); }
  byte(): Tensor { return cp.to(this, dt.uint8); }
  type(dtype: DType | string): Tensor { return cp.to(this, dt.toDType(dtype)); }
  cpu(): Tensor { return cp.to(this, 'cpu'); }
  cuda(device: number | DeviceLike = 'cuda'): Tensor {
    return cp.to(this, typeof device === 'number' ? `cuda:${device}` : tensorDevice(device));
  }
  /** A copy with its own storage (differentiable). */
  clone(): Tensor { return cp.clone(this); }
  contiguous(): Tensor { return this.is_contiguous() ? this : cp.clone(this); }
  /** Copies `src` (broadcast, any dtype/device) into this tensor. */
  copy_(src: Tensor | Scalar): this { cp.copy_(this, src); return this; }
  fill_(value: Scalar | Tensor): this { cp.copy_(this, value); return this; }
  zero_(): this { cp.copy_(this, 0); return this; }

  /** `x.new_zeros(size)` etc.: new tensors with x's dtype and device unless given. */
  new_zeros(size: readonly number[], opts: cr.TensorOptions = {}): Tensor { return cr.zeros(size, this._like(opts)); }
  new_ones(size: readonly number[], opts: cr.TensorOptions = {}): Tensor { return cr.ones(size, this._like(opts)); }
  new_empty(size: readonly number[], opts: cr.TensorOptions = {}): Tensor { return cr.zeros(size, this._like(opts)); }
  new_full(size: readonly number[], fill_value: number | boolean, opts: cr.TensorOptions = {}): Tensor {
    return cr.full(size, fill_value, this._like(opts));
  }
  new_tensor(data: Parameters<typeof cr.tensor>[0], opts: cr.TensorOptions = {}): Tensor { return cr.tensor(data, this._like(opts)); }
  /** @internal */
  _like(opts: cr.TensorOptions): cr.TensorOptions {
    return { dtype: opts.dtype ?? this.dtype, device: opts.device ?? this.device, requires_grad: opts.requires_grad ?? false };
  }

  // ---- views ----

  view(...shape: (number | readonly number[])[]): Tensor { return mv.view(this, shape); }
  view_as(other: Tensor): Tensor { return mv.view(this, [other._shape]); }
  reshape(...shape: (number | readonly number[])[]): Tensor { return mv.reshape(this, shape); }
  reshape_as(other: Tensor): Tensor { return mv.reshape(this, [other._shape]); }
  flatten(start_dim = 0, end_dim = -1): Tensor { return mv.flatten(this, start_dim, end_dim); }
  unflatten(dim: number, sizes: readonly number[]): Tensor { return mv.unflatten(this, dim, sizes); }
  squeeze(dim?: Dims): Tensor { return mv.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  permute(...dims: (number | readonly number[])[]): Tensor { return mv.permute(this, dims); }
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  swapaxes(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  movedim(source: Dims, destination: Dims): Tensor { return mv.movedim(this, source, destination); }
  t(): Tensor { return mv.t(this); }
  /** `x.T`: all dims reversed. */
  get T(): Tensor { return mv.permute(this, [this._shape.map((_, i) => this._shape.length - 1 - i)]); }
  /** `x.mT`: the last two dims swapped. */
  get mT(): Tensor { return mv.transpose(this, -2, -1); }
  expand(...sizes: (number | readonly number[])[]): Tensor { return mv.expand(this, sizes); }
  expand_as(other: Tensor): Tensor { return mv.expand(this, [other._shape]); }
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  select(dim: number, index: number): Tensor { return mv.select(this, dim, index); }
  unfold(dimension: number, size: number, step: number): Tensor { return mv.unfold(this, dimension, size, step); }
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor { return mv.diagonal(this, offset, dim1, dim2); }
  as_strided(size: readonly number[], stride: readonly number[], storage_offset?: number): Tensor {
    return mv.as_strided(this, size, stride, storage_offset);
  }

  // ---- indexing ----

  /**
   * `x[...]`: `x.get(0)`, `x.get(':', 1)`, `x.get('1:3', null, '...')`, `x.get(mask)`, `x.get(idx)`.
   * Strings are Python slices (`':'`, `'::2'`, `'-1:'`), `null` is None, `'...'` is Ellipsis.
   */
  get(...index: IndexItem[]): Tensor { return ix.getitem(this, index); }
  /** `x[...] = value`: the last argument is the value, e.g. `x.set(':', 1, 0)` for `x[:, 1] = 0`. */
  set(...args: [...IndexItem[], Tensor | Scalar]): this {
    ix.setitem(this, args.slice(0, -1) as IndexItem[], args[args.length - 1] as Tensor | Scalar);
    return this;
  }
  index_put_(indices: readonly (Tensor | null)[], values: Tensor | Scalar, accumulate = false): this {
    ix.index_put_(this, indices, values, accumulate);
    return this;
  }
  gather(dim: number, index: Tensor): Tensor { return sc.gather(this, dim, index); }
  scatter(dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): Tensor {
    return sc.scatter(this, dim, index, src, opts?.reduce);
  }
  scatter_(dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): this {
    sc.scatter_(this, dim, index, src, opts?.reduce);
    return this;
  }
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor { return sc.scatter_add(this, dim, index, src); }
  scatter_add_(dim: number, index: Tensor, src: Tensor): this { sc.scatter_add_(this, dim, index, src); return this; }
  index_select(dim: number, index: Tensor): Tensor { return sc.index_select(this, dim, index); }
  index_add_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this {
    sc.index_add_(this, dim, index, source, opts?.alpha ?? 1);
    return this;
  }
  masked_fill(mask: Tensor, value: Tensor | Scalar): Tensor { return pw.masked_fill(this, mask, value); }
  masked_fill_(mask: Tensor, value: Tensor | Scalar): this { return cp.inplace(this, pw.masked_fill(this, mask, value, this)); }
  masked_select(mask: Tensor): Tensor { return sc.masked_select(this, mask); }
  nonzero(): Tensor { return sc.nonzero(this); }
  take(index: Tensor): Tensor { return sc.take(this, index); }

  // ---- pointwise with extra arguments (the plain ones come from the op table) ----

  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return pw.add(this, other, opts?.alpha); }
  add_(other: TensorOrScalar, opts?: { alpha?: number }): this { return cp.inplace(this, pw.add(this, other, opts?.alpha, this)); }
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return pw.sub(this, other, opts?.alpha); }
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this { return cp.inplace(this, pw.sub(this, other, opts?.alpha, this)); }
  /** `x.div(y)`, `x.div(y, {rounding_mode: 'floor' | 'trunc'})`. */
  div(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor {
    return pw.div(this, other, opts?.rounding_mode ?? null);
  }
  div_(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): this {
    return cp.inplace(this, pw.div(this, other, opts?.rounding_mode ?? null, this));
  }
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return pw.clamp(this, min ?? null, max ?? null); }
  clamp_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this {
    return cp.inplace(this, pw.clamp(this, min ?? null, max ?? null, this));
  }
  clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return this.clamp(min, max); }
  clamp_min(min: TensorOrScalar): Tensor { return pw.clamp(this, min, null); }
  clamp_max(max: TensorOrScalar): Tensor { return pw.clamp(this, null, max); }
  lerp(end: Tensor, weight: TensorOrScalar): Tensor { return pw.lerp(this, end, weight); }
  lerp_(end: Tensor, weight: TensorOrScalar): this { return cp.inplace(this, pw.lerp(this, end, weight, this)); }
  addcmul(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor { return pw.addcmul(this, t1, t2, opts?.value ?? 1); }
  addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this {
    return cp.inplace(this, pw.addcmul(this, t1, t2, opts?.value ?? 1, this));
  }
  addcdiv(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor { return pw.addcdiv(this, t1, t2, opts?.value ?? 1); }
  addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this {
    return cp.inplace(this, pw.addcdiv(this, t1, t2, opts?.value ?? 1, this));
  }
  where(condition: Tensor, other: TensorOrScalar): Tensor { return pw.where(condition, this, other); }
  /** `torch.equal`: same shape and the same values (NaN is never equal). */
  equal(other: Tensor): boolean {
    if (this._shape.length !== other._shape.length || this._shape.some((n, i) => n !== other._shape[i])) return false;
    return this.eq(other).all().item() === 1;
  }
  /** `torch.isclose`: |a - b| <= atol + rtol * |b| elementwise; infinities equal only to themselves. */
  isclose(other: Tensor | Scalar, opts: { rtol?: number; atol?: number; equal_nan?: boolean } = {}): Tensor {
    const rtol = opts.rtol ?? 1e-5;
    const atol = opts.atol ?? 1e-8;
    const same = this.eq(other);
    const o = other instanceof Tensor ? other : this.new_full([], +other);
    const near = this.sub(o).abs().le(o.abs().mul(rtol).add(atol)).logical_and(this.isfinite()).logical_and(o.isfinite());
    const r = same.logical_or(near);
    return opts.equal_nan ? r.logical_or(this.isnan().logical_and(o.isnan())) : r;
  }
  /** `torch.allclose`: isclose everywhere. */
  allclose(other: Tensor | Scalar, opts: { rtol?: number; atol?: number; equal_nan?: boolean } = {}): boolean {
    return this.isclose(other, opts).all().item() === 1;
  }
  /** `+x`: returns x itself, as PyTorch does. */
  positive(): Tensor {
    if (this.dtype === dt.bool) throw new RuntimeError('The `+` operator, on a bool tensor is not supported.');
    return this;
  }

  // ---- reductions ----

  sum(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor { return red.mean(this, dim, keepdim); }
  prod(dim?: number | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor { return red.prod(this, dim, keepdim); }
  /** `x.max()` the maximum; `x.max(dim)` values and indices; `x.max(other)` the elementwise maximum. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }): Tensor | ValuesIndices {
    return red.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }): Tensor | ValuesIndices {
    return red.min(this, dim, keepdim);
  }
  argmax(dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.argmax(this, dim, keepdim); }
  argmin(dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.argmin(this, dim, keepdim); }
  amax(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.amax(this, dim, keepdim); }
  amin(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.amin(this, dim, keepdim); }
  /** Variance; `correction` defaults to 1 (Bessel), as in PyTorch. */
  var(dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor {
    return red.var_(this, dim, opts);
  }
  std(dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor {
    return red.std(this, dim, opts);
  }
  logsumexp(dim: Dims, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.logsumexp(this, dim, keepdim); }
  /** p-norm over all elements or `dim` (p = 2 by default; 'fro', Infinity, -Infinity too). */
  norm(p?: number | 'fro' | null, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor {
    return red.norm(this, p ?? 2, dim, keepdim);
  }
  all(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.all(this, dim, keepdim); }
  any(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor { return red.any(this, dim, keepdim); }
  cumsum(dim: number, opts?: { dtype?: DType }): Tensor { return red.cumsum(this, dim, opts?.dtype); }
  cumprod(dim: number, opts?: { dtype?: DType }): Tensor { return red.cumprod(this, dim, opts?.dtype); }
  /** Sorted values and their indices along `dim` (last by default). */
  sort(dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices {
    return red.sort(this, dim, descending);
  }
  argsort(dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): Tensor {
    return red.sort(this, dim, descending).indices;
  }
  topk(k: number, dim?: number | { dim?: number; largest?: boolean; sorted?: boolean }, largest?: boolean, sorted?: boolean): ValuesIndices {
    return red.topk(this, k, dim, largest, sorted);
  }
  softmax(dim: number, opts?: { dtype?: DType }): Tensor { return red.softmax(this, dim, opts?.dtype); }
  log_softmax(dim: number, opts?: { dtype?: DType }): Tensor { return red.log_softmax(this, dim, opts?.dtype); }

  // ---- linear algebra ----

  matmul(other: Tensor): Tensor { return la.matmul(this, other); }
  mm(mat2: Tensor): Tensor { return la.mm(this, mat2); }
  bmm(mat2: Tensor): Tensor { return la.bmm(this, mat2); }
  mv(vec: Tensor): Tensor { return la.mv(this, vec); }
  dot(other: Tensor): Tensor { return la.dot(this, other); }
  outer(vec2: Tensor): Tensor { return la.outer(this, vec2); }
  addmm(mat1: Tensor, mat2: Tensor, opts?: { beta?: number; alpha?: number }): Tensor {
    return la.addmm(this, mat1, mat2, opts?.beta ?? 1, opts?.alpha ?? 1);
  }

  // ---- joining, splitting, rearranging ----

  split(split_size_or_sections: number | readonly number[], dim = 0): Tensor[] { return cat.split(this, split_size_or_sections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return cat.chunk(this, chunks, dim); }
  unbind(dim = 0): Tensor[] { return cat.unbind(this, dim); }
  flip(...dims: (number | readonly number[])[]): Tensor { return cat.flip(this, dims); }
  roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor { return cat.roll(this, shifts, dims ?? null); }
  repeat(...sizes: (number | readonly number[])[]): Tensor { return cat.repeat(this, sizes); }
  tile(...dims: (number | readonly number[])[]): Tensor { return cat.tile(this, dims); }
  repeat_interleave(repeats: number | Tensor, dim?: number | null): Tensor { return cat.repeat_interleave(this, repeats, dim ?? null); }
  tril(diagonal = 0): Tensor { return cat.tril(this, diagonal); }
  triu(diagonal = 0): Tensor { return cat.triu(this, diagonal); }
  tril_(diagonal = 0): this { return cp.inplace(this, cat.tril(this, diagonal)); }
  triu_(diagonal = 0): this { return cp.inplace(this, cat.triu(this, diagonal)); }

  // ---- random fills ----

  uniform_(from = 0, to = 1, opts?: { generator?: rnd.Generator }): this { rnd.uniform_(this, from, to, opts?.generator); return this; }
  normal_(mean = 0, std = 1, opts?: { generator?: rnd.Generator }): this { rnd.normal_(this, mean, std, opts?.generator); return this; }
  bernoulli_(p: number | Tensor = 0.5, opts?: { generator?: rnd.Generator }): this { rnd.bernoulli_(this, p, opts?.generator); return this; }
  random_(from?: number, to?: number | null, opts?: { generator?: rnd.Generator }): this { rnd.random_(this, from, to, opts?.generator); return this; }
  exponential_(lambd = 1, opts?: { generator?: rnd.Generator }): this { rnd.exponential_(this, lambd, opts?.generator); return this; }
}

pw.installPointwise();
installExtras();

/** @internal shape helper re-exported for modules typed against Tensor */
export type { Shape };
