/**
 * The WebAssembly SIMD matmul (lib/backends/cpu/wasm) against a float64 triple loop and against the
 * plain JavaScript kernel it replaces for float32: odd sizes across every block edge, transposed,
 * strided and sparse operands, broadcast batches, strided outputs, NaN and infinity, and the
 * worker pool against one thread (bit for bit: each element is summed in the same order); the
 * packing paths of every operand layout, and both binaries (gemm_fma.wasm with relaxed SIMD's
 * multiply-add, gemm.wasm without).
 */

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { View } from '../lib/backend.js';
import { wasmGemm, wasmGemmConfig, wasmGemmFused, wasmMatmul } from '../lib/backends/cpu/wasm/gemm.js';
import torch from '../lib/index.js';
import { cpuBackend } from '../lib/backends/cpu/index.js';

const defaults = { ...wasmGemmConfig };
afterEach(() => {
  Object.assign(wasmGemmConfig, defaults);
});

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
  }
  return out;
}

const holder = torch.zeros([1]);
/** A 3-d view for the kernel; storage and dtype are not read by it. */
function view(shape: [number, number, number], strides: [number, number, number], offset = 0): View {
  return { storage: holder._storage, dtype: torch.float32, shape, strides, offset };
}
const contiguous = (s: [number, number, number]): [number, number, number] => [s[1] * s[2], s[2], 1];

/** out[b,i,j] = sum_k a[b,i,k] * m[b,k,j] in float64, as a flat [B,M,N] array. */
function reference(ad: Float32Array, a: View, bd: Float32Array, b: View, B: number): Float64Array {
  const M = a.shape[1]!;
  const K = a.shape[2]!;
  const N = b.shape[2]!;
  const at = (d: Float32Array, v: View, bi: number, i: number, j: number) =>
    d[v.offset + (v.shape[0] === 1 ? 0 : bi * v.strides[0]!) + i * v.strides[1]! + j * v.strides[2]!]!;
  const out = new Float64Array(B * M * N);
  for (let bi = 0; bi < B; bi++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += at(ad, a, bi, i, k) * at(bd, b, bi, k, j);
        out[(bi * M + i) * N + j] = s;
      }
    }
  }
  return out;
}

/** Reads a [B,M,N] output view into a flat array. */
function gather(od: Float32Array, o: View): Float32Array {
  const [B, M, N] = o.shape as [number, number, number];
  const out = new Float32Array(B * M * N);
  let q = 0;
  for (let bi = 0; bi < B; bi++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) out[q++] = od[o.offset + bi * o.strides[0]! + i * o.strides[1]! + j * o.strides[2]!]!;
    }
  }
  return out;
}

/** Equal within float32 summation error; NaN where NaN, the same infinities. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, K: number): void {
  expect(got.length).toBe(want.length);
  const tol = 4e-7 * K + 1e-6;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      if (!Object.is(g, w)) expect([i, g]).toEqual([i, w]);
    } else if (!(Math.abs(g - w) <= tol)) {
      expect([i, g]).toEqual([i, w]);
    }
  }
}

/** Runs the wasm kernel on views of fresh data and checks it against the triple loop. */
function check(
  B: number, M: number, K: number, N: number,
  opts: { a?: (d: Float32Array) => View; b?: (d: Float32Array) => View; o?: View; aLen?: number; bLen?: number; oLen?: number; seed?: number } = {},
): Float32Array {
  const ad = values(opts.aLen ?? B * M * K, opts.seed ?? 1);
  const bd = values(opts.bLen ?? B * K * N, (opts.seed ?? 1) + 1);
  const a = opts.a ? opts.a(ad) : view([B, M, K], [M * K, K, 1]);
  const b = opts.b ? opts.b(bd) : view([B, K, N], [K * N, N, 1]);
  const o = opts.o ?? view([B, M, N], [M * N, N, 1]);
  const od = new Float32Array(opts.oLen ?? B * M * N).fill(-7);
  expect(wasmMatmul(ad, a, bd, b, od, o)).toBe(true);
  const got = gather(od, o);
  expectClose(got, reference(ad, a, bd, b, B), K);
  return got;
}

describe('WebAssembly float32 GEMM', () => {
  it('is built and loads', () => {
    // npm test runs build:wasm first; without gemm.wasm matmul silently keeps the JS kernel
    expect(wasmGemm()).not.toBeNull();
  });

  it('odd sizes across the 4x8 tile, 256-deep K block, 128-row and 512-column blocks', () => {
    wasmGemmConfig.threads = 1;
    for (const [M, K, N] of [
      [1, 1, 1], [2, 1, 2], [5, 3, 7], [4, 8, 8], [3, 1, 9], [9, 2, 17],
      [37, 300, 29], [131, 257, 19], [6, 513, 530], [129, 5, 8], [128, 256, 512],
    ] as const) {
      check(1, M, K, N, { seed: M * 1000 + K * 10 + N });
    }
  });

  it('transposed and strided operands, offsets, and a sparse window (gathered)', () => {
    wasmGemmConfig.threads = 1;
    const [M, K, N] = [23, 41, 19];
    // A column-major, B column-major
    check(1, M, K, N, { a: () => view([1, M, K], [0, 1, M]), b: () => view([1, K, N], [0, 1, K]) });
    // every other column of a wider B, from an offset; A rows padded to 50
    check(1, M, K, N, {
      a: () => view([1, M, K], [M * 50, 50, 1], 3), aLen: 3 + M * 50,
      b: () => view([1, K, N], [K * 2 * N, 2 * N, 2], 5), bLen: 5 + K * 2 * N,
    });
    // a 9x11 window of a 400x400 matrix: its span is far larger than its elements
    check(1, 9, 11, 13, { a: () => view([1, 9, 11], [0, 400, 1], 401 * 7), aLen: 400 * 400 });
    // zero strides inside a matrix (an expanded row / column)
    check(1, 12, 10, 9, { a: () => view([1, 12, 10], [0, 0, 1]), aLen: 10, b: () => view([1, 10, 9], [0, 1, 0]), bLen: 10 });
  });

  it('batches: plain, broadcast by size 1 or stride 0, and strided outputs', () => {
    wasmGemmConfig.threads = 1;
    const [B, M, K, N] = [3, 14, 33, 21];
    check(B, M, K, N);
    check(B, M, K, N, { a: () => view([1, M, K], [M * K, K, 1]), aLen: M * K });
    check(B, M, K, N, { b: () => view([B, K, N], [0, N, 1]), bLen: K * N });
    // C written transposed, and into the middle of a larger buffer
    check(B, M, K, N, { o: view([B, M, N], [M * N, 1, M]) });
    check(B, M, K, N, { o: view([B, M, N], [M * (N + 4), N + 4, 1], 11), oLen: 11 + B * M * (N + 4) });
  });

  it('propagates NaN and infinity as a BLAS does', () => {
    wasmGemmConfig.threads = 1;
    const [M, K, N] = [13, 300, 11];
    const ad = values(M * K, 5);
    const bd = values(K * N, 6);
    ad[0] = NaN; // row 0 of C is NaN
    ad[2 * K + 3] = Infinity; // row 2: +-inf by the sign of B[3, j]
    bd[7 * N + 4] = -Infinity; // column 4: -+inf, NaN where it meets row 2's inf of the other sign
    ad[5 * K + 7] = 0; // 0 * -inf = NaN at C[5, 4]
    bd[1 * N + 9] = Infinity;
    ad[8 * K + 1] = -Infinity; // inf - inf = NaN at C[8, 9]
    ad[8 * K + 2] = 1;
    bd[2 * N + 9] = Infinity;
    const a = view([1, M, K], contiguous([1, M, K]));
    const b = view([1, K, N], contiguous([1, K, N]));
    const o = view([1, M, N], contiguous([1, M, N]));
    const od = new Float32Array(M * N);
    expect(wasmMatmul(ad, a, bd, b, od, o)).toBe(true);
    const want = reference(ad, a, bd, b, 1);
    expect(Number.isNaN(want[5 * N + 4]!) && Number.isNaN(want[8 * N + 9]!) && want[2 * N] === Infinity * Math.sign(bd[3 * N]!)).toBe(true);
    expectClose(od, want, K);
  });

  it('the worker pool gives the one-thread result bit for bit, with either binary', () => {
    wasmGemmConfig.threadMinMacs = 0;
    for (const fma of [true, false]) {
      wasmGemmConfig.fma = fma;
      for (const [B, M, K, N] of [
        [1, 67, 300, 45], // more rows than columns: split by rows
        [1, 40, 33, 90], // split by columns
        [1, 3, 7, 5], // fewer rows than threads' share
        [5, 21, 17, 30], // whole batch entries per chunk
        [2, 1, 9, 600], // one row: the columns split
      ] as const) {
        wasmGemmConfig.threads = 1;
        const one = check(B, M, K, N, { seed: B + M + K + N });
        wasmGemmConfig.threads = 2;
        const two = check(B, M, K, N, { seed: B + M + K + N });
        expect(two).toEqual(one);
      }
    }
  });

  it('the workers take part', async () => {
    wasmGemmConfig.threadMinMacs = 0;
    wasmGemmConfig.threads = 2;
    check(1, 8, 8, 16);
    const pool = wasmGemm()!.pool!;
    // workers start in the background; until then the calling thread runs every chunk
    for (let t = 0; t < 1000 && pool.stats().ready < 1; t++) await new Promise((r) => setTimeout(r, 10));
    expect(pool.stats().ready).toBeGreaterThanOrEqual(1);
    const before = pool.stats().workerChunks;
    for (let r = 0; r < 50 && pool.stats().workerChunks === before; r++) check(1, 96, 200, 96, { seed: r });
    expect(pool.stats().workerChunks).toBeGreaterThan(before);
  });

  it('runs many pool tasks in a row (generations of the control block)', () => {
    wasmGemmConfig.threadMinMacs = 0;
    wasmGemmConfig.threads = 2;
    for (let r = 0; r < 300; r++) check(1 + (r % 3), 5 + (r % 7), 3 + (r % 5), 9 + (r % 11), { seed: r });
  });
});

describe('packing paths and the two binaries', () => {
  /** Element strides of an R x C operand stored row-major or column-major. */
  const layouts = {
    'row-major': (R: number, C: number): [number, number, number] => [R * C, C, 1],
    'column-major': (R: number, C: number): [number, number, number] => [R * C, 1, R],
  };
  const names = Object.keys(layouts) as (keyof typeof layouts)[];
  /** Every layout pair of A [M,K] and B [K,N]. */
  function allLayouts(M: number, K: number, N: number, seed: number): void {
    for (const la of names) {
      for (const lb of names) {
        // row-major A and column-major B with few rows run the unpacked gemmNT (conv.wat), unless
        // ntMaxRows = 0 sends them through the transposing packs
        for (const ntMaxRows of la === 'row-major' && lb === 'column-major' ? [16, 0] : [16]) {
          wasmGemmConfig.ntMaxRows = ntMaxRows;
          check(1, M, K, N, { a: () => view([1, M, K], layouts[la](M, K)), b: () => view([1, K, N], layouts[lb](K, N)), seed });
        }
      }
    }
    wasmGemmConfig.ntMaxRows = defaults.ntMaxRows;
  }

  it('loads gemm_fma.wasm exactly where relaxed SIMD validates, and the knob turns it off', () => {
    expect(wasmGemm()).not.toBeNull();
    // the engine sets V8's flag when Node 20 needs it, so validating now tells what the runtime can do
    const bytes = readFileSync(new URL('../lib/backends/cpu/wasm/gemm_fma.wasm', import.meta.url));
    // the WebAssembly global is typed in lib.dom, which this project leaves out
    const wa = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(wasmGemmFused()).toBe(wa.validate(bytes));
    wasmGemmConfig.fma = false;
    expect(wasmGemmFused()).toBe(false);
  });

  for (const fma of [true, false]) {
    const binary = fma ? 'gemm_fma.wasm' : 'gemm.wasm';

    it(`${binary}: every layout of A and B, sizes around the 4x8 tile and the 4-deep transposes`, () => {
      wasmGemmConfig.fma = fma;
      wasmGemmConfig.threads = 1;
      for (const M of [1, 3, 4, 5, 8, 11, 12, 13]) {
        for (const K of [1, 3, 4, 5, 8, 9, 12, 15]) {
          for (const N of [1, 7, 8, 9, 12, 16, 17]) allLayouts(M, K, N, M * 100 + K * 10 + N);
        }
      }
    });

    it(`${binary}: every layout across the K blocks (256 deep, split evenly), 128-row and 512-column blocks`, () => {
      wasmGemmConfig.fma = fma;
      wasmGemmConfig.threads = 1;
      for (const [M, K, N] of [
        [13, 255, 9], [9, 256, 17], [12, 257, 8], [5, 511, 12], [8, 513, 7], [7, 784, 16],
        [127, 6, 9], [129, 7, 12], [4, 5, 511], [9, 3, 513],
      ] as const) {
        allLayouts(M, K, N, M + K + N);
      }
    });

    it(`${binary}: NaN and infinity through the transposing packs`, () => {
      wasmGemmConfig.fma = fma;
      wasmGemmConfig.threads = 1;
      const [M, K, N] = [9, 21, 10];
      const ad = values(M * K, 7);
      const bd = values(K * N, 8);
      // A column-major: A[i, k] at i + k * M; B column-major: B[k, j] at k + j * K
      ad[0 + 0 * M] = NaN; // row 0 of C
      ad[2 + 5 * M] = Infinity; // row 2: +-inf by the sign of B[5, j]
      bd[6 + 3 * K] = -Infinity; // column 3
      ad[4 + 6 * M] = 0; // 0 * -inf = NaN at C[4, 3]
      const a = view([1, M, K], layouts['column-major'](M, K));
      const b = view([1, K, N], layouts['column-major'](K, N));
      const o = view([1, M, N], contiguous([1, M, N]));
      const od = new Float32Array(M * N);
      expect(wasmMatmul(ad, a, bd, b, od, o)).toBe(true);
      const want = reference(ad, a, bd, b, 1);
      expect(Number.isNaN(want[4 * N + 3]!) && Number.isNaN(want[0]!) && Math.abs(want[2 * N]!) === Infinity).toBe(true);
      expectClose(od, want, K);
      // the same matrices row-major
      const ar = new Float32Array(M * K);
      const br = new Float32Array(K * N);
      for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) ar[i * K + k] = ad[i + k * M]!;
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) br[k * N + j] = bd[k + j * K]!;
      const od2 = new Float32Array(M * N);
      expect(wasmMatmul(ar, view([1, M, K], contiguous([1, M, K])), br, view([1, K, N], contiguous([1, K, N])), od2, o)).toBe(true);
      expectClose(od2, want, K);
    });
  }
});

describe('torch.matmul on the CPU', () => {
  function both(f: () => ReturnType<typeof torch.matmul>): [number[], number[]] {
    wasmGemmConfig.enabled = false;
    const plain = Array.from(f().flatten().tolist() as number[]);
    wasmGemmConfig.enabled = true;
    const fast = Array.from(f().flatten().tolist() as number[]);
    return [fast, plain];
  }

  it('float32 through WebAssembly equals the JavaScript kernel within float32 rounding', () => {
    const a = torch.tensor(values(70 * 90, 11)).reshape(70, 90);
    const b = torch.tensor(values(90 * 50, 12)).reshape(90, 50);
    const c = torch.tensor(values(3 * 70 * 90, 13)).reshape(3, 70, 90);
    for (const f of [
      () => torch.matmul(a, b),
      () => torch.matmul(b.t(), a.t()),
      () => torch.matmul(c, b), // a batch times one matrix: stride-0 broadcast
      () => torch.matmul(c.get('::2'), b.get(':', '0:50:2')), // strided batch and columns
      () => torch.mm(torch.tensor(values(300 * 300, 14)).reshape(300, 300), torch.tensor(values(300 * 200, 15)).reshape(300, 200)),
    ]) {
      const [fast, plain] = both(f);
      expectClose(fast, plain, 300);
    }
  });

  it('float64 and int32 keep the JavaScript kernel (exact float64 sums, int32 wrap-around)', () => {
    const x = torch.tensor(Float64Array.from(values(40 * 40, 21), (v) => v + 1e-12)).reshape(40, 40);
    const [fast, plain] = both(() => torch.matmul(x, x));
    expect(fast).toEqual(plain);
    const big = torch.full([20, 20], 2 ** 20, { dtype: torch.int32 });
    const [fi, pi] = both(() => torch.matmul(big, big));
    expect(fi).toEqual(pi);
    expect(fi[0]).toBe((20 * 2 ** 40) | 0);
  });
});

describe('addmm onto the bias (Backend.addmm, nn.Linear forward)', () => {
  afterEach(() => {
    wasmGemmConfig.threads = THREADS;
    wasmGemmConfig.threadMinMacs = THREAD_MIN;
  });
  const THREADS = wasmGemmConfig.threads;
  const THREAD_MIN = wasmGemmConfig.threadMinMacs;

  it('equals the product plus the bias within float32 rounding, on one thread and split, with strided biases', () => {
    torch.manual_seed(3);
    for (const [M, K, N] of [[64, 784, 64], [10, 784, 64], [3, 5, 9], [130, 257, 515], [2, 1, 2]] as const) {
      const x = torch.randn(M, K);
      const w = torch.randn(N, K);
      const wide = torch.randn(2 * N);
      for (const bias of [torch.randn(N), wide.narrow(0, 0, 2 * N).reshape(N, 2).select(1, 1)]) {
        const ref = x.double().mm(w.double().t()).add(bias.double());
        for (const split of [false, true]) {
          wasmGemmConfig.threads = split ? 2 : 1;
          wasmGemmConfig.threadMinMacs = split ? 1 : THREAD_MIN;
          const calls = { n: 0 };
          const orig = cpuBackend.addmm!;
          cpuBackend.addmm = (...a) => {
            const r = orig(...a);
            if (r) calls.n++;
            return r;
          };
          let got;
          try {
            got = torch.addmm(bias, x, w.t());
          } finally {
            cpuBackend.addmm = orig;
          }
          expect(calls.n).toBe(M * N * K >= wasmGemmConfig.minMacs ? 1 : 0);
          const err = got.double().sub(ref).abs().max().item();
          const scale = x.abs().mm(w.abs().t()).add(bias.abs()).max().item();
          expect(err).toBeLessThan(scale * K * 2 ** -23);
        }
      }
    }
  });

  it('propagates NaN and infinity from the bias and the operands', () => {
    const x = torch.ones(4, 20);
    const w = torch.ones(8, 20);
    const bias = torch.tensor([0, NaN, Infinity, -Infinity, 1, 2, 3, 4]);
    const y = torch.addmm(bias, x, w.t());
    expect(y.select(0, 3).tolist()).toEqual([20, NaN, Infinity, -Infinity, 21, 22, 23, 24]);
  });
});
