/**
 * The CPU fast paths of convolutions and pooling against the composed path every backend has:
 * the same calls run three ways and must agree, forward and backward.
 *   - composed: nnKernelConfig off (pad, as_strided window views, scatter_add; what WebGPU runs);
 *   - js: the backend's window kernels (im2col, col2im, maxPool2d, ...) with the fused
 *     WebAssembly convolution off;
 *   - fast: everything on (float32 convolutions run whole in WebAssembly: the direct kernels
 *     where the width's stride is 1, conv_fma.wasm where relaxed SIMD validates);
 *   - gemm (convolutions only): fast, but im2col, the GEMM and col2im for every stride;
 *   - plain (convolutions only): fast with conv.wasm, no fused multiply-add.
 * Shapes are odd on purpose: strides, dilations, groups, asymmetric padding, non-contiguous
 * inputs, unbatched inputs, float32 and float64, output rows of every width mod 4. Then the
 * worker pool against one thread (bit for bit), and infinities and NaN in the padding columns.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { F, type DType, type Tensor } from '../../lib/index.js';
import { nnKernelConfig } from '../../lib/nn/functional/_kernels.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { wasmConvConfig, wasmConvStatus } from '../../lib/backends/cpu/wasm/conv.js';
import { ensureMemory, wasmGemm, wasmGemmConfig, wasmGemmFused } from '../../lib/backends/cpu/wasm/gemm.js';

type Mode = 'composed' | 'js' | 'fast' | 'gemm' | 'plain';
const MODES: Mode[] = ['composed', 'js', 'fast'];
const CONV_MODES: Mode[] = [...MODES, 'gemm', 'plain'];

function setMode(m: Mode): void {
  nnKernelConfig.enabled = m !== 'composed';
  wasmConvConfig.enabled = m !== 'composed' && m !== 'js';
  wasmConvConfig.direct = m !== 'gemm';
  wasmConvConfig.fma = m !== 'plain';
}

const convDefaults = { ...wasmConvConfig };
const gemmDefaults = { ...wasmGemmConfig };
afterEach(() => {
  setMode('fast');
  Object.assign(wasmConvConfig, convDefaults);
  Object.assign(wasmGemmConfig, gemmDefaults);
});

type Layout = 'contiguous' | 'transposed' | 'strided';

/**
 * An operand: a contiguous leaf that gradients flow to, and the view of it the op gets, which
 * has `layout`'s strides (the last two dims stored swapped, or every other element of a wider
 * last dim).
 */
interface Input {
  leaf: Tensor;
  view: (leaf: Tensor) => Tensor;
}

function input(shape: number[], dtype: DType, layout: Layout = 'contiguous'): Input {
  const n = shape.length;
  if (layout === 'transposed') {
    const s = shape.slice();
    [s[n - 2], s[n - 1]] = [s[n - 1]!, s[n - 2]!];
    return { leaf: torch.randn(s, { dtype }), view: (t) => t.transpose(n - 2, n - 1) };
  }
  if (layout === 'strided') {
    const s = shape.slice();
    const w = s[n - 1]!;
    s[n - 1] = 2 * w + 1;
    return { leaf: torch.randn(s, { dtype }), view: (t) => t.narrow(n - 1, 1, 2 * w).get('...', '::2') };
  }
  return { leaf: torch.randn(shape, { dtype }), view: (t) => t };
}

const values = (t: Tensor): number[] => t.detach().double().reshape(-1).tolist() as number[];

function expectAllClose(a: Tensor, b: Tensor, tol: number, what: string): void {
  expect([...a.shape], `${what} shape`).toEqual([...b.shape]);
  expect(a.dtype, `${what} dtype`).toBe(b.dtype);
  const x = values(a);
  const y = values(b);
  let scale = 1;
  for (const v of y) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  expect(worst, `${what}: max |difference| (scale ${scale})`).toBeLessThanOrEqual(tol * scale);
}

/**
 * Runs `f` on the inputs' views of fresh leaf copies in every mode: the outputs, then the
 * gradients of (output · a fixed random tensor).sum() for each leaf, must agree with the
 * composed path's.
 */
function compareModes(inputs: Input[], f: (...xs: Tensor[]) => Tensor, what: string, modes: Mode[] = MODES): void {
  const dtype = inputs[0]!.leaf.dtype;
  const results = modes.map((m) => {
    setMode(m);
    const leaves = inputs.map((t) => t.leaf.detach().clone().requires_grad_(true));
    const args = leaves.map((l, i) => inputs[i]!.view(l));
    const y = f(...args);
    torch.manual_seed(1);
    y.backward(torch.randn([...y.shape], { dtype: y.dtype }));
    return { y, grads: leaves.map((l) => l.grad!) };
  });
  const tol = dtype === torch.float64 ? 1e-12 : 2e-6;
  const ref = results[0]!;
  for (let k = 1; k < modes.length; k++) {
    const r = results[k]!;
    expectAllClose(r.y, ref.y, tol, `${what} [${modes[k]}] output`);
    r.grads.forEach((gr, i) => expectAllClose(gr, ref.grads[i]!, tol, `${what} [${modes[k]}] grad of input ${i}`));
  }
}

describe('conv2d: fast paths agree with the composed one', () => {
  type Case = {
    x: number[]; w: number[]; bias?: boolean; stride?: number | number[]; padding?: number | number[] | 'same';
    dilation?: number | number[]; groups?: number; layout?: Layout;
  };
  const cases: Case[] = [
    { x: [4, 1, 28, 28], w: [6, 1, 5, 5], bias: true, padding: 2 },
    { x: [3, 6, 14, 14], w: [16, 6, 5, 5], bias: true },
    { x: [2, 3, 9, 7], w: [4, 3, 3, 2], bias: true, stride: [2, 3], padding: [1, 2] },
    { x: [2, 4, 11, 10], w: [6, 2, 3, 3], groups: 2, dilation: [2, 1], padding: 1 },
    { x: [1, 6, 8, 9], w: [6, 1, 3, 3], bias: true, groups: 6, stride: 2, padding: [0, 1] },
    { x: [2, 3, 7, 8], w: [5, 3, 4, 2], bias: true, padding: 'same' },
    { x: [2, 2, 13, 5], w: [3, 2, 1, 5], stride: [3, 1], dilation: [1, 2], padding: [0, 3] },
    { x: [2, 3, 6, 7], w: [4, 3, 3, 3], bias: true, padding: 1, layout: 'transposed' },
    { x: [2, 3, 6, 7], w: [4, 3, 2, 3], stride: 2, layout: 'strided' },
    { x: [1, 1, 3, 3], w: [2, 1, 3, 3], bias: true, padding: 2, dilation: 2 },
    // output widths 7, 5, 7 and 1 (rows ending in vectors of 3, 1, 3 and 1 lanes), odd channel counts
    { x: [3, 2, 5, 9], w: [3, 2, 3, 3], bias: true, padding: [1, 0] },
    { x: [2, 5, 6, 9], w: [9, 5, 2, 5], bias: true, padding: [1, 0], stride: [2, 1] },
    { x: [2, 3, 4, 7], w: [5, 3, 2, 1], dilation: [3, 1], padding: [2, 0] },
    { x: [2, 4, 5, 4], w: [8, 1, 3, 4], groups: 4, padding: [1, 0], bias: true },
    // weight gradients by position (wgradT: one group, 16 output channels a tile): an odd count of
    // kernel offsets, rows of 7 outputs, a row stride, dilation; two tiles of channels
    { x: [2, 3, 9, 7], w: [16, 3, 3, 3], stride: [2, 1], padding: [1, 2], dilation: [1, 2], bias: true },
    { x: [2, 2, 6, 5], w: [32, 2, 3, 3], padding: 1, layout: 'transposed' },
  ];
  for (const dtype of [torch.float32, torch.float64]) {
    for (const c of cases) {
      const { x: xs, w: ws, bias, layout, ...opts } = c;
      it(`${dtype} x${JSON.stringify(xs)} w${JSON.stringify(ws)} ${JSON.stringify(opts)}${bias ? ' bias' : ''}${layout ? ` ${layout}` : ''}`, () => {
        torch.manual_seed(0);
        const inputs = [input(xs, dtype, layout), input(ws, dtype)];
        if (bias) inputs.push(input([ws[0]!], dtype));
        compareModes(inputs, (a, b, bb) => F.conv2d(a!, b!, bb ?? null, opts), 'conv2d', CONV_MODES);
      });
    }
  }

  it('unbatched input, conv1d, and an input that needs no gradient', () => {
    torch.manual_seed(0);
    compareModes([input([3, 9, 8], torch.float32), input([4, 3, 3, 3], torch.float32)], (a, b) => F.conv2d(a!, b!, null, { padding: 1 }), 'unbatched');
    compareModes(
      [input([2, 3, 17], torch.float32), input([5, 3, 4], torch.float32), input([5], torch.float32)],
      (a, b, c) => F.conv1d(a!, b!, c!, { stride: 2, padding: 3, dilation: 2 }),
      'conv1d',
    );
    for (const m of MODES) {
      setMode(m);
      const x = torch.randn([2, 1, 6, 6]);
      const w = torch.randn([3, 1, 3, 3], { requires_grad: true });
      const y = F.conv2d(x, w);
      expect(y.grad_fn!.name()).toBe('ConvolutionBackward0');
      y.sum().backward();
      expect(x.grad).toBe(null);
      expect(w.grad!.shape).toEqual([3, 1, 3, 3]);
    }
  });

  it('double backward (create_graph) through the fast forward', () => {
    const run = (m: Mode) => {
      setMode(m);
      torch.manual_seed(3);
      const x = torch.randn([2, 3, 6, 5], { requires_grad: true });
      const w = torch.randn([4, 3, 3, 2], { requires_grad: true });
      const y = F.conv2d(x, w, null, { padding: 1, stride: [1, 2] });
      const [gx] = torch.autograd.grad([y.pow(2).sum()], [x], { create_graph: true });
      gx!.sum().backward();
      return [gx!, w.grad!, x.grad!];
    };
    const ref = run('composed');
    for (const m of ['js', 'fast'] as const) run(m).forEach((t, i) => expectAllClose(t, ref[i]!, 2e-6, `${m} double backward ${i}`));
  });
});

describe('conv2d: the direct kernels, threads and non-finite values', () => {
  /** y, then the gradients of (y · g).sum() for x, w and the bias, as nested lists. */
  function run(xs: Tensor, ws: Tensor, bs: Tensor | null, opts: Parameters<typeof F.conv2d>[3]): unknown[] {
    // the data area as NaN: a part a kernel leaves unwritten must not show the last call's result there
    const e = wasmGemm();
    if (e) {
      e.heap.fill(NaN, e.dataStart / 4);
      // (and no result left there counts as intact any more: gemm.ts's stagedResult)
      ensureMemory(e, e.dataStart);
    }
    const x = xs.clone().requires_grad_(true);
    const w = ws.clone().requires_grad_(true);
    const b = bs && bs.clone().requires_grad_(true);
    const y = F.conv2d(x, w, b, opts);
    torch.manual_seed(7);
    y.backward(torch.randn([...y.shape]));
    return [y.tolist(), x.grad!.tolist(), w.grad!.tolist(), b ? b.grad!.tolist() : null];
  }

  const shapes: { x: number[]; w: number[]; bias: boolean; opts: Parameters<typeof F.conv2d>[3] }[] = [
    { x: [8, 1, 28, 28], w: [6, 1, 5, 5], bias: true, opts: { padding: 2 } },
    { x: [8, 6, 14, 14], w: [16, 6, 5, 5], bias: true, opts: {} },
    { x: [5, 4, 11, 10], w: [6, 2, 3, 3], bias: false, opts: { groups: 2, dilation: [2, 1], padding: 1, stride: [2, 1] } },
    { x: [3, 3, 9, 13], w: [7, 3, 3, 4], bias: true, opts: { padding: [1, 2] } },
    { x: [4, 3, 9, 7], w: [32, 3, 3, 3], bias: true, opts: { padding: [1, 2], dilation: [1, 2], stride: [2, 1] } },
  ];

  it('the worker pool gives the one-thread result bit for bit, with either binary', async () => {
    wasmConvConfig.threadMinMacs = 0;
    for (const fma of [true, false]) {
      wasmConvConfig.fma = fma;
      for (const c of shapes) {
        torch.manual_seed(0);
        const x = torch.randn(c.x);
        const w = torch.randn(c.w);
        const b = c.bias ? torch.randn([c.w[0]!]) : null;
        wasmGemmConfig.threads = 1;
        const one = run(x, w, b, c.opts);
        wasmGemmConfig.threads = 2;
        expect(run(x, w, b, c.opts), `${JSON.stringify(c)} fma ${fma}`).toEqual(one);
      }
    }
    // the worker starts in the background: once it is ready, it takes chunks
    for (let t = 0; t < 1000 && wasmConvStatus().workersReady < 1; t++) await new Promise((r) => setTimeout(r, 10));
    expect(wasmConvStatus().workersReady).toBeGreaterThanOrEqual(1);
    const before = wasmConvStatus().workerChunks;
    const c = shapes[1]!;
    for (let r = 0; r < 50 && wasmConvStatus().workerChunks === before; r++) run(torch.randn(c.x), torch.randn(c.w), null, c.opts);
    expect(wasmConvStatus().workerChunks).toBeGreaterThan(before);
  });

  it('runs conv_fma.wasm where relaxed SIMD validates, conv.wasm when told', () => {
    expect(wasmConvStatus().loaded).toBe(true);
    // the same runtime validates both fused binaries or neither
    expect(wasmConvStatus().fused).toBe(wasmGemmFused());
    wasmConvConfig.fma = false;
    expect(wasmConvStatus().fused).toBe(false);
  });

  /** Equal where finite (within float32 rounding), and NaN, +inf and -inf in the same places. */
  function expectSameValues(got: unknown, want: unknown, what: string): void {
    const a = (got as number[]).flat(4) as number[];
    const b = (want as number[]).flat(4) as number[];
    expect(a.length, what).toBe(b.length);
    let scale = 1;
    for (const v of b) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < b.length; i++) {
      if (Number.isFinite(b[i]!)) expect(Math.abs(a[i]! - b[i]!), `${what} [${i}]`).toBeLessThanOrEqual(2e-6 * scale);
      else expect(a[i], `${what} [${i}]`).toBe(b[i]);
    }
  }

  it('infinities and NaN near the right edge reach only the results they reach in PyTorch', () => {
    // oW = 10: each output row ends in a vector with 2 lanes past the row, which read input
    // columns 10 to 13 at the kernel's columns 0 to 3 and must not pass on what they find there
    torch.manual_seed(0);
    const x = torch.randn([2, 3, 6, 14]);
    const w = torch.randn([4, 3, 5, 5]);
    const b = torch.randn([4]);
    x.index_put_([torch.tensor([0]), torch.tensor([1]), torch.tensor([2]), torch.tensor([12])], torch.tensor([Infinity]));
    x.index_put_([torch.tensor([1]), torch.tensor([0]), torch.tensor([4]), torch.tensor([11])], torch.tensor([NaN]));
    const w2 = w.clone();
    w2.index_put_([torch.tensor([1]), torch.tensor([2]), torch.tensor([0]), torch.tensor([1])], torch.tensor([-Infinity]));
    for (const [xs, ws] of [[x, w], [torch.randn([2, 3, 6, 14]), w2]] as const) {
      setMode('composed');
      const want = run(xs, ws, b, {});
      for (const m of ['fast', 'gemm', 'plain'] as const) {
        setMode(m);
        const got = run(xs, ws, b, {});
        got.forEach((t, i) => expectSameValues(t, want[i], `${m} result ${i}`));
      }
    }
  });
});

describe('conv_transpose2d: fast paths agree with the composed one', () => {
  const cases = [
    { x: [2, 4, 5, 5], w: [4, 3, 3, 3], o: { stride: 2, padding: 1, output_padding: 1 } },
    { x: [2, 4, 4, 6], w: [4, 2, 2, 3], o: { groups: 2, dilation: [2, 1], stride: [1, 2] } },
    { x: [1, 3, 3, 4], w: [3, 5, 4, 4], o: { padding: [2, 1] } },
  ];
  for (const dtype of [torch.float32, torch.float64]) {
    for (const c of cases) {
      it(`${dtype} x${JSON.stringify(c.x)} w${JSON.stringify(c.w)} ${JSON.stringify(c.o)}`, () => {
        torch.manual_seed(0);
        const inputs = [input(c.x, dtype, 'transposed'), input(c.w, dtype), input([c.w[1]! * (c.o.groups ?? 1)], dtype)];
        compareModes(inputs, (a, b, bb) => F.conv_transpose2d(a!, b!, bb!, c.o), 'conv_transpose2d');
      });
    }
  }
});

describe('pooling: fast paths agree with the composed one', () => {
  const cases: { x: number[]; k: number | number[]; o: Record<string, unknown>; layout?: Layout }[] = [
    { x: [4, 6, 28, 28], k: 2, o: {} },
    // maxpool.wasm's 2 x 2 kernel: odd sides (a row's last turn overlaps), and the general kernel
    // where ceil_mode clips the last windows or fewer than 4 outputs make a row
    { x: [2, 3, 11, 13], k: 2, o: {} },
    { x: [2, 3, 11, 13], k: 2, o: { ceil_mode: true } },
    { x: [2, 3, 8, 7], k: 2, o: {} },
    { x: [2, 3, 9, 7], k: 3, o: { stride: 2, padding: 1 } },
    { x: [2, 3, 9, 7], k: 3, o: { stride: 2, padding: 1, ceil_mode: true } },
    { x: [2, 2, 10, 11], k: [3, 2], o: { stride: [2, 1], dilation: [2, 3], padding: [1, 1] } },
    { x: [2, 3, 8, 8], k: 2, o: { stride: 1 }, layout: 'transposed' },
    { x: [2, 3, 7, 9], k: [2, 3], o: { ceil_mode: true }, layout: 'strided' },
    { x: [3, 5, 6], k: 2, o: {} },
    { x: [2, 2, 9, 14], k: 3, o: { stride: 3 } },
    { x: [1, 2, 5, 23], k: [1, 3], o: { stride: [1, 2], padding: [0, 1] } },
  ];
  for (const dtype of [torch.float32, torch.float64]) {
    for (const c of cases) {
      it(`max_pool2d ${dtype} x${JSON.stringify(c.x)} k${JSON.stringify(c.k)} ${JSON.stringify(c.o)}${c.layout ? ` ${c.layout}` : ''}`, () => {
        torch.manual_seed(0);
        const x = input(c.x, dtype, c.layout);
        compareModes([x], (a) => F.max_pool2d(a!, c.k, c.o), 'max_pool2d');
        // the indices, as PyTorch returns them (flat over each input plane)
        const idx = MODES.map((m) => {
          setMode(m);
          return F.max_pool2d(x.view(x.leaf), c.k, { ...c.o, return_indices: true })[1];
        });
        for (const i of idx.slice(1)) expect(i.tolist()).toEqual(idx[0]!.tolist());
        expect(idx[2]!.dtype).toBe(torch.int64);
      });
      it(`avg_pool2d ${dtype} x${JSON.stringify(c.x)} k${JSON.stringify(c.k)}`, () => {
        torch.manual_seed(0);
        const o = { ...c.o };
        delete o.dilation;
        compareModes([input(c.x, dtype, c.layout)], (a) => F.avg_pool2d(a!, c.k, o), 'avg_pool2d');
      });
    }
  }

  it("max_pool2d's 2 x 2 gradient in maxpool.wasm: the JavaScript scatter's bits, -0 and NaN gradients, odd sides", () => {
    // the scatter adds onto zeros, so a -0 gradient arrives as +0; elements outside every window stay +0
    const bits = (t: Tensor) => Array.from(new Int32Array(new Float32Array(t.flatten().tolist() as number[]).buffer));
    for (const shape of [[3, 4, 28, 28], [2, 3, 11, 13], [1, 2, 9, 8]]) {
      torch.manual_seed(0);
      const x = torch.randn(shape);
      const [gN, gC, gH, gW] = [shape[0]!, shape[1]!, Math.floor(shape[2]! / 2), Math.floor(shape[3]! / 2)];
      const g = torch.randn([gN, gC, gH, gW]);
      g.view(-1).index_fill_(0, torch.tensor([0, 5, 17]), -0);
      g.view(-1).index_fill_(0, torch.tensor([3, 11]), NaN);
      const grads = (['js', 'fast'] as const).map((m) => {
        setMode(m);
        const leaf = x.clone().requires_grad_(true);
        F.max_pool2d(leaf, 2).backward(g);
        return leaf.grad!;
      });
      expect(bits(grads[1]!), JSON.stringify(shape)).toEqual(bits(grads[0]!));
    }
  });

  it('max_pool2d: grad_fn names, double backward and ties as in PyTorch', () => {
    for (const m of MODES) {
      setMode(m);
      const x = torch.randn([2, 3, 6, 6], { dtype: torch.float64, requires_grad: true });
      const y = F.max_pool2d(x, 2);
      expect(y.grad_fn!.name()).toBe('MaxPool2DWithIndicesBackward0');
      const f = (t: Tensor) => F.max_pool2d(t, 3, { stride: 2, padding: 1 });
      expect(torch.autograd.gradgradcheck(f, [x])).toBe(true);
      // ties: the first maximum in the window (row by row) wins
      const t = torch.tensor([[[[1, 3, 0, 0], [3, 2, 0, 0]]]]);
      const [v, i] = F.max_pool2d(t, 2, { return_indices: true });
      expect(v.tolist()).toEqual([[[[3, 0]]]]);
      expect(i.tolist()).toEqual([[[[1, 2]]]]);
    }
  });

  interface PoolGolden {
    inputs: Record<string, number[][][][]>;
    max_pool2d: { input: string; kwargs: Record<string, unknown>; values: number[][][][]; indices: number[][][][] }[];
  }
  it('max_pool2d with NaN, -inf and ties: PyTorch 1.13 CPU values and indices (golden)', () => {
    const gd = loadGolden<PoolGolden>('conv_fastpath.json');
    // the composed path picks the first NaN of a window where PyTorch's CPU kernel picks the last
    for (const m of ['js', 'fast'] as const) {
      setMode(m);
      for (const dtype of [torch.float32, torch.float64]) {
        for (const c of gd.max_pool2d) {
          const { kernel_size, ...kw } = c.kwargs as { kernel_size: number | number[] };
          const [v, i] = F.max_pool2d(torch.tensor(gd.inputs[c.input]!, { dtype }), kernel_size, { ...kw, return_indices: true });
          const what = `${m} ${dtype} ${c.input} ${JSON.stringify(c.kwargs)}`;
          expectClose(v.tolist(), c.values, 0, 0, what);
          expect(i.tolist(), what).toEqual(c.indices);
        }
      }
    }
  });
});

describe('batch_norm: fast path agrees with the composed one', () => {
  const cases: { x: number[]; train: boolean; affine: boolean; layout?: Layout }[] = [
    { x: [8, 6, 7, 5], train: true, affine: true },
    { x: [8, 6, 7, 5], train: false, affine: true },
    { x: [5, 4], train: true, affine: false },
    { x: [3, 4, 9], train: true, affine: true, layout: 'transposed' },
    { x: [2, 3, 4, 6], train: false, affine: false, layout: 'strided' },
  ];
  for (const dtype of [torch.float32, torch.float64]) {
    for (const c of cases) {
      it(`${dtype} x${JSON.stringify(c.x)} training=${c.train}${c.affine ? ' affine' : ''}${c.layout ? ` ${c.layout}` : ''}`, () => {
        torch.manual_seed(0);
        const C = c.x[1]!;
        const inputs = [input(c.x, dtype, c.layout)];
        if (c.affine) inputs.push(input([C], dtype), input([C], dtype));
        const stats = (torch.rand([C], { dtype }).add(0.5));
        const running: Tensor[][] = [];
        compareModes(inputs, (x, w, b) => {
          const rm = stats.mul(0.3);
          const rv = stats.clone();
          running.push([rm, rv]);
          return F.batch_norm(x!, rm, rv, w ?? null, b ?? null, c.train, 0.2, 1e-3);
        }, 'batch_norm');
        const tol = dtype === torch.float64 ? 1e-12 : 2e-6;
        for (const r of running.slice(1)) r.forEach((t, i) => expectAllClose(t, running[0]![i]!, tol, `running stat ${i}`));
      });
    }
  }

  it('records NativeBatchNormBackward0 and differentiates twice', () => {
    for (const m of MODES) {
      setMode(m);
      torch.manual_seed(0);
      const x = torch.randn([4, 3, 2, 3], { dtype: torch.float64, requires_grad: true });
      const w = torch.randn([3], { dtype: torch.float64, requires_grad: true });
      const b = torch.randn([3], { dtype: torch.float64, requires_grad: true });
      expect(F.batch_norm(x, null, null, w, b, true).grad_fn!.name()).toBe('NativeBatchNormBackward0');
      const rm = torch.zeros([3], { dtype: torch.float64 });
      const rv = torch.ones([3], { dtype: torch.float64 });
      for (const train of [true, false]) {
        const f = (t: Tensor, ww: Tensor, bb: Tensor) => F.batch_norm(t, rm.clone(), rv.clone(), ww, bb, train);
        expect(torch.autograd.gradcheck(f, [x, w, b]), `${m} gradcheck training=${train}`).toBe(true);
        expect(torch.autograd.gradgradcheck(f, [x, w, b]), `${m} gradgradcheck training=${train}`).toBe(true);
      }
    }
  });
});
