/**
 * Tensor's indexing methods: `get`/`set` (Python's `x[...]`), `index_put_`, gather/scatter,
 * index_select/index_add_, masked_fill/masked_select, nonzero and take. They delegate to
 * ops/indexing.ts and ops/scatter.ts.
 */

import type { IndexItem, Scalar, Tensor } from '../tensor.js';
import * as cp from '../ops/copy.js';
import * as ix from '../ops/indexing.js';
import * as pw from '../ops/pointwise.js';
import * as sc from '../ops/scatter.js';
import { installMethods } from './install.js';

/** The Tensor methods that read or write elements by index, installed by `installIndexing()`. */
// declared on Tensor itself, so hovers and errors name `Tensor.method`
declare module '../tensor.js' {
  interface Tensor {
    /**
     * `x[...]`: `x.get(0)`, `x.get(':', 1)`, `x.get('1:3', null, '...')`, `x.get(mask)`, `x.get(idx)`.
     * Strings are Python slices (`':'`, `'::2'`, `'-1:'`), `null` is None, `'...'` is Ellipsis.
     * @example x.get(0); x.get(':', 1); x.get('1:3', '::2'); x.get(null, '...', 0); x.get(x.gt(0))
     */
    get(...index: IndexItem[]): Tensor;
    /**
     * `x[...] = value`: the last argument is the value, e.g. `x.set(':', 1, 0)` for `x[:, 1] = 0`.
     * @example x.set(':', 1, 0); x.set(x.lt(0), 0); x.set(0, torch.tensor([1, 2]))
     */
    set(...args: [...IndexItem[], Tensor | Scalar]): this;
    /**
     * `x.index_put_(indices, values, accumulate=False)`: `x[indices] = values` with a tuple of index
     * tensors (null for a whole dim); `accumulate` adds, also at repeated indices.
     * @example x.index_put_([torch.tensor([0, 0])], torch.tensor(1.), true) // x[0] += 2
     */
    index_put_(indices: readonly (Tensor | null)[], values: Tensor | Scalar, accumulate?: boolean): this;
    /**
     * `x.gather(dim, index)`: out[i][j] = x[index[i][j]][j] for dim 0 (and so on): picks along `dim`.
     * @example torch.tensor([[1, 2], [3, 4]]).gather(1, torch.tensor([[1], [0]])) // tensor([[2], [3]])
     */
    gather(dim: number, index: Tensor): Tensor;
    /**
     * `x.scatter(dim, index, src, *, reduce=None)`: a copy of x with `src` written at `index` along `dim`
     * (the inverse of gather); `reduce` 'add' or 'multiply' combines.
     * @example torch.zeros(2, 3).scatter(1, torch.tensor([[2], [0]]), 1) // one 1 per row
     */
    scatter(dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): Tensor;
    /**
     * `x.scatter_(dim, index, src, *, reduce=None)`: `scatter` in place.
     * @example torch.zeros(3).scatter_(0, torch.tensor([1]), 5) // tensor([0., 5., 0.])
     */
    scatter_(dim: number, index: Tensor, src: Tensor | Scalar, opts?: { reduce?: 'add' | 'multiply' }): this;
    /**
     * `x.scatter_add(dim, index, src)`: a copy of x with `src` added at `index` along `dim` (repeated
     * indices add up).
     * @example torch.zeros(3).scatter_add(0, torch.tensor([0, 0, 2]), torch.ones(3)) // tensor([2., 0., 1.])
     */
    scatter_add(dim: number, index: Tensor, src: Tensor): Tensor;
    /**
     * `x.scatter_add_(dim, index, src)`: `scatter_add` in place.
     * @example counts.scatter_add_(0, labels, torch.ones(labels.shape[0]))
     */
    scatter_add_(dim: number, index: Tensor, src: Tensor): this;
    /**
     * `x.index_select(dim, index)`: the entries of `dim` at the int64 `index` (a copy).
     * @example torch.tensor([[1, 2], [3, 4]]).index_select(0, torch.tensor([1, 1])) // tensor([[3, 4], [3, 4]])
     */
    index_select(dim: number, index: Tensor): Tensor;
    /**
     * `x.index_add_(dim, index, source, *, alpha=1)`: adds `alpha * source` to the entries of `dim` at
     * `index`, in place (repeated indices add up).
     * @example torch.zeros(3).index_add_(0, torch.tensor([0, 0]), torch.ones(2)) // tensor([2., 0., 0.])
     */
    index_add_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this;
    /**
     * `x.masked_fill(mask, value)`: `value` where the bool `mask` (broadcast) is true; x's dtype is kept.
     * @example scores.masked_fill(mask.logical_not(), -Infinity)
     */
    masked_fill(mask: Tensor, value: Tensor | Scalar): Tensor;
    /** `x.masked_fill_(mask, value)`: `masked_fill` in place. @example x.masked_fill_(x.lt(0), 0) */
    masked_fill_(mask: Tensor, value: Tensor | Scalar): this;
    /**
     * `x.masked_select(mask)`: the elements where `mask` (broadcast) is true, as a 1-d tensor.
     * @example torch.tensor([1, -2, 3]).masked_select(torch.tensor([true, false, true])) // tensor([1, 3])
     */
    masked_select(mask: Tensor): Tensor;
    /**
     * `x.nonzero()`: the indices of the nonzero elements, one row each (int64, [n, x.dim()]).
     * @example torch.tensor([0, 3, 0, 4]).nonzero() // tensor([[1], [3]])
     */
    nonzero(): Tensor;
    /**
     * `x.take(index)`: the elements at `index` of x read as 1-d.
     * @example torch.tensor([[1, 2], [3, 4]]).take(torch.tensor([0, 3])) // tensor([1, 4])
     */
    take(index: Tensor): Tensor;
  }
}

const methods: Partial<Tensor> & ThisType<Tensor> = {
  get(...index) { return ix.getitem(this, index); },
  set(...args) {
    ix.setitem(this, args.slice(0, -1) as IndexItem[], args[args.length - 1] as Tensor | Scalar);
    return this;
  },
  index_put_(indices, values, accumulate = false) {
    ix.index_put_(this, indices, values, accumulate);
    return this;
  },
  gather(dim, index) { return sc.gather(this, dim, index); },
  scatter(dim, index, src, opts?) {
    return sc.scatter(this, dim, index, src, opts?.reduce);
  },
  scatter_(dim, index, src, opts?) {
    sc.scatter_(this, dim, index, src, opts?.reduce);
    return this;
  },
  scatter_add(dim, index, src) { return sc.scatter_add(this, dim, index, src); },
  scatter_add_(dim, index, src) { sc.scatter_add_(this, dim, index, src); return this; },
  index_select(dim, index) { return sc.index_select(this, dim, index); },
  index_add_(dim, index, source, opts?) {
    sc.index_add_(this, dim, index, source, opts?.alpha ?? 1);
    return this;
  },
  masked_fill(mask, value) { return pw.masked_fill(this, mask, value); },
  masked_fill_(mask, value) { return cp.inplace(this, pw.masked_fill(this, mask, value, this)); },
  masked_select(mask) { return sc.masked_select(this, mask); },
  nonzero() { return sc.nonzero(this); },
  take(index) { return sc.take(this, index); },
};

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, right after the class). */
export function installIndexing(): void {
  installMethods(methods);
}
