/**
 * Tensor's view methods (`view`, `reshape`, `permute`, `transpose`, `expand`, `narrow`, ...): new
 * shapes and strides over the same storage where the strides allow it. They delegate to
 * ops/movement.ts.
 */

import type { Tensor } from '../tensor.js';
import * as mv from '../ops/movement.js';
import { installMethods } from './install.js';

/** The Tensor methods and properties that reshape or re-stride x, installed by `installViews()`. */
// declared on Tensor itself, so hovers and errors name `Tensor.method`
declare module '../tensor.js' {
  interface Tensor {
    /**
     * `x.view(*shape)`: the same storage seen with a new shape (one dim may be -1); fails where the
     * strides cannot express it (use `reshape`).
     * @example torch.arange(6).view(2, 3); x.view(-1, 784)
     */
    view(...shape: (number | readonly number[])[]): Tensor;
    /** `x.view_as(other)`: `x.view(other.shape)`. @example g.view_as(w) */
    view_as(other: Tensor): Tensor;
    /**
     * `x.reshape(*shape)`: a view when the strides allow it, else a copy; one dim may be -1.
     * @example torch.arange(6).reshape(3, -1).shape // [3, 2]
     */
    reshape(...shape: (number | readonly number[])[]): Tensor;
    /** `x.reshape_as(other)`: `x.reshape(other.shape)`. @example y.reshape_as(x) */
    reshape_as(other: Tensor): Tensor;
    /**
     * `x.flatten(start_dim=0, end_dim=-1)`: dims start_dim..end_dim merged into one.
     * @example torch.zeros(8, 1, 28, 28).flatten(1).shape // [8, 784]
     */
    flatten(start_dim?: number, end_dim?: number): Tensor;
    /**
     * `x.unflatten(dim, sizes)`: splits dim into `sizes` (one may be -1).
     * @example torch.zeros(8, 784).unflatten(1, [28, 28]).shape // [8, 28, 28]
     */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /**
     * `x.squeeze(dim=None)`: drops the size-1 dims (all, or those of `dim`; other dims are left alone).
     * @example torch.zeros(2, 1, 3).squeeze().shape // [2, 3]
     */
    squeeze(dim?: Dims): Tensor;
    /**
     * `x.unsqueeze(dim)`: inserts a size-1 dim at `dim` (negative counts from the end of the result).
     * @example torch.zeros(3).unsqueeze(0).shape // [1, 3]
     */
    unsqueeze(dim: number): Tensor;
    /** `x.permute(*dims)`: the dims reordered (a view). @example torch.zeros(2, 3, 4).permute(2, 0, 1).shape // [4, 2, 3] */
    permute(...dims: (number | readonly number[])[]): Tensor;
    /** `x.transpose(dim0, dim1)`: the two dims swapped (a view). @example torch.zeros(2, 3).transpose(0, 1).shape // [3, 2] */
    transpose(dim0: number, dim1: number): Tensor;
    /** `x.swapaxes(axis0, axis1)`: an alias of `transpose`. @example torch.zeros(2, 3).swapaxes(0, 1).shape // [3, 2] */
    swapaxes(dim0: number, dim1: number): Tensor;
    /**
     * `x.movedim(source, destination)`: dims moved to new positions, the others keeping their order.
     * @example torch.zeros(2, 3, 4).movedim(0, -1).shape // [3, 4, 2]
     */
    movedim(source: Dims, destination: Dims): Tensor;
    /**
     * `x.t()`: the transpose of a tensor of at most 2 dims (0-d and 1-d come back as they are).
     * @example torch.zeros(2, 3).t().shape // [3, 2]
     */
    t(): Tensor;
    /** `x.T`: all dims reversed. @example torch.zeros(2, 3, 4).T.shape // [4, 3, 2] */
    readonly T: Tensor;
    /** `x.mT`: the last two dims swapped. @example torch.zeros(5, 2, 3).mT.shape // [5, 3, 2] */
    readonly mT: Tensor;
    /**
     * `x.expand(*sizes)`: a view with size-1 dims repeated (stride 0), -1 keeping a dim; no copy.
     * @example torch.tensor([[1], [2]]).expand(2, 3) // tensor([[1, 1, 1], [2, 2, 2]])
     */
    expand(...sizes: (number | readonly number[])[]): Tensor;
    /** `x.expand_as(other)`: `x.expand(other.shape)`. @example b.expand_as(x) */
    expand_as(other: Tensor): Tensor;
    /**
     * `x.narrow(dim, start, length)`: `length` elements of `dim` from `start` (a view).
     * @example torch.arange(5).narrow(0, 1, 3) // tensor([1, 2, 3])
     */
    narrow(dim: number, start: number, length: number): Tensor;
    /**
     * `x.select(dim, index)`: the slice at `index` along `dim`, which is removed (a view; `x[:, i]` is
     * `select(1, i)`).
     * @example torch.tensor([[1, 2], [3, 4]]).select(1, 0) // tensor([1, 3])
     */
    select(dim: number, index: number): Tensor;
    /**
     * `x.unfold(dimension, size, step)`: every window of `size` along `dimension`, `step` apart, as a new
     * last dim (a view).
     * @example torch.arange(5).unfold(0, 2, 1) // tensor([[0, 1], [1, 2], [2, 3], [3, 4]])
     */
    unfold(dimension: number, size: number, step: number): Tensor;
    /**
     * `x.diagonal(offset=0, dim1=0, dim2=1)`: the diagonal of the (dim1, dim2) planes as the last dim (a
     * view).
     * @example torch.eye(3).diagonal() // tensor([1., 1., 1.])
     */
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    /**
     * `x.as_strided(size, stride, storage_offset=None)`: a view with the given shape and strides over x's
     * storage.
     * @example torch.arange(4).as_strided([3, 2], [1, 1]) // tensor([[0, 1], [1, 2], [2, 3]])
     */
    as_strided(size: readonly number[], stride: readonly number[], storage_offset?: number): Tensor;
  }
}

const methods: Partial<Tensor> & ThisType<Tensor> = {
  view(...shape) { return mv.view(this, shape); },
  view_as(other) { return mv.view(this, [other._shape]); },
  reshape(...shape) { return mv.reshape(this, shape); },
  reshape_as(other) { return mv.reshape(this, [other._shape]); },
  flatten(start_dim = 0, end_dim = -1) { return mv.flatten(this, start_dim, end_dim); },
  unflatten(dim, sizes) { return mv.unflatten(this, dim, sizes); },
  squeeze(dim?) { return mv.squeeze(this, dim); },
  unsqueeze(dim) { return mv.unsqueeze(this, dim); },
  permute(...dims) { return mv.permute(this, dims); },
  transpose(dim0, dim1) { return mv.transpose(this, dim0, dim1); },
  swapaxes(dim0, dim1) { return mv.transpose(this, dim0, dim1); },
  movedim(source, destination) { return mv.movedim(this, source, destination); },
  t() { return mv.t(this); },
  get T() { return mv.permute(this, [this._shape.map((_, i) => this._shape.length - 1 - i)]); },
  get mT() { return mv.transpose(this, -2, -1); },
  expand(...sizes) { return mv.expand(this, sizes); },
  expand_as(other) { return mv.expand(this, [other._shape]); },
  narrow(dim, start, length) { return mv.narrow(this, dim, start, length); },
  select(dim, index) { return mv.select(this, dim, index); },
  unfold(dimension, size, step) { return mv.unfold(this, dimension, size, step); },
  diagonal(offset = 0, dim1 = 0, dim2 = 1) { return mv.diagonal(this, offset, dim1, dim2); },
  as_strided(size, stride, storage_offset?) {
    return mv.as_strided(this, size, stride, storage_offset);
  },
};

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, right after the class). */
export function installViews(): void {
  installMethods(methods);
}
