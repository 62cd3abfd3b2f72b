/** The CPU backend: storages are typed arrays; kernels are strided loops in plain TypeScript. */

import type { ArgReduceOp, Backend, PointwiseFn, ReduceOp, ScanOp, Storage, View } from '../../backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { float32 } from '../../dtype.js';
import { registerBackend } from '../../device.js';
import { collapse, numelOf } from '../../shape.js';
import { BLOCK, BlockAlgebra } from './algebra.js';
import { gather, scatterRows, unravel } from './strided.js';
import { addmmKernel, matmulKernel } from './matmul.js';
import { nnKernels } from './nn.js';
import { runCompiled } from './codegen.js';
import { signBitKernel } from './relu.js';
import { argreduceDirect, reduceDirect } from './reduce.js';
import { fusedOptimKernels } from './fused_optim.js';
import { softmaxKernels } from './softmax.js';
import { CpuStorage } from './storage.js';
import { allocArray, donate } from './allocator.js';

export { CpuStorage } from './storage.js';
export { cpuAllocConfig, cpuDonateConfig } from './allocator.js';

function data(s: Storage): TypedArray {
  if (!(s instanceof CpuStorage)) throw new Error(`expected a cpu storage, got one of ${s.backend.type}`);
  return s.data;
}

const INT64_NAN = -9223372036854775808;

/** Applies the store semantics of dtypes a typed array cannot express itself. */
function finalize(buf: Float64Array, n: number, dtype: DType): void {
  if (dtype.name === 'bool') {
    for (let i = 0; i < n; i++) buf[i] = buf[i] !== 0 ? 1 : 0;
  } else if (dtype.name === 'int64') {
    for (let i = 0; i < n; i++) {
      const x = buf[i]!;
      buf[i] = Number.isFinite(x) ? Math.trunc(x) : INT64_NAN;
    }
  }
}

const algebra = new BlockAlgebra();
const scratch: Float64Array[] = [];
function scratchBuf(k: number, n = BLOCK): Float64Array {
  let b = scratch[k];
  if (!b || b.length < n) scratch[k] = b = new Float64Array(Math.max(n, BLOCK));
  return b;
}

/** Walks `shape` in blocks, handing each block's length and starting multi-index to `body`. */
function forBlocks(shape: readonly number[], total: number, body: (n: number, start: number[]) => void): void {
  const idx = new Array<number>(shape.length).fill(0);
  for (let s = 0; s < total; s += BLOCK) {
    const n = Math.min(BLOCK, total - s);
    unravel(s, shape, idx);
    body(n, idx);
  }
}

function pointwise(fn: PointwiseFn, out: View, inputs: readonly (View | number)[]): void {
  const total = numelOf(out.shape);
  if (total === 0) return;
  const strides: (readonly number[])[] = [out.strides];
  for (const x of inputs) if (typeof x !== 'number') strides.push(x.strides);
  const c = collapse(out.shape, strides);
  const dst = data(out.storage);
  const src = inputs[0];
  if (fn.key === 'identity' && typeof src !== 'number' && src.dtype === out.dtype && c.shape.length === 1 && c.strides[1]![0] === 1 && c.strides[0]![0] === 1) {
    // a dense copy within one dtype (clone, contiguous, copy_) is a block copy: 4x the loop on 1.2 MB
    dst.set(data(src.storage).subarray(src.offset, src.offset + total), out.offset);
    return;
  }
  if (signBitKernel(fn, out, inputs, c.shape, c.strides, data)) return;
  if (runCompiled(fn, out, dst, inputs, c.shape, c.strides, data)) return;
  if (c.shape.length === 1 && total <= BLOCK) {
    linearBlock(fn, out, inputs, c.strides, total, dst);
    return;
  }
  forBlocks(c.shape, total, (n, start) => {
    algebra.reset(n);
    let k = 0;
    const xs = inputs.map((x) => {
      if (typeof x === 'number') return algebra.c(x);
      const buf = algebra.tmp();
      k++;
      gather(data(x.storage), x.offset, c.shape, c.strides[k]!, start, n, buf);
      return buf;
    });
    const r = fn.f(algebra, ...xs);
    finalize(r, n, out.dtype);
    scatterRows(dst, out.offset, c.shape, c.strides[0]!, start, n, r);
  });
}

/**
 * The common case of small ops (a training step on a mini-batch): one block, every operand a
 * single strided run. Contiguous inputs are read in place; contiguous outputs take one `set`.
 */
function linearBlock(fn: PointwiseFn, out: View, inputs: readonly (View | number)[], strides: number[][], n: number, dst: TypedArray): void {
  algebra.reset(n);
  const xs: Float64Array[] = [];
  let k = 0;
  for (const x of inputs) {
    if (typeof x === 'number') {
      xs.push(algebra.c(x));
      continue;
    }
    const s = strides[++k]![0]!;
    const src = data(x.storage);
    const buf = algebra.tmp();
    // the native, type-converting set(): a JS loop here would see every typed-array kind
    if (s === 1) buf.set(src.subarray(x.offset, x.offset + n));
    else if (s === 0) buf.fill(src[x.offset]!, 0, n);
    else for (let i = 0, p = x.offset; i < n; i++, p += s) buf[i] = src[p]!;
    xs.push(buf);
  }
  const r = fn.f(algebra, ...xs);
  finalize(r, n, out.dtype);
  const so = strides[0]![0]!;
  if (so === 1) dst.set(r.subarray(0, n), out.offset);
  else for (let i = 0, p = out.offset; i < n; i++, p += so) dst[p] = r[i]!;
}

/** How many values forRows gathers at once: several short rows per walk, bounded memory. */
const ROWS_CHUNK = 1 << 16;

/**
 * Calls body(o, buf, at, m) for each outer position o of `input` (its leading dims), with that
 * position's m values (over the last `k` dims) at buf[at .. at + m). Many short rows are gathered
 * in one strided walk, so reducing a small last dim costs no walk per row.
 */
function forRows(input: View, k: number, body: (o: number, buf: Float64Array, at: number, m: number) => void): void {
  const nd = input.shape.length;
  const m = numelOf(input.shape.slice(nd - k));
  const outer = numelOf(input.shape.slice(0, nd - k));
  if (m === 0) {
    const none = scratchBuf(0, 0);
    for (let o = 0; o < outer; o++) body(o, none, 0, 0);
    return;
  }
  const c = collapse(input.shape, [input.strides]);
  const src = data(input.storage);
  const rowsPer = Math.max(1, Math.floor(ROWS_CHUNK / m));
  const buf = scratchBuf(0, Math.min(outer, rowsPer) * m);
  const idx = new Array<number>(c.shape.length).fill(0);
  for (let o0 = 0; o0 < outer; o0 += rowsPer) {
    const r = Math.min(rowsPer, outer - o0);
    unravel(o0 * m, c.shape, idx);
    gather(src, input.offset, c.shape, c.strides[0]!, idx, r * m, buf);
    for (let j = 0; j < r; j++) body(o0 + j, buf, j * m, m);
  }
}

/** Writes per-outer-position results (in row-major order of out's shape) into a strided view. */
function writeRows(out: View, values: Float64Array): void {
  const total = numelOf(out.shape);
  if (total === 0) return;
  finalize(values, total, out.dtype);
  const c = collapse(out.shape, [out.strides]);
  const start = new Array<number>(c.shape.length).fill(0);
  scatterRows(data(out.storage), out.offset, c.shape, c.strides[0]!, start, total, values);
}

function reduceRow(op: ReduceOp, b: Float64Array, at: number, m: number): number {
  const e = at + m;
  switch (op) {
    case 'sum': {
      let s = 0;
      for (let i = at; i < e; i++) s += b[i]!;
      return s;
    }
    case 'prod': {
      let s = 1;
      for (let i = at; i < e; i++) s *= b[i]!;
      return s;
    }
    case 'max': {
      let s = -Infinity;
      for (let i = at; i < e; i++) {
        const x = b[i]!;
        if (x !== x) return NaN;
        if (x > s) s = x;
      }
      return s;
    }
    case 'min': {
      let s = Infinity;
      for (let i = at; i < e; i++) {
        const x = b[i]!;
        if (x !== x) return NaN;
        if (x < s) s = x;
      }
      return s;
    }
    case 'all':
      for (let i = at; i < e; i++) if (b[i] === 0) return 0;
      return 1;
    case 'any':
      for (let i = at; i < e; i++) if (b[i] !== 0) return 1;
      return 0;
  }
}

function readView(v: View): TypedArray {
  const n = numelOf(v.shape);
  const src = data(v.storage);
  const out = new v.dtype.array(n);
  if (n === 0) return out;
  const c = collapse(v.shape, [v.strides]);
  if (c.shape.length === 1 && c.strides[0]![0] === 1) {
    out.set(src.subarray(v.offset, v.offset + n));
    return out;
  }
  const buf = new Float64Array(n);
  gather(src, v.offset, c.shape, c.strides[0]!, new Array<number>(c.shape.length).fill(0), n, buf);
  out.set(buf);
  return out;
}

/** Backend.indexSelect: each selected row in one bulk copy when rows are dense, else gathered. */
function indexSelect(input: View, index: View, out: View): void {
  const src = data(input.storage);
  const dst = data(out.storage);
  const idx = data(index.storage);
  const rowShape = input.shape.slice(1);
  const rowStrides = input.strides.slice(1);
  const len = numelOf(rowShape);
  const c = collapse(rowShape, [rowStrides]);
  const dense = len <= 1 || (c.shape.length === 1 && c.strides[0]![0] === 1);
  const n = index.shape[0]!;
  const is = index.strides[0]!;
  for (let j = 0; j < n; j++) {
    const start = input.offset + idx[index.offset + j * is]! * input.strides[0]!;
    if (dense) dst.set(src.subarray(start, start + len), out.offset + j * len);
    else dst.set(readView({ ...input, shape: rowShape, strides: rowStrides, offset: start }), out.offset + j * len);
  }
}

export const cpuBackend: Backend = {
  type: 'cpu',
  nn: nnKernels,
  ...softmaxKernels,
  fusedOptim: fusedOptimKernels(
    (v) => data(v.storage),
    (arr) => new CpuStorage(cpuBackend, float32, arr, true),
    (s, move) => {
      if (!(s instanceof CpuStorage) || !s.owned || !(s.data instanceof Float32Array)) return;
      const arr = move(s.data);
      if (arr !== null) s.data = arr;
    },
  ),
  indexSelect,
  addmm: (bias, a, m, out) => addmmKernel(data(bias.storage), bias, data(a.storage), a, data(m.storage), m, data(out.storage), out),
  alloc(dtype, numel, _index, overwritten, transient, recurring) {
    return new CpuStorage(cpuBackend, dtype, allocArray(dtype, numel, overwritten, transient, recurring), true);
  },
  donate,
  fromArray(dtype, arr) {
    return new CpuStorage(cpuBackend, dtype, arr);
  },
  read: readView,
  write(dst, values) {
    const n = numelOf(dst.shape);
    const c = collapse(dst.shape, [dst.strides]);
    if (n === 1 || (c.shape.length === 1 && c.strides[0]![0] === 1)) {
      // one run: the typed array's own set, with the same conversion as the element loop below
      data(dst.storage).set(values.length === n ? values : values.subarray(0, n), dst.offset);
      return;
    }
    const buf = new Float64Array(n);
    for (let i = 0; i < n; i++) buf[i] = values[i]!;
    writeRows(dst, buf);
  },
  pointwise,
  reduce(op, input, out, k) {
    const res = new Float64Array(numelOf(out.shape));
    if (!reduceDirect(op, input, k, data(input.storage), res)) {
      forRows(input, k, (o, b, at, m) => {
        res[o] = reduceRow(op, b, at, m);
      });
    }
    writeRows(out, res);
  },
  argreduce(op: ArgReduceOp, input, values, indices) {
    const n = numelOf(indices.shape);
    const vals = new Float64Array(n);
    const idx = new Float64Array(n);
    const better = op === 'max' ? (x: number, y: number) => x > y : (x: number, y: number) => x < y;
    if (!argreduceDirect(op, input, data(input.storage), vals, idx)) forRows(input, 1, (o, b, at, m) => {
      let bi = 0;
      let bv = b[at]!;
      if (bv === bv) {
        for (let i = 1; i < m; i++) {
          const x = b[at + i]!;
          if (x !== x) {
            bi = i;
            bv = x;
            break;
          }
          if (better(x, bv)) {
            bv = x;
            bi = i;
          }
        }
      }
      vals[o] = bv;
      idx[o] = bi;
    });
    if (values) writeRows(values, vals);
    writeRows(indices, idx);
  },
  scan(op: ScanOp, input, out, indices) {
    const n = numelOf(out.shape);
    const res = new Float64Array(n);
    const idx = indices ? new Float64Array(n) : null;
    forRows(input, 1, (o, b, at, m) => {
      const base = o * m;
      let acc = op === 'cumprod' ? 1 : op === 'cumsum' ? 0 : b[at]!;
      let ai = 0;
      for (let i = 0; i < m; i++) {
        const x = b[at + i]!;
        if (op === 'cumsum') acc += x;
        else if (op === 'cumprod') acc *= x;
        else if (acc === acc && (x !== x || (op === 'cummax' ? x >= acc : x <= acc))) {
          acc = x;
          ai = i;
        }
        res[base + i] = acc;
        if (idx) idx[base + i] = ai;
      }
    });
    writeRows(out, res);
    if (indices && idx) writeRows(indices, idx);
  },
  sort(input, values, indices, descending) {
    const n = numelOf(values.shape);
    const vals = new Float64Array(n);
    const idx = new Float64Array(n);
    let order: number[] = [];
    forRows(input, 1, (o, b, at, m) => {
      if (order.length !== m) order = Array.from({ length: m }, (_, i) => i);
      else for (let i = 0; i < m; i++) order[i] = i;
      // NaN sorts as the largest value, as in PyTorch; ties keep their order (stable)
      const key = (i: number) => b[at + i]!;
      order.sort((i, j) => {
        const x = key(i);
        const y = key(j);
        const xn = x !== x;
        const yn = y !== y;
        let c = xn || yn ? (xn === yn ? 0 : xn ? 1 : -1) : x < y ? -1 : x > y ? 1 : 0;
        if (descending) c = -c;
        return c !== 0 ? c : i - j;
      });
      const base = o * m;
      for (let i = 0; i < m; i++) {
        vals[base + i] = b[at + order[i]!]!;
        idx[base + i] = order[i]!;
      }
    });
    writeRows(values, vals);
    writeRows(indices, idx);
  },
  matmul(a, m, out) {
    matmulKernel(data(a.storage), a, data(m.storage), m, data(out.storage), out);
  },
  take(src, offsets, out) {
    const s = data(src);
    const off = readView(offsets);
    const n = off.length;
    const buf = new Float64Array(n);
    for (let i = 0; i < n; i++) buf[i] = s[off[i]!]!;
    writeRows(out, buf);
  },
  put(dst, offsets, values, accumulate) {
    const d = data(dst);
    const off = readView(offsets);
    const vals = readView(values);
    const n = off.length;
    if (accumulate) for (let i = 0; i < n; i++) d[off[i]!] = d[off[i]!]! + vals[i]!;
    else for (let i = 0; i < n; i++) d[off[i]!] = vals[i]!;
  },
};

registerBackend('cpu', () => cpuBackend);
