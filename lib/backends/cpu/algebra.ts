/**
 * The scalar algebra interpreted over blocks of float64 numbers: each primitive is one tight
 * loop over the block, so an op's definition costs a few passes over L1-resident data and no
 * per-element calls.
 */

import type { Algebra } from '../../ops/algebra.js';

export const BLOCK = 1024;

type B = Float64Array;

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; ties go to the even neighbour instead
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Abramowitz-Stegun 7.1.26 is too coarse for float64; this uses erfc's continued expansion. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2) {
    // Maclaurin series, converges fast for |x| < 2
    let sum = x;
    let term = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // continued fraction for erfc, accurate for |x| >= 2
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

export class BlockAlgebra implements Algebra<B> {
  n = 0;
  private pool: B[] = [];
  private used = 0;

  reset(n: number): void {
    this.n = n;
    this.used = 0;
  }

  tmp(): B {
    if (this.used === this.pool.length) this.pool.push(new Float64Array(BLOCK));
    return this.pool[this.used++]!;
  }

  c(value: number): B {
    const o = this.tmp();
    o.fill(value, 0, this.n);
    return o;
  }

  add(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! + b[i]!; return o; }
  sub(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! - b[i]!; return o; }
  mul(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! * b[i]!; return o; }
  div(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! / b[i]!; return o; }
  fmod(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! % b[i]!; return o; }
  pow(a: B, b: B): B {
    // C's pow: 1 ** anything and (-1) ** ±inf are 1, where JavaScript's ** gives NaN
    const o = this.tmp(), n = this.n;
    for (let i = 0; i < n; i++) {
      const x = a[i]!, y = b[i]!;
      o[i] = x === 1 || (x === -1 && (y === Infinity || y === -Infinity)) ? 1 : x ** y;
    }
    return o;
  }
  atan2(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.atan2(a[i]!, b[i]!); return o; }
  max(a: B, b: B): B {
    const o = this.tmp(), n = this.n;
    for (let i = 0; i < n; i++) { const x = a[i]!, y = b[i]!; o[i] = x > y || x !== x ? x : y; }
    return o;
  }
  min(a: B, b: B): B {
    const o = this.tmp(), n = this.n;
    for (let i = 0; i < n; i++) { const x = a[i]!, y = b[i]!; o[i] = x < y || x !== x ? x : y; }
    return o;
  }
  neg(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = -a[i]!; return o; }
  abs(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.abs(a[i]!); return o; }
  sign(a: B): B {
    const o = this.tmp(), n = this.n;
    for (let i = 0; i < n; i++) { const x = a[i]!; o[i] = x > 0 ? 1 : x < 0 ? -1 : 0; }
    return o;
  }
  exp(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.exp(a[i]!); return o; }
  expm1(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.expm1(a[i]!); return o; }
  log(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.log(a[i]!); return o; }
  log1p(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.log1p(a[i]!); return o; }
  log2(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.log2(a[i]!); return o; }
  log10(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.log10(a[i]!); return o; }
  sqrt(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.sqrt(a[i]!); return o; }
  sin(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.sin(a[i]!); return o; }
  cos(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.cos(a[i]!); return o; }
  tan(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.tan(a[i]!); return o; }
  asin(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.asin(a[i]!); return o; }
  acos(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.acos(a[i]!); return o; }
  atan(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.atan(a[i]!); return o; }
  sinh(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.sinh(a[i]!); return o; }
  cosh(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.cosh(a[i]!); return o; }
  tanh(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.tanh(a[i]!); return o; }
  asinh(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.asinh(a[i]!); return o; }
  acosh(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.acosh(a[i]!); return o; }
  atanh(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.atanh(a[i]!); return o; }
  erf(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = erf(a[i]!); return o; }
  floor(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.floor(a[i]!); return o; }
  ceil(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.ceil(a[i]!); return o; }
  trunc(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Math.trunc(a[i]!); return o; }
  round(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = roundHalfEven(a[i]!); return o; }
  lt(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! < b[i]! ? 1 : 0; return o; }
  le(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! <= b[i]! ? 1 : 0; return o; }
  gt(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! > b[i]! ? 1 : 0; return o; }
  ge(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! >= b[i]! ? 1 : 0; return o; }
  eq(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! === b[i]! ? 1 : 0; return o; }
  ne(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! !== b[i]! ? 1 : 0; return o; }
  and(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! !== 0 && b[i]! !== 0 ? 1 : 0; return o; }
  or(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! !== 0 || b[i]! !== 0 ? 1 : 0; return o; }
  xor(a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = (a[i]! !== 0) !== (b[i]! !== 0) ? 1 : 0; return o; }
  not(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! === 0 ? 1 : 0; return o; }
  isnan(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = a[i]! !== a[i]! ? 1 : 0; return o; }
  isfinite(a: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = Number.isFinite(a[i]!) ? 1 : 0; return o; }
  where(c: B, a: B, b: B): B { const o = this.tmp(), n = this.n; for (let i = 0; i < n; i++) o[i] = c[i]! !== 0 ? a[i]! : b[i]!; return o; }
}
