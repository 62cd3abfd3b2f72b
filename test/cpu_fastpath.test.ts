/**
 * The CPU backend's fast paths against its plain ones, bit for bit: compiled elementwise kernels
 * (lib/backends/cpu/codegen.ts) against the block interpreter, and the direct reductions against
 * the gathering ones, over every op of the table, every dtype, and the layouts that pick
 * different loops (contiguous, broadcast, strided, negative strides, offsets, in place, 0-d,
 * more dims than the compiled kernels take).
 */

import { describe, expect, it } from 'vitest';
// the library first: the op table's modules need Tensor defined when they load
import torch from '../lib/index.js';
import type { PointwiseFn, ReduceOp, View } from '../lib/backend.js';
import { cpuBackend, CpuStorage } from '../lib/backends/cpu/index.js';
import { codegenConfig, codegenStats } from '../lib/backends/cpu/codegen.js';
import { signBitConfig } from '../lib/backends/cpu/relu.js';
import { residentArray } from '../lib/backends/cpu/wasm/resident.js';
import { columnSumConfig } from '../lib/backends/cpu/reduce.js';
import * as dt from '../lib/dtype.js';
import type { DType, TypedArray } from '../lib/dtype.js';
import { allPointwiseDefs } from '../lib/ops/pointwise.js';
import { contiguousStrides, numelOf } from '../lib/shape.js';

const DTYPES = [dt.float32, dt.float64, dt.int32, dt.int64, dt.uint8, dt.bool];
/** Values that tell rounding, wrapping, NaN, infinities and signed zeros apart. */
const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3, -7, 1e-3, 300, -129, 3e9, -5e9, 1e20, NaN, Infinity, -Infinity];

let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
}

/** A storage of `size` elements holding special values and random ones (as `dtype` stores them). */
function storage(dtype: DType, size: number): CpuStorage {
  const arr = new dtype.array(size);
  for (let i = 0; i < size; i++) {
    const v = i % 3 === 0 ? SPECIAL[(i / 3) % SPECIAL.length]! : (rand() - 0.5) * 8;
    arr[i] = dtype === dt.bool ? (v !== 0 && v === v ? 1 : 0) : dtype === dt.int64 ? (Number.isFinite(v) ? Math.trunc(v) : -9223372036854775808) : v;
  }
  return new CpuStorage(cpuBackend, dtype, arr);
}

function view(s: CpuStorage, shape: number[], strides: number[], offset = 0): View {
  return { storage: s, dtype: s.dtype, shape, strides, offset };
}

/** Runs `fn` with the interpreter and with the compiled kernels on copies of the output; both results. */
function both(fn: PointwiseFn, out: View, inputs: (View | number)[]): [TypedArray, TypedArray] {
  const o = out.storage as CpuStorage;
  const init = o.data.slice();
  const saved = codegenConfig.enabled;
  // relu's sign-bit kernels have their own test below
  signBitConfig.enabled = false;
  try {
    codegenConfig.enabled = false;
    cpuBackend.pointwise(fn, out, inputs);
    const plain = o.data.slice();
    o.data.set(init);
    codegenConfig.enabled = true;
    cpuBackend.pointwise(fn, out, inputs);
    const fast = o.data.slice();
    o.data.set(init);
    return [plain, fast];
  } finally {
    codegenConfig.enabled = saved;
    signBitConfig.enabled = true;
  }
}

const show = (v: number | undefined): string => (Object.is(v, -0) ? '-0' : String(v));

function expectSame(plain: TypedArray, fast: TypedArray, what: string): void {
  expect(fast.length).toBe(plain.length);
  for (let i = 0; i < plain.length; i++) {
    if (!Object.is(plain[i], fast[i])) {
      expect.fail(`${what}: element ${i} is ${show(fast[i])} on the fast path, ${show(plain[i])} on the plain one`);
    }
  }
}

/**
 * Input layouts over the output shape [4, 5, 6], each a function of a fresh storage: what each
 * exercises is in its name.
 */
const SHAPE = [4, 5, 6];
const layouts: [string, (d: DType) => View][] = [
  ['contiguous', (d) => view(storage(d, 120), SHAPE, [30, 6, 1])],
  ['offset and inner stride 2', (d) => view(storage(d, 260), SHAPE, [60, 12, 2], 17)],
  ['transposed (permuted dims)', (d) => view(storage(d, 120), SHAPE, [1, 4, 20])],
  ['broadcast rows (outer stride 0)', (d) => view(storage(d, 6), SHAPE, [0, 0, 1])],
  ['broadcast column (inner stride 0)', (d) => view(storage(d, 20), SHAPE, [5, 1, 0])],
  ['one element broadcast everywhere', (d) => view(storage(d, 3), SHAPE, [0, 0, 0], 2)],
  ['negative inner stride', (d) => view(storage(d, 130), SHAPE, [30, 6, -1], 8)],
];

const PARAM_LAST = new Set(['add', 'sub', 'addcmul', 'addcdiv']);
const fns = allPointwiseDefs().map((def) => ({ name: def.name, fn: { key: def.name, f: def.f } as PointwiseFn, arity: def.f.length - 1 }));
const identity: PointwiseFn = { key: 'identity', f: (_A, x) => x };

describe('compiled elementwise kernels match the block interpreter bit for bit', () => {
  it('every op of the table, every dtype, every layout', () => {
    const before = codegenStats.runs;
    let cases = 0;
    for (const { name, fn, arity } of fns) {
      for (const d of DTYPES) {
        for (let li = 0; li < layouts.length; li++) {
          // operand k takes layout li + k (mod count), so pairs of layouts meet; extra params are numbers
          // the last operand is a number where the runner passes a param (alpha, weight, value),
          // and on odd layouts operand 1 is a number too (a scalar operand)
          const inputs: (View | number)[] = [];
          for (let k = 0; k < arity; k++) {
            const param = k === arity - 1 && k > 0 && PARAM_LAST.has(name);
            inputs.push(param ? 0.75 : k === 1 && li % 2 === 1 ? SPECIAL[li]! : layouts[(li + k) % layouts.length]![1](d));
          }
          const out = view(storage(d, 120), SHAPE, contiguousStrides(SHAPE));
          const [plain, fast] = both(fn, out, inputs);
          expectSame(plain, fast, `${name} ${d.name} ${layouts[li]![0]}`);
          cases++;
        }
      }
    }
    expect(cases).toBe(fns.length * DTYPES.length * layouts.length);
    expect(codegenStats.runs - before).toBe(cases);
  });

  it('stores into bool, int64, int32 and uint8 outputs with their semantics (from float64 inputs)', () => {
    const x = view(storage(dt.float64, 120), SHAPE, [30, 6, 1]);
    const y = view(storage(dt.float64, 120), SHAPE, [1, 4, 20]);
    for (const d of DTYPES) {
      for (const { name, fn, arity } of fns.filter((f) => ['div', 'mul', 'sub', 'exp', 'neg', 'round', 'pow', 'remainder'].includes(f.name))) {
        const inputs = [x, y, 1].slice(0, arity);
        const out = view(storage(d, 120), SHAPE, contiguousStrides(SHAPE));
        const [plain, fast] = both(fn, out, inputs);
        expectSame(plain, fast, `${name} into ${d.name}`);
      }
    }
    // the store semantics themselves: NaN and ±inf become int64's minimum, bool is any non-zero
    const vals = new CpuStorage(cpuBackend, dt.float64, Float64Array.from([NaN, Infinity, -Infinity, 2.7, -2.7, -0, 0.1]));
    const i64 = new CpuStorage(cpuBackend, dt.int64, new Float64Array(7));
    const b = new CpuStorage(cpuBackend, dt.bool, new Uint8Array(7));
    cpuBackend.pointwise(identity, view(i64, [7], [1]), [view(vals, [7], [1])]);
    cpuBackend.pointwise(identity, view(b, [7], [1]), [view(vals, [7], [1])]);
    expect(Array.from(i64.data)).toEqual([-9223372036854775808, -9223372036854775808, -9223372036854775808, 2, -2, -0, 0]);
    expect(Array.from(b.data)).toEqual([1, 1, 1, 1, 1, 0, 1]);
  });

  it('strided and offset outputs, in place, 0-d, one element, empty, and more dims than compiled kernels take', () => {
    const mul = fns.find((f) => f.name === 'mul')!.fn;
    const add = fns.find((f) => f.name === 'add')!.fn;
    for (const d of DTYPES) {
      // a transposed output with an offset
      const outT = view(storage(d, 140), SHAPE, [1, 4, 20], 7);
      let [p, f] = both(mul, outT, [layouts[0]![1](d), layouts[2]![1](d)]);
      expectSame(p, f, `mul into a transposed output, ${d.name}`);
      // in place: the output is the first input (same view), as x.add_(y)
      const s = storage(d, 120);
      const self = view(s, SHAPE, [30, 6, 1]);
      [p, f] = both(add, self, [self, layouts[3]![1](d), 3]);
      expectSame(p, f, `in-place add, ${d.name}`);
      // in place through a transposed view of itself
      const selfT = view(s, SHAPE, [1, 4, 20]);
      [p, f] = both(mul, selfT, [selfT, selfT]);
      expectSame(p, f, `in-place square through a transposed view, ${d.name}`);
      // 0-d with a scalar
      [p, f] = both(add, view(storage(d, 4), [], [], 3), [view(storage(d, 5), [], [], 4), 2.5, -1]);
      expectSame(p, f, `0-d add, ${d.name}`);
      // 9 dims that cannot merge: the interpreter's path
      const shape9 = [2, 2, 2, 2, 2, 2, 2, 2, 2];
      const strides9 = [1, 2, 4, 8, 16, 32, 64, 128, 256];
      const runs = codegenStats.runs;
      [p, f] = both(mul, view(storage(d, 512), shape9, contiguousStrides(shape9)), [view(storage(d, 512), shape9, strides9), view(storage(d, 520), shape9, contiguousStrides(shape9), 5)]);
      expectSame(p, f, `9-d mul, ${d.name}`);
      expect(codegenStats.runs).toBe(runs);
    }
    // an empty output runs nothing and fails nothing
    const e = view(storage(dt.float32, 1), [0, 3], [3, 1]);
    const [p, f] = both(mul, e, [e, 2]);
    expectSame(p, f, 'empty');
  });

  it('large tensors (several interpreter blocks) and the ops of a training step through the public API', () => {
    const n = 5000;
    const x = torch.randn(n, 7);
    const b = torch.randn(7);
    const check = (what: string, f: () => ReturnType<typeof torch.randn>) => {
      codegenConfig.enabled = false;
      const plain = f().numpy().slice();
      codegenConfig.enabled = true;
      const fast = f().numpy().slice();
      expectSame(plain, fast, what);
    };
    try {
      check('add bias', () => x.add(b));
      check('relu', () => x.relu());
      check('sigmoid of transposed', () => x.t().sigmoid());
      check('where', () => x.where(x.gt(0), b));
      check('contiguous of transposed', () => x.t().contiguous());
      check('int64 floor division', () => x.mul(10).long().div(3, { rounding_mode: 'floor' }));
      check('bool logical_xor', () => x.gt(0).logical_xor(b.lt(0)));
      check('uint8 wrap', () => x.mul(100).to(torch.uint8));
    } finally {
      codegenConfig.enabled = true;
    }
  });
});

describe('compiled kernel caching', () => {
  it('keys kernels by the function: two functions under one key that capture different values stay apart', () => {
    const x = view(storage(dt.float64, 12), [12], [1]);
    const scaled = (k: number): PointwiseFn => ({ key: 'test_scaled', f: (A, v) => A.mul(v, A.c(k)) });
    for (const k of [2, -3, 0.5]) {
      const out = view(new CpuStorage(cpuBackend, dt.float64, new Float64Array(12)), [12], [1]);
      cpuBackend.pointwise(scaled(k), out, [x]);
      const src = (x.storage as CpuStorage).data;
      expect(Array.from((out.storage as CpuStorage).data)).toEqual(Array.from(src, (v) => v * k));
    }
  });

  it('a key that keeps bringing fresh functions is interpreted after a few, with the same results', () => {
    const x = view(storage(dt.float32, 50), [5, 10], [10, 1]);
    const fresh = (): PointwiseFn => ({ key: 'test_fresh', f: (A, v) => A.add(A.mul(v, v), A.c(1)) });
    let compiled = 0;
    for (let i = 0; i < codegenConfig.maxFunctionsPerKey + 5; i++) {
      const runs = codegenStats.runs;
      const [p, f] = both(fresh(), view(storage(dt.float32, 50), [5, 10], [10, 1]), [x]);
      expectSame(p, f, `fresh function ${i}`);
      if (codegenStats.runs > runs) compiled++;
    }
    expect(compiled).toBe(codegenConfig.maxFunctionsPerKey);
  });
});

/** Runs a reduction with the gathering path and with the direct one: both results. */
function reduceBoth(op: ReduceOp, input: View, outShape: number[], k: number, outDtype: DType): [TypedArray, TypedArray] {
  const out = view(new CpuStorage(cpuBackend, outDtype, new outDtype.array(numelOf(outShape))), outShape, contiguousStrides(outShape));
  const saved = codegenConfig.enabled;
  // relu's sign-bit kernels have their own test below
  signBitConfig.enabled = false;
  try {
    codegenConfig.enabled = false;
    cpuBackend.reduce(op, input, out, k);
    const plain = (out.storage as CpuStorage).data.slice();
    codegenConfig.enabled = true;
    cpuBackend.reduce(op, input, out, k);
    return [plain, (out.storage as CpuStorage).data.slice()];
  } finally {
    codegenConfig.enabled = saved;
  }
}

function argBoth(op: 'max' | 'min', input: View, outShape: number[]): [TypedArray, TypedArray, TypedArray, TypedArray] {
  const mk = (d: DType) => view(new CpuStorage(cpuBackend, d, new d.array(numelOf(outShape))), outShape, contiguousStrides(outShape));
  const saved = codegenConfig.enabled;
  try {
    const res: TypedArray[] = [];
    for (const on of [false, true]) {
      codegenConfig.enabled = on;
      const v = mk(input.dtype);
      const i = mk(dt.int64);
      cpuBackend.argreduce(op, input, v, i);
      res.push((v.storage as CpuStorage).data.slice(), (i.storage as CpuStorage).data.slice());
    }
    return res as [TypedArray, TypedArray, TypedArray, TypedArray];
  } finally {
    codegenConfig.enabled = saved;
  }
}

describe('direct reductions match the gathering ones bit for bit', () => {
  /** [name, input layout as (shape, strides, offset, storage size), reduced trailing dims]. */
  const cases: [string, number[], number[], number, number, number][] = [
    ['last dim of contiguous rows', [8, 13], [13, 1], 0, 104, 1],
    ['all dims (as sum())', [8, 13], [13, 1], 0, 104, 2],
    ['dim 0 of a matrix (bias gradient: kept dim contiguous)', [13, 8], [1, 13], 0, 104, 1],
    ['dim 0 with an offset and strided rows', [6, 9], [1, 20], 3, 200, 1],
    ['two trailing dims of a 4-d window view', [3, 4, 2, 2], [16, 2, 4, 1], 1, 64, 2],
    ['middle dim (permuted)', [4, 6, 5], [30, 1, 6], 0, 120, 1],
    ['broadcast input (stride 0)', [5, 7], [0, 1], 2, 10, 1],
    ['reduced dim broadcast', [5, 7], [1, 0], 0, 5, 1],
    ['0-d input', [], [], 4, 6, 0],
    ['a single kept position', [1, 1, 9], [9, 9, 1], 0, 9, 1],
  ];
  const ops: ReduceOp[] = ['sum', 'prod', 'max', 'min', 'all', 'any'];

  it('every op, every input dtype, every layout', () => {
    const before = codegenStats.runs;
    let n = 0;
    for (const [name, shape, strides, offset, size, k] of cases) {
      for (const d of DTYPES) {
        const input = view(storage(d, size), shape, strides, offset);
        for (const op of ops) {
          const outDtype = op === 'all' || op === 'any' ? dt.bool : op === 'sum' || op === 'prod' ? (d.is_floating_point ? d : dt.int64) : d;
          const [p, f] = reduceBoth(op, input, shape.slice(0, shape.length - k), k, outDtype);
          expectSame(p, f, `${op} over ${name}, ${d.name}`);
          n++;
        }
      }
    }
    expect(codegenStats.runs - before).toBe(n);
  });

  it('large column sums read memory in order and agree (float32 accumulated in float64, in reduce.wasm and in JavaScript)', () => {
    // several of reduce.wasm's row blocks, rows of 4k + 2 floats, dense or strided (a column window)
    for (const [cols, rowStride, offset] of [[70, 70, 0], [70, 75, 3], [64, 64, 0], [5, 9, 1]] as const) {
      const rows = 3000;
      const input = view(storage(dt.float32, offset + rows * rowStride), [cols, rows], [1, rowStride], offset);
      const runs = columnSumConfig.runs;
      const [p, f] = reduceBoth('sum', input, [cols], 1, dt.float32);
      expectSame(p, f, `sum over dim 0 of [${rows}, ${cols}] (rows ${rowStride} apart), reduce.wasm`);
      expect(columnSumConfig.runs).toBe(runs + 1);
      columnSumConfig.wasmMin = Infinity;
      try {
        const [, js] = reduceBoth('sum', input, [cols], 1, dt.float32);
        expectSame(js, f, `sum over dim 0 of [${rows}, ${cols}], JavaScript against reduce.wasm`);
      } finally {
        columnSumConfig.wasmMin = 256;
      }
    }
  });

  it('empty rows and too many dims take the gathering path', () => {
    const runs = codegenStats.runs;
    const empty = view(storage(dt.float32, 1), [3, 0], [0, 1]);
    const [p, f] = reduceBoth('sum', empty, [3], 1, dt.float32);
    expectSame(p, f, 'sum of empty rows');
    expect(Array.from(f)).toEqual([0, 0, 0]);
    const shape9 = [2, 2, 2, 2, 2, 2, 2, 2, 2];
    const [p9, f9] = reduceBoth('max', view(storage(dt.float64, 512), shape9, [1, 2, 4, 8, 16, 32, 64, 128, 256]), shape9.slice(0, 5), 4, dt.float64);
    expectSame(p9, f9, '9-d max');
    expect(codegenStats.runs).toBe(runs);
  });

  it('argmax and argmin: first index of the best, NaN wins, over layouts and dtypes', () => {
    for (const [name, shape, strides, offset, size] of cases.filter((c) => c[1].length > 0)) {
      for (const d of DTYPES) {
        const input = view(storage(d, size), shape, strides, offset);
        for (const op of ['max', 'min'] as const) {
          const [pv, pi, fv, fi] = argBoth(op, input, shape.slice(0, -1));
          expectSame(pv, fv, `arg${op} values over ${name}, ${d.name}`);
          expectSame(pi, fi, `arg${op} indices over ${name}, ${d.name}`);
        }
      }
    }
  });
});

describe("relu's sign-bit kernels (lib/backends/cpu/relu.ts, in JavaScript and in relu.wasm) match the block interpreter bit for bit", () => {
  // every class of float32 bits: signed zeros and NaNs with payloads, denormals, infinities
  const bits = [0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x3f800000, 0xbf800000, 0x7f7fffff, 0xff7fffff,
    0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff];
  const n = bits.length * bits.length;
  // past two of relu.wasm's 8,192-element chunks; the last one, 943 = 8k + 7, ends in the scalar tail
  const EXTRA = 17003;
  function operands(): [CpuStorage, CpuStorage] {
    // every pair (g, y) of the classes, then random floats of both signs
    const g = new Int32Array(n + EXTRA);
    const y = new Int32Array(n + EXTRA);
    for (let i = 0; i < n; i++) [g[i], y[i]] = [bits[i % bits.length]! | 0, bits[Math.floor(i / bits.length)]! | 0];
    const f = new Float32Array(g.buffer);
    const h = new Float32Array(y.buffer);
    for (let i = n; i < n + EXTRA; i++) [f[i], h[i]] = [(rand() - 0.5) * 10, (rand() - 0.5) * 10];
    return [new CpuStorage(cpuBackend, dt.float32, f), new CpuStorage(cpuBackend, dt.float32, h)];
  }
  for (const name of ['relu', 'threshold_backward']) {
    for (const [path, wasmMin] of [['JavaScript', Infinity], ['relu.wasm', 0]] as const) {
      it(`${name} (${path})`, () => {
        const { fn, arity } = fns.find((f) => f.name === name)!;
        const [g, y] = operands();
        const size = n + EXTRA;
        const inputs = [view(g, [size], [1]), view(y, [size], [1])].slice(0, arity);
        const run = (fast: boolean): Int32Array => {
          const out = new CpuStorage(cpuBackend, dt.float32, new Float32Array(size));
          signBitConfig.enabled = fast;
          signBitConfig.wasmMin = wasmMin;
          codegenConfig.enabled = false;
          try {
            cpuBackend.pointwise(fn, view(out, [size], [1]), inputs);
          } finally {
            signBitConfig.enabled = true;
            signBitConfig.wasmMin = 64;
            codegenConfig.enabled = true;
          }
          return new Int32Array(out.data.buffer);
        };
        const plain = run(false);
        const fast = run(true);
        for (let i = 0; i < size; i++) {
          if (plain[i] !== fast[i]) expect.fail(`${name}: element ${i} has bits ${fast[i]} on the fast path, ${plain[i]} on the plain one`);
        }
        // the fast path ran: NaN payloads survive it (the interpreter's float64 staging keeps them too)
        expect(fast[bits.length * 13 + 12]).toBe(0x7fc00000 | 0);
      });
    }
  }
  for (const where of ['a JavaScript array', "the kernels' memory"] as const) {
    it(`threshold_backward from relu.wasm's decision bits into ${where}: the result's bits, and y's again once y changes`, () => {
      const relu = fns.find((f) => f.name === 'relu')!.fn;
      const tb = fns.find((f) => f.name === 'threshold_backward')!.fn;
      const [g, x] = operands();
      const size = n + EXTRA;
      const y = new CpuStorage(cpuBackend, dt.float32, new Float32Array(size));
      cpuBackend.pointwise(relu, view(y, [size], [1]), [view(x, [size], [1])]);
      const run = (fast: boolean, masks: boolean): Int32Array => {
        const data = where === 'a JavaScript array' ? new Float32Array(size) : residentArray(size)!;
        const out = new CpuStorage(cpuBackend, dt.float32, data);
        Object.assign(signBitConfig, { enabled: fast, wasmMin: 0, masks });
        codegenConfig.enabled = fast;
        try {
          cpuBackend.pointwise(tb, view(out, [size], [1]), [view(g, [size], [1]), view(y, [size], [1])]);
        } finally {
          Object.assign(signBitConfig, { enabled: true, wasmMin: 64, masks: true });
          codegenConfig.enabled = true;
        }
        return new Int32Array(data.buffer, data.byteOffset, size).slice();
      };
      const expectSame = (a: Int32Array, b: Int32Array, what: string) => {
        for (let i = 0; i < size; i++) if (a[i] !== b[i]) expect.fail(`${what}: element ${i} has bits ${a[i]}, expected ${b[i]}`);
      };
      const expected = run(false, false);
      expectSame(run(true, true), expected, 'from the bits');
      // y's values changed behind its version's back: the bits, not y, decide (so the bits were read)
      const yb = new Int32Array(y.data.buffer);
      for (let i = 0; i < size; i += 3) yb[i] = yb[i] === 0 ? 0x3f800000 : 0;
      expectSame(run(true, true), expected, 'from the bits, y not read');
      // y changed in place as ops change it (its version moves on): the kernel reads y again
      y.version++;
      expectSame(run(true, true), run(false, false), 'after y changed');
    });
  }

  it('relu_ in place through relu.wasm (the staged chunks read before they are written)', () => {
    const x = torch.randn([3, 8195]);
    const expected = x.clamp_min(0);
    x.relu_();
    expect(x.equal(expected)).toBe(true);
  });
});

describe('dense copies within one dtype are block copies (lib/backends/cpu/index.ts)', () => {
  it('clone, copy_ between offset runs, and casts, which must not take the block copy', () => {
    const x = torch.randn([50, 40]);
    expect(Array.from(x.clone().numpy())).toEqual(Array.from(x.numpy()));
    // from and into runs that start inside their storages
    const big = torch.zeros([3, 2000]);
    big.select(0, 1).copy_(x.reshape(-1));
    expect(Array.from(big.select(0, 1).numpy())).toEqual(Array.from(x.numpy()));
    expect(big.select(0, 0).abs().sum().item()).toBe(0);
    expect(Array.from(big.select(0, 1).narrow(0, 7, 5).clone().numpy())).toEqual(Array.from(x.reshape(-1).narrow(0, 7, 5).numpy()));
    // float64 and int64 share an array type: the cast truncates
    const d = torch.tensor([1.5, -2.7, 3.9, 1e10 + 0.5], { dtype: torch.float64 });
    expect(d.to(torch.int64).tolist()).toEqual([1, -2, 3, 1e10]);
    expect(torch.tensor([1.5, -2.5, 255.9]).to(torch.int32).tolist()).toEqual([1, -2, 255]);
    expect(torch.empty([4], { dtype: torch.int64 }).copy_(d).tolist()).toEqual([1, -2, 3, 1e10]);
  });
});
