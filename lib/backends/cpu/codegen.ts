/**
 * Elementwise kernels compiled from the op table: the same scalar-algebra definition that the block
 * interpreter (algebra.ts) runs is evaluated once over an algebra of JavaScript source, and the
 * resulting expression is wrapped in loops specialised to the operands' typed-array kinds, the
 * number of (collapsed) dims and the innermost strides, then compiled with `new Function`.
 *
 * Why this keeps results bit-identical to the interpreter: both compute every intermediate as a
 * JavaScript number (float64), apply the same primitives in the same order, and store the result
 * into the output typed array with the same conversion (with bool and int64 store semantics applied
 * first). Only the staging through float64 blocks is gone: values are read from the operands'
 * arrays and written to the output directly, one element at a time.
 *
 * A kernel reads the input elements of a few outputs (UNROLL), computes, and writes those outputs
 * before moving on, so an in-place op whose output is its input (same view) sees each input value
 * before it is overwritten, as the interpreter does. Partially overlapping views are undefined
 * behaviour in PyTorch (it refuses them) and may differ between the two paths.
 */

import type { Algebra } from '../../ops/algebra.js';
import type { PointwiseFn, View } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { erf, roundHalfEven } from './algebra.js';

/** Switches for tests and benchmarks: `enabled: false` sends every op to the block interpreter. */
export const codegenConfig = {
  enabled: true,
  /** Collapsed layouts with more dims than this use the interpreter (each ndim is a kernel). */
  maxDims: 8,
  /** Kernels per op function (signatures: dtypes, walks, dims); past this it is interpreted. */
  maxVariants: 1024,
  /**
   * Distinct functions under one key past which new ones are interpreted: a caller that builds a
   * fresh function per call (capturing values) would otherwise compile on every call.
   */
  maxFunctionsPerKey: 16,
};

/** Compiled kernels so far (for tests: shows a fast path ran). */
export const codegenStats = { compiled: 0, runs: 0 };

/** A literal for `x` that parses back to the same double (negative ones parenthesised). */
function literal(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${String(x)})` : String(x);
}

/**
 * The scalar algebra over source text: each primitive appends one `const` statement and returns
 * its name, so an operand used twice is computed once. The expressions mirror BlockAlgebra's
 * loop bodies exactly.
 */
class SourceAlgebra implements Algebra<string> {
  readonly lines: string[] = [];
  private n = 0;

  /** `prefix` names this copy's temporaries, so unrolled copies of a body can sit side by side. */
  constructor(private readonly prefix = 't') {}

  private v(expr: string): string {
    const name = `${this.prefix}${this.n++}`;
    this.lines.push(`const ${name} = ${expr};`);
    return name;
  }

  c(value: number): string { return literal(value); }
  add(a: string, b: string): string { return this.v(`${a} + ${b}`); }
  sub(a: string, b: string): string { return this.v(`${a} - ${b}`); }
  mul(a: string, b: string): string { return this.v(`${a} * ${b}`); }
  div(a: string, b: string): string { return this.v(`${a} / ${b}`); }
  fmod(a: string, b: string): string { return this.v(`${a} % ${b}`); }
  pow(a: string, b: string): string {
    return this.v(`${a} === 1 || (${a} === -1 && (${b} === Infinity || ${b} === -Infinity)) ? 1 : ${a} ** ${b}`);
  }
  atan2(a: string, b: string): string { return this.v(`Math.atan2(${a}, ${b})`); }
  max(a: string, b: string): string { return this.v(`${a} > ${b} || ${a} !== ${a} ? ${a} : ${b}`); }
  min(a: string, b: string): string { return this.v(`${a} < ${b} || ${a} !== ${a} ? ${a} : ${b}`); }
  neg(a: string): string { return this.v(`-${a}`); }
  abs(a: string): string { return this.v(`Math.abs(${a})`); }
  sign(a: string): string { return this.v(`${a} > 0 ? 1 : ${a} < 0 ? -1 : 0`); }
  exp(a: string): string { return this.v(`Math.exp(${a})`); }
  expm1(a: string): string { return this.v(`Math.expm1(${a})`); }
  log(a: string): string { return this.v(`Math.log(${a})`); }
  log1p(a: string): string { return this.v(`Math.log1p(${a})`); }
  log2(a: string): string { return this.v(`Math.log2(${a})`); }
  log10(a: string): string { return this.v(`Math.log10(${a})`); }
  sqrt(a: string): string { return this.v(`Math.sqrt(${a})`); }
  sin(a: string): string { return this.v(`Math.sin(${a})`); }
  cos(a: string): string { return this.v(`Math.cos(${a})`); }
  tan(a: string): string { return this.v(`Math.tan(${a})`); }
  asin(a: string): string { return this.v(`Math.asin(${a})`); }
  acos(a: string): string { return this.v(`Math.acos(${a})`); }
  atan(a: string): string { return this.v(`Math.atan(${a})`); }
  sinh(a: string): string { return this.v(`Math.sinh(${a})`); }
  cosh(a: string): string { return this.v(`Math.cosh(${a})`); }
  tanh(a: string): string { return this.v(`Math.tanh(${a})`); }
  asinh(a: string): string { return this.v(`Math.asinh(${a})`); }
  acosh(a: string): string { return this.v(`Math.acosh(${a})`); }
  atanh(a: string): string { return this.v(`Math.atanh(${a})`); }
  erf(a: string): string { return this.v(`erf(${a})`); }
  floor(a: string): string { return this.v(`Math.floor(${a})`); }
  ceil(a: string): string { return this.v(`Math.ceil(${a})`); }
  trunc(a: string): string { return this.v(`Math.trunc(${a})`); }
  round(a: string): string { return this.v(`roundHalfEven(${a})`); }
  lt(a: string, b: string): string { return this.v(`${a} < ${b} ? 1 : 0`); }
  le(a: string, b: string): string { return this.v(`${a} <= ${b} ? 1 : 0`); }
  gt(a: string, b: string): string { return this.v(`${a} > ${b} ? 1 : 0`); }
  ge(a: string, b: string): string { return this.v(`${a} >= ${b} ? 1 : 0`); }
  eq(a: string, b: string): string { return this.v(`${a} === ${b} ? 1 : 0`); }
  ne(a: string, b: string): string { return this.v(`${a} !== ${b} ? 1 : 0`); }
  and(a: string, b: string): string { return this.v(`${a} !== 0 && ${b} !== 0 ? 1 : 0`); }
  or(a: string, b: string): string { return this.v(`${a} !== 0 || ${b} !== 0 ? 1 : 0`); }
  xor(a: string, b: string): string { return this.v(`(${a} !== 0) !== (${b} !== 0) ? 1 : 0`); }
  not(a: string): string { return this.v(`${a} === 0 ? 1 : 0`); }
  isnan(a: string): string { return this.v(`${a} !== ${a} ? 1 : 0`); }
  isfinite(a: string): string { return this.v(`Number.isFinite(${a}) ? 1 : 0`); }
  where(c: string, a: string, b: string): string { return this.v(`${c} !== 0 ? ${a} : ${b}`); }
}

const INT64_NAN = '-9223372036854775808';

/** The value actually stored for `v` in an output of `dtype` (the interpreter's `finalize`). */
function stored(v: string, dtype: DType): string {
  if (dtype.name === 'bool') return `(${v} !== 0 ? 1 : 0)`;
  if (dtype.name === 'int64') return `(Number.isFinite(${v}) ? Math.trunc(${v}) : ${INT64_NAN})`;
  return v;
}

/**
 * How an operand walks the innermost dim: 'c' contiguous (stride 1), 'z' broadcast (stride 0,
 * read once per row), 's' any other stride.
 */
type Walk = 'c' | 'z' | 's';
const walkOf = (stride: number): Walk => (stride === 1 ? 'c' : stride === 0 ? 'z' : 's');

type Kernel = (
  shape: readonly number[],
  dst: TypedArray,
  dOff: number,
  dStrides: readonly number[],
  arrs: readonly TypedArray[],
  offs: readonly number[],
  strides: readonly (readonly number[])[],
  scalars: readonly number[],
) => void;

/** Elements per turn of an innermost loop: V8 runs a loop body of four elements, loads first, about 30% faster. */
const UNROLL = 4;

/**
 * The source of a kernel over `nd` nested loops. Operand k (inputs in order, numbers included) is
 * `x${k}`: a scalar argument, or an element of array A${k}. `walks[k]` is null for scalars. The
 * innermost loop handles UNROLL elements a turn: each element's reads, then each one's
 * arithmetic, then the stores (a store into a typed array keeps V8 from moving a later load above
 * it); element j still reads its inputs before its own output is written.
 */
function kernelSource(fn: PointwiseFn, outDtype: DType, outWalk: Walk, walks: readonly (Walk | null)[], nd: number): string {
  // copy u of the body: temporaries t${u}_*, per-element operands x${k}_${u}; scalars and
  // broadcast (stride 0) operands are one value for the whole row, shared by the copies
  const copies = Array.from({ length: UNROLL }, (_, u) => {
    const alg = new SourceAlgebra(`t${u}_`);
    const xs = walks.map((w, k) => (w === 'c' || w === 's' ? `x${k}_${u}` : `x${k}`));
    return { alg, xs, result: fn.f(alg, ...xs) };
  });
  const tensors = walks.map((w, k) => (w === null ? -1 : k)).filter((k) => k >= 0);
  const L = nd - 1;
  const head: string[] = [];
  walks.forEach((w, k) => {
    if (w === null) head.push(`const x${k} = scalars[${k}];`);
    else head.push(`const A${k} = arrs[${k}];`);
  });
  for (let d = 0; d < nd; d++) {
    head.push(`const n${d} = shape[${d}], sd${d} = dStrides[${d}];`);
    for (const k of tensors) head.push(`const s${k}_${d} = strides[${k}][${d}];`);
  }
  head.push(`let pd0 = dOff;`);
  for (const k of tensors) head.push(`let p${k}_0 = offs[${k}];`);

  // loops from the outermost; the pointers of dim d hold the start of the current position in d
  const open: string[] = [];
  const close: string[] = [];
  for (let d = 0; d < L; d++) {
    const inner = [`let pd${d + 1} = pd${d};`, ...tensors.map((k) => `let p${k}_${d + 1} = p${k}_${d};`)];
    open.push(`for (let i${d} = 0; i${d} < n${d}; i${d}++) {`, ...inner);
    close.unshift([`pd${d} += sd${d};`, ...tensors.map((k) => `p${k}_${d} += s${k}_${d};`), '}'].join('\n'));
  }
  // operands the definition never reads (a kernel variant ignoring one) cost no load
  const first = copies[0]!;
  const used = (k: number) => new RegExp(`\\b${first.xs[k]}\\b`).test(`${first.alg.lines.join('\n')}\n${first.result}`);
  const at = (k: number, i: string) => {
    const w = walks[k]!;
    return w === 'c' ? `p${k}_${L} + ${i}` : w === 'z' ? `p${k}_${L}` : `p${k}_${L} + (${i}) * s${k}_${L}`;
  };
  const dAt = (i: string) => (outWalk === 'c' ? `pd${L} + ${i}` : `pd${L} + (${i}) * sd${L}`);
  const hoisted = tensors.filter((k) => used(k) && walks[k] === 'z').map((k) => `const x${k} = A${k}[${at(k, '0')}];`);
  const elementwise = tensors.filter((k) => used(k) && walks[k] !== 'z');
  const turn = (us: number[], i: (u: number) => string) => [
    ...us.flatMap((u) => elementwise.map((k) => `const ${copies[u]!.xs[k]} = A${k}[${at(k, i(u))}];`)),
    ...us.flatMap((u) => copies[u]!.alg.lines),
    ...us.map((u) => `dst[${dAt(i(u))}] = ${stored(copies[u]!.result, outDtype)};`),
  ];
  const all = copies.map((_, u) => u);
  const body = [
    ...hoisted,
    'let i = 0;',
    `for (; i + ${UNROLL - 1} < n${L}; i += ${UNROLL}) {`,
    ...turn(all, (u) => (u === 0 ? 'i' : `i + ${u}`)),
    '}',
    `for (; i < n${L}; i++) {`,
    ...turn([0], () => 'i'),
    '}',
  ];
  return [
    '"use strict";',
    `return function ${fn.key.replace(/[^A-Za-z0-9_]/g, '_')}_kernel(shape, dst, dOff, dStrides, arrs, offs, strides, scalars) {`,
    ...head,
    ...open,
    ...body,
    ...close,
    '};',
  ].join('\n');
}

interface Variants {
  kernels: Map<number, Kernel>;
  /** Too many signatures: the interpreter runs this function from now on. */
  off: boolean;
}

// keyed by the function itself: a definition that captures values bakes them into its source
const cache = new WeakMap<PointwiseFn['f'], Variants>();
const functionsPerKey = new Map<string, number>();

const DTYPE_CODE: Record<string, number> = { float32: 0, float64: 1, int32: 2, int64: 3, uint8: 4, bool: 5 };
const WALK_CODE = (stride: number): number => (stride === 1 ? 0 : stride === 0 ? 1 : 2);
/** Per input: a scalar, or 6 dtypes x 3 walks; the key stays an exact integer up to 9 inputs. */
const INPUT_CODES = 19;
const MAX_INPUTS = 9;

// reused argument arrays: a kernel reads them once, before it touches any element
const arrs: TypedArray[] = [];
const offs: number[] = [];
const scalars: number[] = [];
const inStrides: (readonly number[])[] = [];
const NONE = new Float64Array(0);

/**
 * Runs `fn` over operands collapsed to `shape` (strides[0] is the output's, then one per tensor
 * input), or returns false when no compiled kernel applies and the caller must interpret.
 */
export function runCompiled(
  fn: PointwiseFn,
  out: View,
  dst: TypedArray,
  inputs: readonly (View | number)[],
  shape: readonly number[],
  strides: readonly (readonly number[])[],
  dataOf: (s: View['storage']) => TypedArray,
): boolean {
  const nd = shape.length;
  if (!codegenConfig.enabled || nd > codegenConfig.maxDims || inputs.length > MAX_INPUTS) return false;
  let v = cache.get(fn.f);
  if (v === undefined) {
    const seen = (functionsPerKey.get(fn.key) ?? 0) + 1;
    functionsPerKey.set(fn.key, seen);
    cache.set(fn.f, (v = { kernels: new Map(), off: seen > codegenConfig.maxFunctionsPerKey }));
  }
  if (v.off) return false;
  const L = nd - 1;
  const os = strides[0]!;
  let key = (nd * 6 + DTYPE_CODE[out.dtype.name]!) * 2 + (os[L] === 1 ? 0 : 1);
  let t = 1;
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k]!;
    if (typeof x === 'number') {
      key = key * INPUT_CODES;
      scalars[k] = x;
      arrs[k] = NONE;
      offs[k] = 0;
      inStrides[k] = os;
    } else {
      const s = strides[t++]!;
      key = key * INPUT_CODES + 1 + DTYPE_CODE[x.dtype.name]! * 3 + WALK_CODE(s[L]!);
      scalars[k] = 0;
      arrs[k] = dataOf(x.storage);
      offs[k] = x.offset;
      inStrides[k] = s;
    }
  }
  let kernel = v.kernels.get(key);
  if (kernel === undefined) {
    if (v.kernels.size >= codegenConfig.maxVariants) {
      v.off = true;
      return false;
    }
    const walks = inputs.map((x, k) => (typeof x === 'number' ? null : walkOf(inStrides[k]![L]!)));
    const src = kernelSource(fn, out.dtype, walkOf(os[L]!), walks, nd);
    kernel = (new Function('erf', 'roundHalfEven', src) as (e: typeof erf, r: typeof roundHalfEven) => Kernel)(erf, roundHalfEven);
    v.kernels.set(key, kernel);
    codegenStats.compiled++;
  }
  codegenStats.runs++;
  kernel(shape, dst, out.offset, os, arrs, offs, inStrides, scalars);
  // drop the references, so the arrays of this op's operands can be collected
  for (let k = 0; k < inputs.length; k++) arrs[k] = NONE;
  return true;
}
