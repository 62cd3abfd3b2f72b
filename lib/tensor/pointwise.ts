/**
 * Tensor's elementwise methods that take more than one tensor-or-number argument (`add` with
 * `alpha`, `div` with `rounding_mode`, `clamp`, `lerp`, `addcmul`, `where`, `isclose`, ...). The
 * plain unary and binary ones come from the op table of ops/pointwise.ts (`PointwiseMethods`).
 */

import * as dt from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import * as cp from '../ops/copy.js';
import * as pw from '../ops/pointwise.js';
import { installMethods } from './install.js';

/** The elementwise Tensor methods with extra arguments, installed by `installPointwiseArgs()`. */
// declared on Tensor itself, so hovers and errors name `Tensor.method`
declare module '../tensor.js' {
  interface Tensor {
    /**
     * `x.add(other, *, alpha=1)`: x + alpha * other, broadcast, with PyTorch's type promotion.
     * @example torch.tensor([1, 2]).add(1) // tensor([2, 3]); a.add(b, {alpha: -0.1})
     */
    add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    /** `x.add_(other, *, alpha=1)`: `add` in place (the result must keep x's dtype). @example w.add_(w.grad!, {alpha: -0.1}) */
    add_(other: TensorOrScalar, opts?: { alpha?: number }): this;
    /**
     * `x.sub(other, *, alpha=1)`: x - alpha * other, broadcast, with PyTorch's type promotion.
     * @example torch.tensor([3, 4]).sub(1) // tensor([2, 3])
     */
    sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor;
    /**
     * `x.sub_(other, *, alpha=1)`: `sub` in place (the result must keep x's dtype).
     * @example torch.no_grad(() => w.sub_(w.grad!.mul(lr)))
     */
    sub_(other: TensorOrScalar, opts?: { alpha?: number }): this;
    /**
     * `x.div(y)`, `x.div(y, {rounding_mode: 'floor' | 'trunc'})`.
     * @example torch.tensor([1, 2]).div(2) // tensor([0.5000, 1.0000]); torch.tensor([-3]).div(2, {rounding_mode: 'floor'}) // tensor([-2])
     */
    div(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): Tensor;
    /** `x.div_(other, *, rounding_mode=None)`: `div` in place (true division needs a floating x). @example x.div_(255) */
    div_(other: TensorOrScalar, opts?: { rounding_mode?: 'floor' | 'trunc' | null }): this;
    /**
     * `x.clamp(min=None, max=None)`: each element limited to [min, max] (numbers or tensors; at least
     * one); NaN stays NaN.
     * @example torch.tensor([-2, 0, 2]).clamp(-1, 1) // tensor([-1,  0,  1]); x.clamp(0) // relu
     */
    clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor;
    /** `x.clamp_(min=None, max=None)`: `clamp` in place. @example p.grad!.clamp_(-1, 1) */
    clamp_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this;
    /** `x.clip(min=None, max=None)`: an alias of `clamp`. @example torch.tensor([-2, 2]).clip(-1, 1) // tensor([-1,  1]) */
    clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor;
    /** `x.clamp_min(min)`: `x.clamp(min)`. @example torch.tensor([-1, 2]).clamp_min(0) // tensor([0, 2]) */
    clamp_min(min: TensorOrScalar): Tensor;
    /** `x.clamp_max(max)`: `x.clamp(null, max)`. @example torch.tensor([-1, 2]).clamp_max(0) // tensor([-1,  0]) */
    clamp_max(max: TensorOrScalar): Tensor;
    /**
     * `x.lerp(end, weight)`: x + weight * (end - x), weight a number or tensor.
     * @example torch.zeros(2).lerp(torch.ones(2), 0.25) // tensor([0.2500, 0.2500])
     */
    lerp(end: Tensor, weight: TensorOrScalar): Tensor;
    /**
     * `x.lerp_(end, weight)`: `lerp` in place (e.g. an exponential moving average).
     * @example torch.no_grad(() => ema.lerp_(w, 0.01))
     */
    lerp_(end: Tensor, weight: TensorOrScalar): this;
    /** `x.addcmul(tensor1, tensor2, *, value=1)`: x + value * tensor1 * tensor2. @example v.addcmul(g, g, {value: 1 - beta2}) */
    addcmul(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor;
    /** `x.addcmul_(tensor1, tensor2, *, value=1)`: `addcmul` in place. @example v.mul_(beta2).addcmul_(g, g, {value: 1 - beta2}) */
    addcmul_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this;
    /**
     * `x.addcdiv(tensor1, tensor2, *, value=1)`: x + value * tensor1 / tensor2.
     * @example p.addcdiv(m, v.sqrt().add(eps), {value: -lr})
     */
    addcdiv(t1: Tensor, t2: Tensor, opts?: { value?: number }): Tensor;
    /** `x.addcdiv_(tensor1, tensor2, *, value=1)`: `addcdiv` in place. @example p.addcdiv_(m, v.sqrt().add(eps), {value: -lr}) */
    addcdiv_(t1: Tensor, t2: Tensor, opts?: { value?: number }): this;
    /**
     * `x.where(condition, other)`: `torch.where(condition, x, other)`: x where condition is true, else
     * other.
     * @example x.where(x.gt(0), 0) // relu
     */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    /**
     * `torch.equal`: same shape and the same values (NaN is never equal).
     * @example torch.tensor([1, 2]).equal(torch.tensor([1, 2])) // true
     */
    equal(other: Tensor): boolean;
    /**
     * `torch.isclose`: |a - b| <= atol + rtol * |b| elementwise; infinities equal only to themselves.
     * @example torch.tensor([1, 2]).isclose(torch.tensor([1, 2.0001]), {rtol: 0, atol: 1e-3}) // tensor([True, True])
     */
    isclose(other: Tensor | Scalar, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): Tensor;
    /** `torch.allclose`: isclose everywhere. @example expect(y.allclose(expected, {atol: 1e-6})).toBe(true) */
    allclose(other: Tensor | Scalar, opts?: { rtol?: number; atol?: number; equal_nan?: boolean }): boolean;
    /** `+x`: returns x itself, as PyTorch does. @example torch.tensor([-1, 2]).positive() // tensor([-1,  2]) */
    positive(): Tensor;
  }
}

const methods: Partial<Tensor> & ThisType<Tensor> = {
  add(other, opts?) { return pw.add(this, other, opts?.alpha); },
  add_(other, opts?) { return cp.inplace(this, pw.add(this, other, opts?.alpha, this)); },
  sub(other, opts?) { return pw.sub(this, other, opts?.alpha); },
  sub_(other, opts?) { return cp.inplace(this, pw.sub(this, other, opts?.alpha, this)); },
  div(other, opts?) {
    return pw.div(this, other, opts?.rounding_mode ?? null);
  },
  div_(other, opts?) {
    return cp.inplace(this, pw.div(this, other, opts?.rounding_mode ?? null, this));
  },
  clamp(min?, max?) { return pw.clamp(this, min ?? null, max ?? null); },
  clamp_(min?, max?) {
    return cp.inplace(this, pw.clamp(this, min ?? null, max ?? null, this));
  },
  clip(min?, max?) { return this.clamp(min, max); },
  clamp_min(min) { return pw.clamp(this, min, null); },
  clamp_max(max) { return pw.clamp(this, null, max); },
  lerp(end, weight) { return pw.lerp(this, end, weight); },
  lerp_(end, weight) { return cp.inplace(this, pw.lerp(this, end, weight, this)); },
  addcmul(t1, t2, opts?) { return pw.addcmul(this, t1, t2, opts?.value ?? 1); },
  addcmul_(t1, t2, opts?) {
    return cp.inplace(this, pw.addcmul(this, t1, t2, opts?.value ?? 1, this));
  },
  addcdiv(t1, t2, opts?) { return pw.addcdiv(this, t1, t2, opts?.value ?? 1); },
  addcdiv_(t1, t2, opts?) {
    return cp.inplace(this, pw.addcdiv(this, t1, t2, opts?.value ?? 1, this));
  },
  where(condition, other) { return pw.where(condition, this, other); },
  equal(other) {
    if (this._shape.length !== other._shape.length || this._shape.some((n, i) => n !== other._shape[i])) return false;
    return this.eq(other).all().item() === 1;
  },
  isclose(other, opts = {}) {
    const rtol = opts.rtol ?? 1e-5;
    const atol = opts.atol ?? 1e-8;
    const same = this.eq(other);
    const o = other instanceof Tensor ? other : this.new_full([], +other);
    const near = this.sub(o).abs().le(o.abs().mul(rtol).add(atol)).logical_and(this.isfinite()).logical_and(o.isfinite());
    const r = same.logical_or(near);
    return opts.equal_nan ? r.logical_or(this.isnan().logical_and(o.isnan())) : r;
  },
  allclose(other, opts = {}) {
    return this.isclose(other, opts).all().item() === 1;
  },
  positive() {
    if (this.dtype === dt.bool) throw new RuntimeError('The `+` operator, on a bool tensor is not supported.');
    return this;
  },
};

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, right after the class). */
export function installPointwiseArgs(): void {
  installMethods(methods);
}
