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
 * sees its elements in the same order (float32 sums of that kind run in reduce.wasm, likewise).
 */

import type { ArgReduceOp, ReduceOp, View } from '../../backend.js';
import type { TypedArray } from '../../dtype.js';
import { collapse, numelOf } from '../../shape.js';
import { codegenConfig, codegenStats } from './codegen.js';
import { instantiate } from './wasm/gemm.js';

/**
 * For tests and benchmarks: the element count from which float32 column sums run in reduce.wasm
 * (Infinity: never), and how many did so far.
 */
export const columnSumConfig = { wasmMin: 256, runs: 0 };

interface ColumnSumExports {
  memory: { buffer: ArrayBuffer };
  colsum(x: number, rows: number, cols: number, acc: number): void;
}

/** reduce.wasm's memory: the float64 sums at 0 (up to MAX_COLS), then a block of staged rows. */
const MAX_COLS = 8192;
const ROWS_AT = MAX_COLS * 8;
let colsum: { x: ColumnSumExports; f32: Float32Array; f64: Float64Array } | null | undefined;

/**
 * res[o] = Σ_i src[off + i·rowStride + o] for o < cols, i < rows, each in float64 in row order,
 * in reduce.wasm; false when it is not built or the rows are too wide. Why: the JavaScript loop
 * costs about 2 ns per element (a bias gradient of 64 x 64: 10 µs, PyTorch 1.9); the rows are
 * copied in blocks (their memory is the JavaScript heap's) and summed four floats at a time.
 */
function columnSums(src: Float32Array, off: number, rows: number, cols: number, rowStride: number, res: Float64Array): boolean {
  if (cols > MAX_COLS) return false;
  if (colsum === undefined) {
    const x = instantiate<ColumnSumExports>('./reduce.wasm');
    colsum = x && { x, f32: new Float32Array(x.memory.buffer), f64: new Float64Array(x.memory.buffer) };
  }
  if (colsum === null) return false;
  const { x, f32, f64 } = colsum;
  f64.fill(0, 0, cols);
  const block = Math.floor((f32.length - ROWS_AT / 4) / cols);
  for (let r = 0; r < rows; r += block) {
    const n = Math.min(block, rows - r);
    const from = off + r * rowStride;
    if (rowStride === cols) f32.set(src.subarray(from, from + n * cols), ROWS_AT / 4);
    else for (let i = 0; i < n; i++) f32.set(src.subarray(from + i * rowStride, from + i * rowStride + cols), ROWS_AT / 4 + i * cols);
    x.colsum(ROWS_AT, n, cols, 0);
  }
  res.set(f64.subarray(0, cols));
  columnSumConfig.runs++;
  return true;
}

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
  if (
    op === 'sum' && columns && src instanceof Float32Array && strides[0] === 1 && strides[1]! >= shape[0]! &&
    shape[0]! * shape[1]! >= columnSumConfig.wasmMin && columnSums(src, input.offset, shape[1]!, shape[0]!, strides[1]!, res)
  ) {
    return true;
  }
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
