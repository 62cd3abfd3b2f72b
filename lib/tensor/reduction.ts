/**
 * Tensor's reductions and the methods built on them: sum, mean, max/min, var/std, norm, all/any,
 * cumsum, sort/argsort/topk and softmax/log_softmax. They delegate to ops/reduction.ts.
 */

import type { DType } from '../dtype.js';
import type { Tensor, ValuesIndices } from '../tensor.js';
import * as red from '../ops/reduction.js';
import { installMethods } from './install.js';

/** The Tensor methods that reduce or scan along dims, installed by `installReductions()`. */
// declared on Tensor itself, so hovers and errors name `Tensor.method`
declare module '../tensor.js' {
  interface Tensor {
    /**
     * `x.sum(dim=None, keepdim=False, *, dtype=None)`: the sum of all elements, or over `dim` (a number or
     * list); integer and bool sums are int64.
     * @example torch.tensor([[1, 2], [3, 4]]).sum(1) // tensor([3, 7]); x.sum(1, {keepdim: true})
     */
    sum(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor;
    /**
     * `x.mean(dim=None, keepdim=False, *, dtype=None)`: the mean of all elements, or over `dim`; floating
     * point input only (pass `{dtype}` for integers).
     * @example torch.tensor([[1, 2], [3, 4]], {dtype: torch.float32}).mean(0) // tensor([2., 3.])
     */
    mean(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor;
    /**
     * `x.prod(dim=None, keepdim=False, *, dtype=None)`: the product of all elements, or along one `dim`.
     * @example torch.tensor([1, 2, 3, 4]).prod() // tensor(24)
     */
    prod(dim?: number | null, keepdim?: boolean | { keepdim?: boolean; dtype?: DType }): Tensor;
    /**
     * `x.max()` the maximum; `x.max(dim)` values and indices; `x.max(other)` the elementwise maximum.
     * @example x.max() // tensor(9.); const [values, indices] = x.max(1); x.max(y) // elementwise
     */
    max(): Tensor;
    max(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
    max(other: Tensor): Tensor;
    /**
     * `x.min()`: the minimum; `x.min(dim, keepdim=False)`: `(values, indices)` along dim; `x.min(other)`:
     * the elementwise minimum.
     * @example torch.tensor([[3, 1], [0, 2]]).min(1).values // tensor([1, 0])
     */
    min(): Tensor;
    min(dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
    min(other: Tensor): Tensor;
    /**
     * `x.argmax(dim=None, keepdim=False)`: the int64 index of the maximum (of x read as 1-d when dim is
     * None; the first one on ties).
     * @example logits.argmax(1) // the predicted classes
     */
    argmax(dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * `x.argmin(dim=None, keepdim=False)`: the int64 index of the minimum (the first one on ties).
     * @example torch.tensor([3, 1, 2]).argmin() // tensor(1)
     */
    argmin(dim?: number | null, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * `x.amax(dim=(), keepdim=False)`: the maximum over `dim` (all dims when omitted), without indices;
     * the gradient is shared among ties.
     * @example torch.tensor([[1, 5], [3, 2]]).amax(0) // tensor([3, 5])
     */
    amax(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * `x.amin(dim=(), keepdim=False)`: the minimum over `dim` (all dims when omitted), without indices.
     * @example torch.tensor([[1, 5], [3, 2]]).amin(1) // tensor([1, 2])
     */
    amin(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * Variance; `correction` defaults to 1 (Bessel), as in PyTorch.
     * @example torch.tensor([1, 2, 3, 4], {dtype: torch.float32}).var() // tensor(1.6667); x.var(0, {correction: 0})
     */
    var(dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor;
    /**
     * `x.std(dim=None, *, correction=1, keepdim=False)`: the standard deviation (the square root of
     * `var`); `unbiased: false` is `correction: 0`.
     * @example torch.tensor([1, 2, 3, 4], {dtype: torch.float32}).std() // tensor(1.2910)
     */
    std(dim?: Dims | null, opts?: boolean | { correction?: number; unbiased?: boolean; keepdim?: boolean }): Tensor;
    /**
     * `x.logsumexp(dim, keepdim=False)`: log(sum(exp(x))) over `dim`, computed without overflow.
     * @example torch.tensor([0, 0], {dtype: torch.float32}).logsumexp(0) // tensor(0.6931)
     */
    logsumexp(dim: Dims, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * p-norm over all elements or `dim` (p = 2 by default; 'fro', Infinity, -Infinity too).
     * @example torch.tensor([3, 4], {dtype: torch.float32}).norm() // tensor(5.); x.norm(1, 1)
     */
    norm(p?: number | 'fro' | null, dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * `x.all(dim=None, keepdim=False)`: whether every element (of all, or along `dim`) is nonzero, as a
     * bool tensor.
     * @example torch.tensor([1, 0]).all() // tensor(False)
     */
    all(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * `x.any(dim=None, keepdim=False)`: whether some element (of all, or along `dim`) is nonzero, as a
     * bool tensor.
     * @example torch.tensor([1, 0]).any() // tensor(True)
     */
    any(dim?: Dims | null, keepdim?: boolean | { keepdim?: boolean }): Tensor;
    /**
     * `x.cumsum(dim, *, dtype=None)`: running sums along `dim` (int64 for integer input).
     * @example torch.tensor([1, 2, 3]).cumsum(0) // tensor([1, 3, 6])
     */
    cumsum(dim: number, opts?: { dtype?: DType }): Tensor;
    /**
     * `x.cumprod(dim, *, dtype=None)`: running products along `dim`.
     * @example torch.tensor([1, 2, 3]).cumprod(0) // tensor([1, 2, 6])
     */
    cumprod(dim: number, opts?: { dtype?: DType }): Tensor;
    /**
     * Sorted values and their indices along `dim` (last by default).
     * @example const [values, indices] = torch.tensor([3, 1, 2]).sort(); x.sort(0, true); x.sort({descending: true})
     */
    sort(dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices;
    /**
     * `x.argsort(dim=-1, descending=False, *, stable=False)`: the indices that sort x along `dim`.
     * @example torch.tensor([3, 1, 2]).argsort() // tensor([1, 2, 0])
     */
    argsort(dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): Tensor;
    /**
     * `x.topk(k, dim=-1, largest=True, sorted=True)`: `(values, indices)` of the k largest (or smallest)
     * along `dim`.
     * @example const [values, indices] = probs.topk(5); torch.tensor([1, 5, 3]).topk(2).values // tensor([5, 3])
     */
    topk(k: number, dim?: number | { dim?: number; largest?: boolean; sorted?: boolean }, largest?: boolean, sorted?: boolean): ValuesIndices;
    /**
     * `x.softmax(dim, *, dtype=None)`: exp(x) / sum(exp(x)) along `dim`, computed stably.
     * @example logits.softmax(1) // rows sum to 1
     */
    softmax(dim: number, opts?: { dtype?: DType }): Tensor;
    /**
     * `x.log_softmax(dim, *, dtype=None)`: log(softmax(x)) along `dim`, computed stably.
     * @example F.nll_loss(logits.log_softmax(1), y)
     */
    log_softmax(dim: number, opts?: { dtype?: DType }): Tensor;
  }
}

// overloads cannot be written in an object literal, so max and min are function declarations
function max(this: Tensor): Tensor;
function max(this: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
function max(this: Tensor, other: Tensor): Tensor;
function max(this: Tensor, dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }): Tensor | ValuesIndices {
  return red.max(this, dim, keepdim);
}

function min(this: Tensor): Tensor;
function min(this: Tensor, dim: number, keepdim?: boolean | { keepdim?: boolean }): ValuesIndices;
function min(this: Tensor, other: Tensor): Tensor;
function min(this: Tensor, dim?: number | Tensor, keepdim?: boolean | { keepdim?: boolean }): Tensor | ValuesIndices {
  return red.min(this, dim, keepdim);
}

const methods: Partial<Tensor> & ThisType<Tensor> = {
  sum(dim?, keepdim?) { return red.sum(this, dim, keepdim); },
  mean(dim?, keepdim?) { return red.mean(this, dim, keepdim); },
  prod(dim?, keepdim?) { return red.prod(this, dim, keepdim); },
  max,
  min,
  argmax(dim?, keepdim?) { return red.argmax(this, dim, keepdim); },
  argmin(dim?, keepdim?) { return red.argmin(this, dim, keepdim); },
  amax(dim?, keepdim?) { return red.amax(this, dim, keepdim); },
  amin(dim?, keepdim?) { return red.amin(this, dim, keepdim); },
  var(dim?, opts?) {
    return red.var_(this, dim, opts);
  },
  std(dim?, opts?) {
    return red.std(this, dim, opts);
  },
  logsumexp(dim, keepdim?) { return red.logsumexp(this, dim, keepdim); },
  norm(p?, dim?, keepdim?) {
    return red.norm(this, p ?? 2, dim, keepdim);
  },
  all(dim?, keepdim?) { return red.all(this, dim, keepdim); },
  any(dim?, keepdim?) { return red.any(this, dim, keepdim); },
  cumsum(dim, opts?) { return red.cumsum(this, dim, opts?.dtype); },
  cumprod(dim, opts?) { return red.cumprod(this, dim, opts?.dtype); },
  sort(dim?, descending?) {
    return red.sort(this, dim, descending);
  },
  argsort(dim?, descending?) {
    return red.sort(this, dim, descending).indices;
  },
  topk(k, dim?, largest?, sorted?) {
    return red.topk(this, k, dim, largest, sorted);
  },
  softmax(dim, opts?) { return red.softmax(this, dim, opts?.dtype); },
  log_softmax(dim, opts?) { return red.log_softmax(this, dim, opts?.dtype); },
};

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, right after the class). */
export function installReductions(): void {
  installMethods(methods);
}
