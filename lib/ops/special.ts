/**
 * The special functions of a first course (`torch.special`'s names that live in `torch.*` too):
 * `logit`, `xlogy`, `sinc`, `logaddexp`, `logaddexp2` composed of table ops (autograd comes
 * free), and `erfc`, `erfinv`, `lgamma`, `digamma` evaluated on the host in float64 and recorded
 * with their own backward, because the scalar algebra has no such functions and composing them
 * from `erf` loses the tails (erfc(10) is 2e-45, 1 - erf(10) is 0).
 */

import * as dt from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { Tensor, type TensorOrScalar } from '../tensor.js';
import { record } from './dispatch.js';
import { readValues } from './copy.js';
import { fromValues, tensor } from './creation.js';
import { cTypeName } from './pointwise.js';
import { sumTo } from './reduction.js';
import { no_grad } from '../autograd/grad_mode.js';
import { asNode } from './host_rows.js';

const SQRT_PI = Math.sqrt(Math.PI);

// ---- float64 scalar functions ----

/** erf by its Taylor series, for |x| < 2 (the terms shrink fast there and no digits cancel at 0). */
function erfSeries(x: number): number {
  // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
  let term = x;
  let s = x;
  const x2 = x * x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    s += add;
    if (Math.abs(add) < 1e-17 * Math.abs(s)) break;
  }
  return (2 / SQRT_PI) * s;
}

/** erfc: 1 - erf near 0, and a Lentz continued fraction in the tails (no cancellation there). */
export function erfc64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2) return 1 - erfSeries(x);
  if (ax > 27) return x > 0 ? 0 : 2;
  // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), by modified Lentz
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = ax + a * d;
    d = d === 0 ? tiny : d;
    c = ax + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const r = Math.exp(-ax * ax) / SQRT_PI / f;
  return x > 0 ? r : 2 - r;
}

/** The inverse of erf: an initial guess refined by Halley steps on erf (erfc in the tails). */
export function erfinv64(y: number): number {
  if (Number.isNaN(y) || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  // Winitzki's closed-form approximation (a = 0.147), good to about 2e-3
  const a = 0.147;
  const l = Math.log(1 - y * y);
  const t = 2 / (Math.PI * a) + l / 2;
  let x = Math.sign(y) * Math.sqrt(Math.sqrt(t * t - l / a) - t);
  for (let i = 0; i < 4; i++) {
    // the residual through erfc where y is near ±1, so 1 - y keeps its digits
    const r = y > 0.5 ? (1 - y) - erfc64(x) : y < -0.5 ? erfc64(-x) - (1 + y) : erfSeries(x) - y;
    const dr = (2 / SQRT_PI) * Math.exp(-x * x);
    if (dr === 0) break;
    const step = r / dr;
    // Halley: erf'' = -2x erf'
    x -= step / (1 + x * step);
    if (Math.abs(step) < 1e-17 * Math.abs(x)) break;
  }
  return x;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log|Γ(x)|: Lanczos (g = 7) for x >= 0.5, the reflection formula below. */
export function lgamma64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity || x === -Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma64(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ψ(x) = Γ'(x)/Γ(x): recurrence up to x >= 10, then the asymptotic series; reflection below 0. */
export function digamma64(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  // PyTorch gives -inf at 0 (either sign) and NaN at the negative integers
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity;
  if (x < 0 && Number.isInteger(x)) return NaN;
  if (x < 0) return digamma64(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let r = 0;
  let v = x;
  while (v < 10) {
    r -= 1 / v;
    v += 1;
  }
  const f = 1 / (v * v);
  const series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132)))));
  return r + Math.log(v) - 0.5 / v - series;
}

/** ψ'(x): recurrence up to x >= 10, then the asymptotic series; reflection below 0. */
export function trigamma64(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0) {
    const s = Math.PI / Math.sin(Math.PI * x);
    return -trigamma64(1 - x) + s * s;
  }
  let r = 0;
  let v = x;
  while (v < 10) {
    r += 1 / (v * v);
    v += 1;
  }
  const f = 1 / (v * v);
  return r + 1 / v + f / 2 + (f / v) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)));
}

// ---- host evaluation ----

function floatOf(x: Tensor): dt.DType {
  return x.dtype.is_floating_point ? x.dtype : dt.get_default_dtype();
}

/** `f` over x's values in float64 on the host, as a new tensor of x's float dtype on x's device. */
function hostMap(x: Tensor, f: (v: number) => number): Tensor {
  const src = readValues(x);
  const dtype = floatOf(x);
  const out = new dtype.array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
  return fromValues(out, x._shape.slice(), dtype, x.device);
}

function hostUnary(x: Tensor, node: string, f: (v: number) => number, grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor): Tensor {
  const y = hostMap(x, f);
  record(node, [x], [y], [x, y], ([g], [xs, ys]) => [grad(g!, xs!, ys!)]);
  return y;
}

/**
 * `torch.erfc(input)`: 1 - erf(x), accurate in the tails. Integers give the default float dtype.
 * Evaluated on the host in float64 (also for 'cuda' tensors).
 * @example torch.erfc(torch.tensor([0, 1, 10], {dtype: torch.float64})) // [1, 0.1573, 2.088e-45]
 */
export function erfc(x: Tensor): Tensor {
  return hostUnary(x, 'ErfcBackward0', erfc64, (g, xs) => g.mul(xs.mul(xs).neg().exp()).mul(-2 / SQRT_PI));
}

/**
 * `torch.erfinv(input)`: the inverse error function on [-1, 1] (±inf at ±1, NaN outside).
 * Evaluated on the host in float64 (also for 'cuda' tensors).
 * @example torch.erfinv(torch.tensor([0, 0.5, 1])) // tensor([0.0000, 0.4769, inf])
 */
export function erfinv(x: Tensor): Tensor {
  return hostUnary(x, 'ErfinvBackward0', erfinv64, (g, _xs, y) => g.mul(y.mul(y).exp()).mul(SQRT_PI / 2));
}

/**
 * `torch.lgamma(input)`: log|Γ(x)|, +inf at the poles. Evaluated on the host in float64.
 * @example torch.lgamma(torch.tensor([0.5, 1, 10])) // tensor([ 0.5724,  0.0000, 12.8018])
 */
export function lgamma(x: Tensor): Tensor {
  return hostUnary(x, 'LgammaBackward0', lgamma64, (g, xs) => g.mul(digamma(xs)));
}

/**
 * `torch.digamma(input)`: ψ(x) = d/dx log Γ(x). Evaluated on the host in float64.
 * @example torch.digamma(torch.tensor([1, 2])) // tensor([-0.5772,  0.4228])
 */
export function digamma(x: Tensor): Tensor {
  return hostUnary(x, 'DigammaBackward0', digamma64, (g, xs) => g.mul(hostMap(xs, trigamma64)));
}

// ---- composites ----

const asT = (v: TensorOrScalar, like: TensorOrScalar): Tensor =>
  v instanceof Tensor ? v : tensor(v, like instanceof Tensor ? { device: like.device } : {});

/**
 * `torch.logit(input, eps=None)`: log(p / (1 - p)), with p clamped to [eps, 1 - eps] when
 * `eps` is given (the gradient is then zero outside). Integers give the default float dtype.
 * @example torch.logit(torch.tensor([0.25, 0.5]))  // tensor([-1.0986,  0.0000])
 */
export function logit(x: Tensor, eps?: number | null | { eps?: number | null }): Tensor {
  const e = typeof eps === 'object' && eps !== null ? eps.eps : eps;
  const p = x.dtype.is_floating_point ? x : x.to(dt.get_default_dtype());
  const c = e === undefined || e === null ? p : p.clamp(e, 1 - e);
  return asNode('LogitBackward0', c.div(c.neg().add(1)).log());
}

/**
 * `torch.xlogy(input, other)`: x * log(y), and 0 where x == 0 (unless y is NaN). Either argument
 * may be a number; the result is floating point.
 * @example torch.xlogy(torch.tensor([0, 1, 2]), torch.tensor([0, 2, 3], {dtype: torch.float32}))
 */
export function xlogy(x: TensorOrScalar, y: TensorOrScalar): Tensor {
  if (!(x instanceof Tensor) && !(y instanceof Tensor)) {
    throw new TypeError('xlogy() received an invalid combination of arguments - got (number, number)');
  }
  const f = dt.result_type(...[x, y].map((v) => (v instanceof Tensor ? { dtype: v.dtype, dim: v.dim() } : v)));
  const dtype = f.is_floating_point ? f : dt.get_default_dtype();
  const xf = asT(x, y).to(dtype);
  const yf = asT(y, x).to(dtype);
  const r = no_grad(() => xlogyValues(xf, yf));
  // PyTorch's formulas: d/dx = xlogy(x != 0, y) (NaN where y is NaN), d/dy = x / y
  const xShape = xf._shape.slice();
  const yShape = yf._shape.slice();
  record('XlogyBackward0', [x, y], [r], [xf, yf], ([g], [xs, ys]) => [
    x instanceof Tensor ? sumTo(g!.mul(xlogy(xs!.ne(0).to(dtype), ys!)), xShape) : null,
    y instanceof Tensor ? sumTo(g!.mul(xs!).div(ys!), yShape) : null,
  ]);
  return r;
}

function xlogyValues(xf: Tensor, yf: Tensor): Tensor {
  const zero = xf.eq(0);
  return xf.mul(yf.where(zero.logical_not(), 1).log()).masked_fill(zero, 0).where(yf.isnan().logical_not(), NaN);
}

/**
 * `torch.sinc(input)`: sin(πx)/(πx), 1 at 0. Integers give the default float dtype.
 * @example torch.sinc(torch.tensor([0, 0.5, 1])) // tensor([1.0000e+00, 6.3662e-01, -2.7828e-08])
 */
export function sinc(x: Tensor): Tensor {
  const xf = x.dtype.is_floating_point ? x : x.to(dt.get_default_dtype());
  const zero = xf.eq(0);
  const px = xf.where(zero.logical_not(), 1).mul(Math.PI);
  return asNode('SincBackward0', px.sin().div(px).masked_fill(zero, 1));
}

function checkFloatPair(name: string, a: Tensor, b: Tensor): void {
  const d = dt.promote_types(a.dtype, b.dtype);
  if (!d.is_floating_point) throw new RuntimeError(`"${name}_cpu" not implemented for '${cTypeName(d)}'`);
}

/**
 * `torch.logaddexp(input, other)`: log(e^x + e^y) without overflow. Floating point only.
 * @example torch.logaddexp(torch.tensor([-100.0]), torch.tensor([-100.0])) // tensor([-99.3069])
 */
export function logaddexp(a: Tensor, b: Tensor): Tensor {
  checkFloatPair('logaddexp', a, b);
  return asNode('LogaddexpBackward0', logAddExpBase(a, b, false));
}

/**
 * `torch.logaddexp2(input, other)`: log2(2^x + 2^y) without overflow. Floating point only.
 * @example torch.logaddexp2(torch.tensor([1.0]), torch.tensor([1.0])) // tensor([2.])
 */
export function logaddexp2(a: Tensor, b: Tensor): Tensor {
  checkFloatPair('logaddexp2', a, b);
  return asNode('Logaddexp2Backward0', logAddExpBase(a, b, true));
}

function logAddExpBase(a: Tensor, b: Tensor, base2: boolean): Tensor {
  const m = a.maximum(b);
  // equal infinities: the shift below would be inf - inf
  const same = a.eq(b).logical_and(a.isinf());
  const d = a.sub(b).abs().masked_fill(same, 0).neg();
  const tail = base2 ? d.exp2().log1p().div(Math.LN2) : d.exp().log1p();
  return m.add(tail).where(same.logical_not(), a);
}
