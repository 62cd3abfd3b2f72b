/**
 * The scalar algebra interpreted as WGSL: each primitive appends one typed `let` to a kernel body
 * and returns the variable's name. Values are i32 while every operand is an integer (so integer
 * ops stay exact, wrapping as int32 does) and f32 otherwise; floating-point helpers fix the
 * edges where WGSL leaves results undefined (log of negatives, pow of negative bases, ...).
 */

import type { Algebra } from '../../ops/algebra.js';
import type { DType } from '../../dtype.js';

export type ScalarType = 'f' | 'i';

/** Uniform words every kernel reserves: the bit patterns of +inf and NaN (WGSL has no such literals). */
export const INF_WORD = 0;
export const NAN_WORD = 1;
export const FIRST_FREE_WORD = 2;
export const UNIFORM_WORDS = 128;

/** The uniform block and its accessors, shared by every kernel. */
export const UNIFORM_DECL = `
struct U { d: array<vec4<i32>, ${UNIFORM_WORDS / 4}> }
@group(0) @binding(0) var<uniform> u: U;
fn ui(k: u32) -> i32 { return u.d[k >> 2u][k & 3u]; }
fn uf(k: u32) -> f32 { return bitcast<f32>(u.d[k >> 2u][k & 3u]); }
fn inf() -> f32 { return uf(${INF_WORD}u); }
fn nan() -> f32 { return uf(${NAN_WORD}u); }
`;

/** Helper functions, emitted only when a kernel uses them. Each may name others it needs. */
const HELPERS: Record<string, { deps: string[]; code: string }> = {
  isnan: { deps: [], code: 'fn isnan_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }' },
  isfinite: { deps: [], code: 'fn isfin_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }' },
  toi: {
    deps: ['isfinite'],
    code: `fn to_i(x: f32) -> i32 {
  if (!isfin_f(x)) { return 0; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  // wrap modulo 2^32 as a store into an Int32Array does
  let m = t - 4294967296.0 * floor(t / 4294967296.0);
  return bitcast<i32>(u32(m));
}`,
  },
  log: {
    deps: ['isnan'],
    code: `fn log_f(x: f32) -> f32 {
  if (isnan_f(x) || x < 0.0) { return nan(); }
  if (x == 0.0) { return -inf(); }
  return log(x);
}`,
  },
  sqrt: { deps: ['isnan'], code: 'fn sqrt_f(x: f32) -> f32 { if (isnan_f(x) || x < 0.0) { return nan(); } return sqrt(x); }' },
  expm1: {
    deps: ['isnan'],
    code: `fn expm1_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  if (x > 88.0) { return inf(); }
  if (x < -30.0) { return -1.0; }
  if (abs(x) < 1e-4) { return x + 0.5 * x * x + x * x * x / 6.0; }
  let v = exp(x);
  // (e^x - 1) * x / log(e^x) cancels the rounding of e^x (Kahan's trick)
  return (v - 1.0) * x / log(v);
}`,
  },
  log1p: {
    deps: ['isnan', 'log'],
    code: `fn log1p_f(x: f32) -> f32 {
  if (isnan_f(x) || x < -1.0) { return nan(); }
  if (x == -1.0) { return -inf(); }
  if (x > 1e30) { return log(x); }
  let v = 1.0 + x;
  if (v == 1.0) { return x; }
  return log(v) * x / (v - 1.0);
}`,
  },
  pow: {
    deps: ['isnan', 'log'],
    code: `fn pow_f(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (isnan_f(a) || isnan_f(b)) { return nan(); }
  if (trunc(b) == b && abs(b) <= 64.0) {
    var e = u32(abs(b));
    var base = a;
    var acc = 1.0;
    loop {
      if ((e & 1u) != 0u) { acc = acc * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    if (b < 0.0) { return 1.0 / acc; }
    return acc;
  }
  let ab = abs(a);
  if (abs(b) >= inf()) {
    if (ab == 1.0) { return 1.0; }
    if ((ab > 1.0) == (b > 0.0)) { return inf(); }
    return 0.0;
  }
  if (ab >= inf()) {
    let oddInf = trunc(b) == b && abs(b) < 16777216.0 && (i32(b) & 1) == 1;
    let r = select(inf(), 0.0, b < 0.0);
    if (a < 0.0 && oddInf) { return -r; }
    return r;
  }
  if (a < 0.0) {
    if (trunc(b) != b) { return nan(); }
    // |b| > 64 here: odd exponents keep the sign
    let odd = abs(b) < 16777216.0 && (i32(b) & 1) == 1;
    let r = exp2(b * log2(ab));
    if (odd) { return -r; }
    return r;
  }
  if (ab == 0.0) { if (b < 0.0) { return inf(); } return 0.0; }
  return exp2(b * log2(ab));
}`,
  },
  powi: {
    deps: [],
    code: `fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var e = u32(b);
  var base = a;
  var acc = 1;
  loop {
    if ((e & 1u) != 0u) { acc = acc * base; }
    e = e >> 1u;
    if (e == 0u) { break; }
    base = base * base;
  }
  return acc;
}`,
  },
  divt: {
    deps: [],
    code: `fn div_t(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  if (b == -1) { return 0 - a; }
  return a / b;
}`,
  },
  divf: {
    deps: ['divt'],
    code: `fn div_fl(a: i32, b: i32) -> i32 {
  var q = div_t(a, b);
  if (b != 0 && b != -1 && a % b != 0 && ((a < 0) != (b < 0))) { q = q - 1; }
  return q;
}`,
  },
  fmodf: {
    deps: ['isfinite', 'isnan'],
    code: `fn fmod_f(a: f32, b: f32) -> f32 {
  // NaN tested by its bits: NVIDIA's compiler folds b != b to false
  if (!isfin_f(a) || b == 0.0 || isnan_f(b)) { return nan(); }
  if (!isfin_f(b)) { return a; }
  return a - b * trunc(a / b);
}`,
  },
  fmodi: { deps: [], code: 'fn fmod_i(a: i32, b: i32) -> i32 { if (b == 0 || b == -1) { return 0; } return a % b; }' },
  sinh: {
    deps: ['expm1'],
    code: `fn sinh_f(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a > 88.0) { r = exp(a - 0.6931471805599453) ; } else { let e = expm1_f(a); r = 0.5 * (e + e / (e + 1.0)); }
  return select(r, -r, x < 0.0);
}`,
  },
  cosh: {
    deps: [],
    code: `fn cosh_f(x: f32) -> f32 {
  let a = abs(x);
  if (a > 88.0) { return exp(a - 0.6931471805599453); }
  let e = exp(a);
  return 0.5 * (e + 1.0 / e);
}`,
  },
  tanh: {
    deps: ['isnan', 'expm1'],
    code: `fn tanh_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let a = abs(x);
  var r = 1.0;
  if (a < 15.0) { let e = expm1_f(2.0 * a); r = e / (e + 2.0); }
  return select(r, -r, x < 0.0);
}`,
  },
  asinh: {
    deps: ['isnan', 'log1p'],
    code: `fn asinh_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a > 1e18) { r = log(a) + 0.6931471805599453; } else { r = log1p_f(a + a * a / (1.0 + sqrt(1.0 + a * a))); }
  return select(r, -r, x < 0.0);
}`,
  },
  acosh: {
    deps: ['isnan', 'log1p'],
    code: `fn acosh_f(x: f32) -> f32 {
  if (isnan_f(x) || x < 1.0) { return nan(); }
  if (x > 1e18) { return log(x) + 0.6931471805599453; }
  let t = x - 1.0;
  return log1p_f(t + sqrt(2.0 * t + t * t));
}`,
  },
  atanh: {
    deps: ['isnan', 'log1p'],
    code: `fn atanh_f(x: f32) -> f32 {
  if (isnan_f(x) || abs(x) > 1.0) { return nan(); }
  if (x == 1.0) { return inf(); }
  if (x == -1.0) { return -inf(); }
  return 0.5 * log1p_f(2.0 * x / (1.0 - x));
}`,
  },
  // through atan2: Mesa's asin/acos approximations are off by 4e-4
  asin: { deps: ['isnan'], code: 'fn asin_f(x: f32) -> f32 { if (isnan_f(x) || abs(x) > 1.0) { return nan(); } return atan2(x, sqrt((1.0 - x) * (1.0 + x))); }' },
  acos: { deps: ['isnan'], code: 'fn acos_f(x: f32) -> f32 { if (isnan_f(x) || abs(x) > 1.0) { return nan(); } return atan2(sqrt((1.0 - x) * (1.0 + x)), x); }' },
  erf: {
    deps: ['isnan'],
    code: `fn erf_f(x: f32) -> f32 {
  if (isnan_f(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a < 2.0) {
    // Maclaurin series (its largest term stays small below 2, so f32 keeps its precision)
    let z = a * a;
    var term = a;
    var sum = a;
    for (var n = 1; n < 40; n = n + 1) {
      term = term * -z / f32(n);
      sum = sum + term / f32(2 * n + 1);
    }
    r = 1.1283791670955126 * sum;
  } else if (a > 4.5) {
    r = 1.0;
  } else {
    // erfc's continued fraction in the tail
    var f = 0.0;
    for (var n = 60; n >= 1; n = n - 1) { f = f32(n) * 0.5 / (a + f); }
    r = 1.0 - exp(-a * a) * 0.5641895835477563 / (a + f);
  }
  return select(r, -r, x < 0.0);
}`,
  },
  // Mesa's builtins return numbers for NaN and infinite arguments: these keep IEEE's answers
  tan: { deps: ['isfinite', 'trig'], code: 'fn tan_f(x: f32) -> f32 { if (!isfin_f(x)) { return nan(); } let r = trig_r(x); return sin(r) / cos(r); }' },
  sin: { deps: ['isfinite', 'trig'], code: 'fn sin_f(x: f32) -> f32 { if (!isfin_f(x)) { return nan(); } return sin(trig_r(x)); }' },
  cos: { deps: ['isfinite', 'trig'], code: 'fn cos_f(x: f32) -> f32 { if (!isfin_f(x)) { return nan(); } return cos(trig_r(x)); }' },
  // x - 2πk in [-π, π], 2π split in three so that k·6.28125 is exact up to |k| = 2^16: NVIDIA's
  // sin and cos are accurate only near zero (sin(1234) was off by 7e-5 on an H100)
  trig: {
    deps: [],
    code: `fn trig_r(x: f32) -> f32 {
  let k = round(x * 0.15915494309189535);
  return ((x - k * 6.28125) - k * 0.0019353071693331003) - k * 1.0253376273028358e-11;
}`,
  },
  atan: { deps: ['isnan'], code: 'fn atan_f(x: f32) -> f32 { if (isnan_f(x)) { return x; } return atan(x); }' },
  atan2: {
    deps: ['isnan', 'isfinite', 'atan'],
    code: `fn atan2_f(y: f32, x: f32) -> f32 {
  if (isnan_f(x) || isnan_f(y)) { return nan(); }
  let pi = 3.141592653589793;
  let yneg = (bitcast<u32>(y) >> 31u) == 1u;
  let xneg = (bitcast<u32>(x) >> 31u) == 1u;
  var r: f32;
  if (!isfin_f(x) && !isfin_f(y)) { r = select(0.25 * pi, 0.75 * pi, xneg); }
  else if (y == 0.0) { r = select(0.0, pi, xneg); }
  else if (x == 0.0) { r = 0.5 * pi; }
  else if (!isfin_f(x)) { r = select(0.0, pi, xneg); }
  else { r = atan_f(abs(y) / abs(x)); if (xneg) { r = pi - r; } }
  return select(r, -r, yneg);
}`,
  },
  exp: {
    deps: ['isnan'],
    code: 'fn exp_f(x: f32) -> f32 { if (isnan_f(x)) { return x; } if (x > 88.73) { return inf(); } if (x < -104.0) { return 0.0; } return exp(x); }',
  },
};

/** The WGSL source of the named helpers and everything they depend on, in dependency order. */
export function helperSource(names: Iterable<string>): string {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (n: string) => {
    if (done.has(n)) return;
    done.add(n);
    const h = HELPERS[n]!;
    for (const d of h.deps) visit(d);
    out.push(h.code);
  };
  for (const n of names) visit(n);
  return out.join('\n');
}

/** How a storage element of `dtype` is held: f32 for float32, i32 for every integer and bool. */
export function storageType(dtype: DType): ScalarType {
  return dtype.name === 'float32' ? 'f' : 'i';
}
export const wgslType = (t: ScalarType): string => (t === 'f' ? 'f32' : 'i32');

function floatLiteral(v: number): string | null {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) return null;
  if (f === 0) return Object.is(f, -0) ? '-0.0f' : '0.0f';
  // the shortest decimal that rounds back to the same float32
  for (let p = 6; p <= 17; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return `${s.replace('e+', 'e')}f`;
  }
  return `${f}f`;
}

/** Builds a kernel body: `input` declares operands, the Algebra methods append typed lets. */
export class WgslAlgebra implements Algebra<string> {
  readonly lines: string[] = [];
  readonly helpers = new Set<string>();
  private readonly types = new Map<string, ScalarType>();
  /** Quotients of two integers, so trunc/floor of them can divide exactly in i32. */
  private readonly intQuotients = new Map<string, [string, string]>();
  private count = 0;

  typeOf(v: string): ScalarType {
    return this.types.get(v) ?? 'f';
  }

  /** Declares an operand: an expression of a given type becomes a named value. */
  input(expr: string, t: ScalarType): string {
    return this.emit(t, expr);
  }

  private emit(t: ScalarType, expr: string): string {
    const name = `v${this.count++}`;
    this.lines.push(`  let ${name}: ${wgslType(t)} = ${expr};`);
    this.types.set(name, t);
    return name;
  }

  private need(h: string): void {
    this.helpers.add(h);
  }

  /** `v` as an f32 expression. */
  f(v: string): string {
    return this.typeOf(v) === 'f' ? v : `f32(${v})`;
  }

  /** `v` as a WGSL bool: non-zero is true (NaN too, as in C). */
  truth(v: string): string {
    return this.typeOf(v) === 'f' ? floatTruth(v) : `(${v} != 0)`;
  }

  private bothInt(a: string, b: string): boolean {
    return this.typeOf(a) === 'i' && this.typeOf(b) === 'i';
  }

  private arith(a: string, b: string, op: string): string {
    if (this.bothInt(a, b)) return this.emit('i', `${a} ${op} ${b}`);
    return this.emit('f', `${this.f(a)} ${op} ${this.f(b)}`);
  }

  private boolOf(cond: string): string {
    return this.emit('i', `select(0, 1, ${cond})`);
  }

  private cmp(a: string, b: string, op: string): string {
    if (this.bothInt(a, b)) return this.boolOf(`${a} ${op} ${b}`);
    const [x, y] = [this.f(a), this.f(b)];
    if (op !== '!=') return this.boolOf(`${x} ${op} ${y}`);
    // NaN != anything is true; NVIDIA compiles != as an ordered comparison, false for NaN
    this.need('isnan');
    return this.boolOf(`(${x} != ${y} || isnan_f(${x}) || isnan_f(${y}))`);
  }

  private unaryF(a: string, fn: string, helper?: string): string {
    if (helper) this.need(helper);
    return this.emit('f', `${fn}(${this.f(a)})`);
  }

  c(value: number): string {
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 31) return this.emit('i', `${value}`);
    const lit = floatLiteral(value);
    if (lit !== null) return this.emit('f', lit);
    if (Number.isNaN(value)) return this.emit('f', 'nan()');
    return this.emit('f', value > 0 ? 'inf()' : '-inf()');
  }

  add(a: string, b: string): string { return this.arith(a, b, '+'); }
  sub(a: string, b: string): string { return this.arith(a, b, '-'); }
  mul(a: string, b: string): string { return this.arith(a, b, '*'); }
  div(a: string, b: string): string {
    const q = this.emit('f', `${this.f(a)} / ${this.f(b)}`);
    if (this.bothInt(a, b)) this.intQuotients.set(q, [a, b]);
    return q;
  }
  fmod(a: string, b: string): string {
    if (this.bothInt(a, b)) {
      this.need('fmodi');
      return this.emit('i', `fmod_i(${a}, ${b})`);
    }
    // C's fmod: the sign of the dividend; x % ±inf is x
    this.need('fmodf');
    return this.emit('f', `fmod_f(${this.f(a)}, ${this.f(b)})`);
  }
  pow(a: string, b: string): string {
    if (this.bothInt(a, b)) {
      this.need('powi');
      return this.emit('i', `pow_i(${a}, ${b})`);
    }
    this.need('pow');
    return this.emit('f', `pow_f(${this.f(a)}, ${this.f(b)})`);
  }
  atan2(a: string, b: string): string {
    this.need('atan2');
    return this.emit('f', `atan2_f(${this.f(a)}, ${this.f(b)})`);
  }
  max(a: string, b: string): string {
    if (this.bothInt(a, b)) return this.emit('i', `max(${a}, ${b})`);
    this.need('isnan');
    const x = this.f(a);
    const y = this.f(b);
    return this.emit('f', `select(${y}, ${x}, ${x} > ${y} || isnan_f(${x}))`);
  }
  min(a: string, b: string): string {
    if (this.bothInt(a, b)) return this.emit('i', `min(${a}, ${b})`);
    this.need('isnan');
    const x = this.f(a);
    const y = this.f(b);
    return this.emit('f', `select(${y}, ${x}, ${x} < ${y} || isnan_f(${x}))`);
  }
  neg(a: string): string { return this.emit(this.typeOf(a), `-${a}`); }
  abs(a: string): string { return this.emit(this.typeOf(a), `abs(${a})`); }
  sign(a: string): string {
    if (this.typeOf(a) === 'i') return this.emit('i', `sign(${a})`);
    return this.emit('f', `select(select(0.0, -1.0, ${a} < 0.0), 1.0, ${a} > 0.0)`);
  }
  exp(a: string): string { return this.unaryF(a, 'exp_f', 'exp'); }
  expm1(a: string): string { return this.unaryF(a, 'expm1_f', 'expm1'); }
  log(a: string): string { return this.unaryF(a, 'log_f', 'log'); }
  log1p(a: string): string { return this.unaryF(a, 'log1p_f', 'log1p'); }
  log2(a: string): string {
    this.need('log');
    return this.emit('f', `log_f(${this.f(a)}) * 1.4426950408889634`);
  }
  log10(a: string): string {
    this.need('log');
    return this.emit('f', `log_f(${this.f(a)}) * 0.4342944819032518`);
  }
  sqrt(a: string): string { return this.unaryF(a, 'sqrt_f', 'sqrt'); }
  sin(a: string): string { return this.unaryF(a, 'sin_f', 'sin'); }
  cos(a: string): string { return this.unaryF(a, 'cos_f', 'cos'); }
  tan(a: string): string { return this.unaryF(a, 'tan_f', 'tan'); }
  asin(a: string): string { return this.unaryF(a, 'asin_f', 'asin'); }
  acos(a: string): string { return this.unaryF(a, 'acos_f', 'acos'); }
  atan(a: string): string { return this.unaryF(a, 'atan_f', 'atan'); }
  sinh(a: string): string { return this.unaryF(a, 'sinh_f', 'sinh'); }
  cosh(a: string): string { return this.unaryF(a, 'cosh_f', 'cosh'); }
  tanh(a: string): string { return this.unaryF(a, 'tanh_f', 'tanh'); }
  asinh(a: string): string { return this.unaryF(a, 'asinh_f', 'asinh'); }
  acosh(a: string): string { return this.unaryF(a, 'acosh_f', 'acosh'); }
  atanh(a: string): string { return this.unaryF(a, 'atanh_f', 'atanh'); }
  erf(a: string): string { return this.unaryF(a, 'erf_f', 'erf'); }
  private rounding(a: string, fn: 'floor' | 'ceil' | 'trunc' | 'round'): string {
    if (this.typeOf(a) === 'i') return a;
    const q = this.intQuotients.get(a);
    if (q && fn === 'trunc') {
      this.need('divt');
      return this.emit('i', `div_t(${q[0]}, ${q[1]})`);
    }
    if (q && fn === 'floor') {
      this.need('divf');
      return this.emit('i', `div_fl(${q[0]}, ${q[1]})`);
    }
    return this.emit('f', `${fn}(${a})`);
  }
  floor(a: string): string { return this.rounding(a, 'floor'); }
  ceil(a: string): string { return this.rounding(a, 'ceil'); }
  trunc(a: string): string { return this.rounding(a, 'trunc'); }
  // WGSL's round() rounds half to even, as torch.round
  round(a: string): string { return this.rounding(a, 'round'); }
  lt(a: string, b: string): string { return this.cmp(a, b, '<'); }
  le(a: string, b: string): string { return this.cmp(a, b, '<='); }
  gt(a: string, b: string): string { return this.cmp(a, b, '>'); }
  ge(a: string, b: string): string { return this.cmp(a, b, '>='); }
  eq(a: string, b: string): string { return this.cmp(a, b, '=='); }
  ne(a: string, b: string): string { return this.cmp(a, b, '!='); }
  and(a: string, b: string): string { return this.boolOf(`${this.truth(a)} && ${this.truth(b)}`); }
  or(a: string, b: string): string { return this.boolOf(`${this.truth(a)} || ${this.truth(b)}`); }
  xor(a: string, b: string): string { return this.boolOf(`${this.truth(a)} != ${this.truth(b)}`); }
  not(a: string): string { return this.boolOf(`!${this.truth(a)}`); }
  isnan(a: string): string {
    if (this.typeOf(a) === 'i') return this.emit('i', '0');
    this.need('isnan');
    return this.boolOf(`isnan_f(${a})`);
  }
  isfinite(a: string): string {
    if (this.typeOf(a) === 'i') return this.emit('i', '1');
    this.need('isfinite');
    return this.boolOf(`isfin_f(${a})`);
  }
  where(cond: string, a: string, b: string): string {
    if (this.bothInt(a, b)) return this.emit('i', `select(${b}, ${a}, ${this.truth(cond)})`);
    return this.emit('f', `select(${this.f(b)}, ${this.f(a)}, ${this.truth(cond)})`);
  }

  /** The expression storing value `v` into an element of `dtype`, with its store semantics. */
  store(v: string, dtype: DType): string {
    return storeExpr(v, this.typeOf(v), dtype, (h) => this.need(h));
  }
}

/**
 * A float's truth by its bits: anything but ±0 is true, NaN included (`x != 0.0` is false for NaN
 * on NVIDIA, whose compiler makes != an ordered comparison).
 */
export function floatTruth(v: string): string {
  return `((bitcast<u32>(${v}) & 0x7fffffffu) != 0u)`;
}

/** Converts value `v` of type `t` for a store into `dtype` (float32 rounds, ints wrap, bool is != 0). */
export function storeExpr(v: string, t: ScalarType, dtype: DType, need: (helper: string) => void): string {
  switch (dtype.name) {
    case 'float32':
      return t === 'f' ? v : `f32(${v})`;
    case 'bool':
      return t === 'f' ? `select(0, 1, ${floatTruth(v)})` : `select(0, 1, ${v} != 0)`;
    case 'uint8':
      if (t === 'i') return `(${v} & 255)`;
      need('toi');
      return `(to_i(${v}) & 255)`;
    default:
      if (t === 'i') return v;
      need('toi');
      return `to_i(${v})`;
  }
}
