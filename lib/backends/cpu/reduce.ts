/**
 * Reductions that read their input in place: loops compiled per (op, input array kind, layout)
 * walk the kept dims and, inside, the reduced ones, straight over the typed array. The gathering
 * path in index.ts (forRows: copy rows into float64 blocks, then reduce) stays for what these do
 * not take (empty rows, many dims) and is what they are tested against.
 *
 * Results are bit-identical to it: each output accumulates its elements in the same row-major
 * order of the reduced dims, in a float64 number, with the same update rule. When the kept dim is
 * the one that walks memory fastest (a sum over dim 0, as for a bias gradient), the loops are
 * swapped so memory is read in order, with one accumulator per output: each accumulator still
 * sees its elements in the same order.
 */

import type { ArgReduceOp, ReduceOp, View } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import { collapse, numelOf } from '../../shape.js';
import { codegenConfig, codegenStats } from './codegen.js';

/** Each op as (start value, update of `s` by element `x`): the interpreter's reduceRow, per element. */
const RULES: Record<ReduceOp, [string, string]> = {
  sum: ['0', 's += x;'],
  prod: ['1', 's *= x;'],
  // NaN wins and stays (x > NaN is false); ties keep the first
  max: ['-Infinity', 'if (x > s || x !== x) s = x;'],
  min: ['Infinity', 'if (x < s || x !== x) s = x;'],
  all: ['1', 'if (x === 0) s = 0;'],
  any: ['0', 'if (x !== 0) s = 1;'],
};

type ReduceKernel = (src: TypedArray, off: number, shape: readonly number[], strides: readonly number[], res: Float64Array) => void;

/**
 * Source of a reduction over `nk` kept dims (outermost) and `nr` reduced dims of a collapsed
 * view: res[o] for the o-th kept position in row-major order. `columns`: one kept and one reduced
 * dim, walked reduced-outer (the kept dim is contiguous in memory).
 */
function reduceSource(op: ReduceOp, nk: number, nr: number, columns: boolean): string {
  const [init, update] = RULES[op];
  const nd = nk + nr;
  const head = ['"use strict";', `return function reduce_${op}(src, off, shape, strides, res) {`];
  for (let d = 0; d < nd; d++) head.push(`const n${d} = shape[${d}], s${d} = strides[${d}];`);
  if (columns) {
    return [
      ...head,
      `for (let o = 0; o < n0; o++) res[o] = ${init};`,
      'for (let i = 0, q = off; i < n1; i++, q += s1) {',
      'for (let o = 0, p = q; o < n0; o++, p += s0) {',
      'const x = src[p];',
      `let s = res[o];`,
      update,
      'res[o] = s;',
      '}',
      '}',
      '};',
    ].join('\n');
  }
  const lines = [...head, 'let o = 0;', 'let p0 = off;'];
  const close: string[] = [];
  for (let d = 0; d < nk; d++) {
    lines.push(`for (let i${d} = 0; i${d} < n${d}; i${d}++) {`, `let p${d + 1} = p${d};`);
    close.unshift(`p${d} += s${d};\n}`);
  }
  lines.push(`let s = ${init};`);
  const closeR: string[] = [];
  for (let d = nk; d < nd; d++) {
    lines.push(`for (let i${d} = 0; i${d} < n${d}; i${d}++) {`, `let p${d + 1} = p${d};`);
    closeR.unshift(`p${d} += s${d};\n}`);
  }
  lines.push(`const x = src[p${nd}];`, update, ...closeR, 'res[o++] = s;', ...close, '};');
  return lines.join('\n');
}

/** Argmax/argmin over the last dim of rows: the interpreter's rule (first best; the first NaN wins). */
function argSource(op: ArgReduceOp, nk: number): string {
  const better = op === 'max' ? 'x > bv' : 'x < bv';
  const lines = ['"use strict";', 'return function argreduce(src, off, shape, strides, vals, idx) {'];
  for (let d = 0; d <= nk; d++) lines.push(`const n${d} = shape[${d}], s${d} = strides[${d}];`);
  lines.push('let o = 0;', 'let p0 = off;');
  const close: string[] = [];
  for (let d = 0; d < nk; d++) {
    lines.push(`for (let i${d} = 0; i${d} < n${d}; i${d}++) {`, `let p${d + 1} = p${d};`);
    close.unshift(`p${d} += s${d};\n}`);
  }
  lines.push(
    `let bi = 0, bv = src[p${nk}];`,
    'if (bv === bv) {',
    `for (let i = 1, p = p${nk} + s${nk}; i < n${nk}; i++, p += s${nk}) {`,
    'const x = src[p];',
    'if (x !== x) { bi = i; bv = x; break; }',
    `if (${better}) { bv = x; bi = i; }`,
    '}',
    '}',
    'vals[o] = bv; idx[o++] = bi;',
    ...close,
    '};',
  );
  return lines.join('\n');
}

const kernels = new Map<string, ReduceKernel>();
type ArgKernel = (src: TypedArray, off: number, shape: readonly number[], strides: readonly number[], vals: Float64Array, idx: Float64Array) => void;
const argKernels = new Map<string, ArgKernel>();

/** Collapses the kept dims and the reduced dims of `input` separately: [shape, strides, kept count]. */
function split(input: View, k: number): [number[], number[], number] | null {
  const nd = input.shape.length;
  const keptShape = input.shape.slice(0, nd - k);
  const redShape = input.shape.slice(nd - k);
  const kept = collapse(keptShape, [input.strides.slice(0, nd - k)]);
  const red = collapse(redShape, [input.strides.slice(nd - k)]);
  // collapse turns no dims (or only unit ones) into [1] with stride 0: no kept dims is one position
  const kShape = kept.shape.length === 1 && kept.shape[0] === 1 ? [] : kept.shape;
  const kStrides = kShape.length === 0 ? [] : kept.strides[0]!;
  if (kShape.length + red.shape.length > codegenConfig.maxDims) return null;
  return [[...kShape, ...red.shape], [...kStrides, ...red.strides[0]!], kShape.length];
}

/**
 * res[o] = op over the last `k` dims of `input` at kept position o, read in place; false when
 * this path does not apply (the caller gathers instead).
 */
export function reduceDirect(op: ReduceOp, input: View, k: number, src: TypedArray, res: Float64Array): boolean {
  if (!codegenConfig.enabled) return false;
  const m = numelOf(input.shape.slice(input.shape.length - k));
  if (m === 0 || res.length === 0) return false;
  const s = split(input, k);
  if (!s) return false;
  const [shape, strides, nk] = s;
  const nr = shape.length - nk;
  const columns = nk === 1 && nr === 1 && strides[0] !== 0 && Math.abs(strides[0]!) < Math.abs(strides[1]!);
  const key = `${op}|${src.constructor.name}|${nk}|${nr}|${columns}`;
  let kern = kernels.get(key);
  if (!kern) {
    kern = new Function(reduceSource(op, nk, nr, columns))() as ReduceKernel;
    kernels.set(key, kern);
    codegenStats.compiled++;
  }
  codegenStats.runs++;
  kern(src, input.offset, shape, strides, res);
  return true;
}

/** Values and indices of the max/min over the last dim, read in place; false when not applicable. */
export function argreduceDirect(op: ArgReduceOp, input: View, src: TypedArray, vals: Float64Array, idx: Float64Array): boolean {
  if (!codegenConfig.enabled) return false;
  const nd = input.shape.length;
  if (nd === 0 || input.shape[nd - 1] === 0 || vals.length === 0) return false;
  const kept = collapse(input.shape.slice(0, nd - 1), [input.strides.slice(0, nd - 1)]);
  const kShape = kept.shape.length === 1 && kept.shape[0] === 1 ? [] : kept.shape;
  if (kShape.length + 1 > codegenConfig.maxDims) return false;
  const shape = [...kShape, input.shape[nd - 1]!];
  const strides = [...(kShape.length === 0 ? [] : kept.strides[0]!), input.strides[nd - 1]!];
  const key = `${op}|${src.constructor.name}|${kShape.length}`;
  let kern = argKernels.get(key);
  if (!kern) {
    kern = new Function(argSource(op, kShape.length))() as ArgKernel;
    argKernels.set(key, kern);
    codegenStats.compiled++;
  }
  codegenStats.runs++;
  kern(src, input.offset, shape, strides, vals, idx);
  return true;
}
