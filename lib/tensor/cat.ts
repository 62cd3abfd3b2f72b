/**
 * Tensor's splitting and rearranging methods: split, chunk, unbind, flip, roll, repeat, tile,
 * repeat_interleave and tril/triu. They delegate to ops/cat.ts.
 */

import type { Tensor } from '../tensor.js';
import * as cat from '../ops/cat.js';
import * as cp from '../ops/copy.js';
import { installMethods } from './install.js';

/** The Tensor methods that split, repeat or rearrange elements, installed by `installJoining()`. */
// declared on Tensor itself, so hovers and errors name `Tensor.method`
declare module '../tensor.js' {
  interface Tensor {
    /**
     * `x.split(split_size_or_sections, dim=0)`: views of `split_size` along `dim` (the last may be
     * smaller), or of the listed sizes.
     * @example torch.arange(5).split(2) // [tensor([0, 1]), tensor([2, 3]), tensor([4])]
     */
    split(split_size_or_sections: number | readonly number[], dim?: number): Tensor[];
    /**
     * `x.chunk(chunks, dim=0)`: at most `chunks` views of ceil(size / chunks) along `dim`.
     * @example const [q, k, v] = qkv.chunk(3, -1)
     */
    chunk(chunks: number, dim?: number): Tensor[];
    /**
     * `x.unbind(dim=0)`: the slices along `dim`, the dim removed.
     * @example const [a, b] = torch.tensor([[1, 2], [3, 4]]).unbind() // tensor([1, 2]), tensor([3, 4])
     */
    unbind(dim?: number): Tensor[];
    /**
     * `x.flip(dims)`: the elements reversed along `dims` (a copy, as in PyTorch).
     * @example torch.tensor([1, 2, 3]).flip(0) // tensor([3, 2, 1])
     */
    flip(...dims: (number | readonly number[])[]): Tensor;
    /**
     * `x.roll(shifts, dims=None)`: the elements shifted circularly along `dims` (of x flattened when dims
     * is None).
     * @example torch.tensor([1, 2, 3]).roll(1) // tensor([3, 1, 2])
     */
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    /**
     * `x.repeat(*sizes)`: x tiled `sizes` times along each dim (a copy; more sizes than dims add leading
     * dims).
     * @example torch.tensor([1, 2]).repeat(2) // tensor([1, 2, 1, 2])
     */
    repeat(...sizes: (number | readonly number[])[]): Tensor;
    /**
     * `x.tile(dims)`: `repeat`, with fewer `dims` than x has padded with leading 1s.
     * @example torch.tensor([1, 2]).tile([2]) // tensor([1, 2, 1, 2])
     */
    tile(...dims: (number | readonly number[])[]): Tensor;
    /**
     * `x.repeat_interleave(repeats, dim=None)`: each element repeated `repeats` times (a number or a
     * tensor per element), of x flattened when dim is None.
     * @example torch.tensor([1, 2]).repeat_interleave(2) // tensor([1, 1, 2, 2])
     */
    repeat_interleave(repeats: number | Tensor, dim?: number | null): Tensor;
    /**
     * `x.tril(diagonal=0)`: the lower triangle of the last two dims, the rest zeroed.
     * @example torch.ones(3, 3).tril() // ones on and below the diagonal
     */
    tril(diagonal?: number): Tensor;
    /**
     * `x.triu(diagonal=0)`: the upper triangle of the last two dims, the rest zeroed.
     * @example torch.ones(3, 3).triu(1) // ones strictly above the diagonal
     */
    triu(diagonal?: number): Tensor;
    /** `x.tril_(diagonal=0)`: `tril` in place. @example mask.tril_() */
    tril_(diagonal?: number): this;
    /** `x.triu_(diagonal=0)`: `triu` in place. @example mask.triu_(1) */
    triu_(diagonal?: number): this;
  }
}

const methods: Partial<Tensor> & ThisType<Tensor> = {
  split(split_size_or_sections, dim = 0) { return cat.split(this, split_size_or_sections, dim); },
  chunk(chunks, dim = 0) { return cat.chunk(this, chunks, dim); },
  unbind(dim = 0) { return cat.unbind(this, dim); },
  flip(...dims) { return cat.flip(this, dims); },
  roll(shifts, dims?) { return cat.roll(this, shifts, dims ?? null); },
  repeat(...sizes) { return cat.repeat(this, sizes); },
  tile(...dims) { return cat.tile(this, dims); },
  repeat_interleave(repeats, dim?) { return cat.repeat_interleave(this, repeats, dim ?? null); },
  tril(diagonal = 0) { return cat.tril(this, diagonal); },
  triu(diagonal = 0) { return cat.triu(this, diagonal); },
  tril_(diagonal = 0) { return cp.inplace(this, cat.tril(this, diagonal)); },
  triu_(diagonal = 0) { return cp.inplace(this, cat.triu(this, diagonal)); },
};

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, right after the class). */
export function installJoining(): void {
  installMethods(methods);
}
