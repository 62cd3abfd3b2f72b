/**
 * The scalar algebra elementwise ops are written in. A backend interprets it: the CPU over
 * blocks of numbers, WebGPU as WGSL expressions. Comparisons and logic return 1 or 0.
 * Division, `pow` and friends follow IEEE float semantics; integer rounding is explicit
 * (`trunc`, `floor`), so one definition serves every dtype.
 */
export interface Algebra<V> {
  c(value: number): V;
  add(a: V, b: V): V;
  sub(a: V, b: V): V;
  mul(a: V, b: V): V;
  div(a: V, b: V): V;
  /** C fmod: the remainder has the sign of the dividend. */
  fmod(a: V, b: V): V;
  pow(a: V, b: V): V;
  atan2(a: V, b: V): V;
  /** NaN-propagating maximum / minimum, as torch.maximum. */
  max(a: V, b: V): V;
  min(a: V, b: V): V;
  neg(a: V): V;
  abs(a: V): V;
  sign(a: V): V;
  exp(a: V): V;
  expm1(a: V): V;
  log(a: V): V;
  log1p(a: V): V;
  log2(a: V): V;
  log10(a: V): V;
  sqrt(a: V): V;
  sin(a: V): V;
  cos(a: V): V;
  tan(a: V): V;
  asin(a: V): V;
  acos(a: V): V;
  atan(a: V): V;
  sinh(a: V): V;
  cosh(a: V): V;
  tanh(a: V): V;
  asinh(a: V): V;
  acosh(a: V): V;
  atanh(a: V): V;
  erf(a: V): V;
  floor(a: V): V;
  ceil(a: V): V;
  trunc(a: V): V;
  /** Round half to even, as torch.round. */
  round(a: V): V;
  lt(a: V, b: V): V;
  le(a: V, b: V): V;
  gt(a: V, b: V): V;
  ge(a: V, b: V): V;
  eq(a: V, b: V): V;
  ne(a: V, b: V): V;
  /** Logical ops treat non-zero as true. */
  and(a: V, b: V): V;
  or(a: V, b: V): V;
  xor(a: V, b: V): V;
  not(a: V): V;
  isnan(a: V): V;
  /** 1 where finite (not NaN, not ±inf). */
  isfinite(a: V): V;
  /** cond ? a : b, elementwise (cond non-zero means true). */
  where(cond: V, a: V, b: V): V;
}
