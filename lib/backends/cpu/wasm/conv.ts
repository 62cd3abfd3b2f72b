/**
 * float32 conv2d forward and backward, max_pool2d and batch norm in WebAssembly: conv.wat's
 * kernels on gemm.ts's shared memory (`wasmGemm()`), so that the operands of a convolution never
 * leave WebAssembly memory between its steps. A call copies its operands in, runs there, and
 * copies the results out (stage.ts), except those the CPU allocator keeps in that memory (the
 * gradients of a backward pass), which it reads and writes in place.
 *
 * Convolutions of stride 1 along the width (LeNet's, notebook 03's, most 3x3 and 5x5 ones) run
 * conv.wat's direct kernels, with no column matrix: the input (or the output gradient) is copied
 * into zero-padded planes in which four output positions read four consecutive floats at every
 * kernel offset, so each kernel offset is one vector load per four positions:
 *   forward          y = bias + Σk W[o, k] · x[pos + off[k]]   (4 channels x 8 positions a tile)
 *   weight gradient  gW[o, k] = Σ gy[o, pos] · x[pos + off[k]]  (2 channels x 4 offsets a tile)
 *   input gradient   gx[pos + off[k]] += Σo W[o, k] · gy[o, pos] (4 offsets x 8 positions a tile)
 * For one group and a multiple of 16 output channels (LeNet's second convolution), the weight
 * gradient runs by position instead: gy transposed to (position, channel), 16 channels as four
 * vectors times x at two kernel offsets, broadcast, one position at a time, so no lane is spent
 * past a row's end (LeNet's rows of 10 outputs filled 10 of 12) and no position table is read:
 * that weight gradient took 1.3 ms on one thread, 0.8 this way.
 * The tails of output rows (oW not a multiple of 4) are computed and dropped, or masked. Against
 * im2col, one GEMM per image and col2im, LeNet's convolutions take about 0.6x the time on one
 * thread (the weight gradient 0.45x); one GEMM per layer over [C·kH·kW, N·oH·oW] columns was no
 * faster than one per image: M = O is 6 or 16, so packing the long B operand dominates, and the
 * columns no longer fit in L2 (bench/README.md).
 * Large convolutions (`wasmConvConfig.threadMinMacs` multiply-adds and up) are split over the
 * threads of a worker pool (pool.ts) of conv's own, `wasmGemmConfig.threads` of them: output rows
 * (forward), tiles of the weight gradient, images (input gradient). Each output element is
 * computed the same way whatever the split, so threads change no bit of a result.
 * Other convolutions: cols = im2col(x); y[n, g] = W[g] · cols[n, g] (gemm.wat's GEMM, per image
 * and group) + bias; gx = col2im(W[g]ᵀ · gy[n, g]); gW[g] = Σn gy[n, g] · cols[n, g]ᵀ (conv.wat's
 * gemmNT), one thread. gb = Σ gy, summed in float64, either way.
 * conv.wat also becomes conv_fma.wasm, whose multiply-adds are relaxed SIMD's fused ones; it runs
 * where the runtime validates it (V8's flag set here if gemm.ts has not set it already), else
 * conv.wasm. Results match the JavaScript kernels within float32 rounding, not bit for bit.
 * max_pool2d and batch norm copy their input in and their results out the same way: four lanes
 * at a time there against one element at a time in JavaScript (norm.ts and ../conv.ts keep those
 * loops for float64).
 *
 * Without conv.wasm or gemm.wasm (built by `npm run build:wasm`) the functions return false and
 * the caller falls back to the JavaScript kernels.
 *
 * Memory: gemm.ts's layout. In its first 4096 bytes, conv's pools' control blocks (CTL_*), the
 * direct task at TASK and the window geometry at PARAMS; the operands of the current call in the
 * data area (`dataStart` on), as for matmul and the optimizers: every use is synchronous.
 */

import type { View, Window2d } from '../../../backend.js';
import type { CpuStorage } from '../index.js';
import { WA, WS_BASE, fusedBinary, provideGemmNT, readBinary, wasmGemm, wasmGemmConfig, wasmGemmSlots, type Engine, type WasmModule } from './gemm.js';
import { GemmPool } from './pool.js';
import { f32, isContiguous, outAt, placeIn, reserve, residentAt, stageIn, stageOut, stageResult } from './stage.js';

/** Byte addresses in the engine's first page: window geometry (14 i32 + the (lo, hi) table), the direct task (33 i32). */
const PARAMS = 1024;
const TASK = 512;
/** Control blocks of the pools of conv_fma.wasm and conv.wasm (gemm.ts uses 0 and 256). */
const CTL_FUSED = 384;
const CTL_PLAIN = 448;
/** The (lo, hi) table after the 64 bytes of geometry must end within the parameter block. */
const MAX_KW = (4096 - PARAMS - 64) / 8;
/**
 * Chunks per thread of a pooled task: claimed dynamically, they even out a core busy elsewhere
 * (LeNet's first weight gradient has only 21 tiles: 7 chunks of 3 gave 2 threads 1.1x, not 1.9x).
 */
const CHUNKS_PER_THREAD = 8;

interface ConvExports {
  im2col(p: number, src: number, dst: number): void;
  col2im(p: number, src: number, dst: number): void;
  addBias(y: number, rows: number, O: number, L: number, b: number): void;
  sumRows(g: number, rows: number, O: number, L: number, dst: number): void;
  maxPool(p: number, src: number, val: number, idx: number, withIdx: number): void;
  bnStats(x: number, N: number, C: number, S: number, mean: number, var_: number): void;
  bnNormalize(x: number, N: number, C: number, S: number, mean: number, a: number, b: number): void;
  bnBackward(g: number, x: number, N: number, C: number, S: number, mean: number, sums: number, coef: number, gx: number): void;
  gemmNT(M: number, N: number, K: number, a: number, lda: number, sa: number, b: number, ldb: number, sb: number, B: number, c: number, ldc: number, onto: number): void;
  pad(src: number, planes: number, H: number, W: number, dst: number, Hp: number, Wp: number, top: number, left: number): void;
  vectors(src: number, planes: number, H: number, W: number, dst: number): void;
  transposeGy(src: number, N: number, O: number, L: number, dst: number): void;
  chunk(p: number, index: number, ws: number): void;
}
interface MaxPoolExports {
  maxPool2x2(src: number, val: number, idx: number, withIdx: number, planes: number, H: number, W: number, oH: number, oW: number): void;
  maxPool2x2Backward(g: number, idx: number, out: number, planes: number, H: number, W: number, oH: number, oW: number): void;
}
interface GemmExports {
  gemm(M: number, N: number, K: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, ldc: number, ws: number): void;
}

/** One binary of conv.wat instantiated on the engine's memory, with the worker pool that runs its tasks. */
interface Variant {
  module: WasmModule;
  conv: ConvExports;
  pool: GemmPool | null;
  ctl: number;
}

interface ConvEngine {
  e: Engine;
  /** The engine's GEMM binary, instantiated here for the im2col path. */
  gemm: GemmExports;
  plain: Variant;
  fused: Variant | null;
  /** maxpool.wasm's 2 x 2 pooling, when built. */
  pool2x2: MaxPoolExports | null;
}

/**
 * The knobs tests and bench turn. `enabled: false` sends float32 convolutions, pooling and batch
 * norm to the JavaScript kernels; `direct: false` sends stride-1 convolutions through im2col and
 * the GEMM too; `fma: false` runs conv.wasm where conv_fma.wasm loads; `threadMinMacs`: the
 * multiply-adds (N·O·C/groups·kH·kW·oH·oW) from which a convolution is split over
 * `wasmGemmConfig.threads` threads.
 */
export const wasmConvConfig = {
  enabled: true,
  direct: true,
  // false keeps the weight gradient of one group and a multiple of 16 output channels on the
  // position-vector kernels instead of wgradT, and the forward likewise instead of forwardT: for
  // tests and bench
  wgradT: true,
  forwardT: true,
  fma: true,
  // two threads break even at about 2M (LeNet's second convolution at batch 4: 1.9M) and take
  // 0.75x the time at 3.8M (batch 8), on 2 cores
  threadMinMacs: 1 << 21,
};

let engine: ConvEngine | null | undefined;

function variant(e: Engine, bytes: Uint8Array, ctl: number): Variant {
  const module = new WA.Module(bytes);
  const conv = new WA.Instance(module, { env: { memory: e.memory } }).exports as ConvExports;
  return { module, conv, pool: null, ctl };
}

function load(): ConvEngine | null {
  const e = wasmGemm();
  if (e === null) return null;
  const bytes = readBinary('./conv.wasm');
  if (bytes === null) return null;
  const fused = fusedBinary('./conv_fma.wasm');
  const gemm = new WA.Instance(e.module, { env: { memory: e.memory } }).exports as GemmExports;
  const pool = readBinary('./maxpool.wasm');
  const pool2x2 = pool && (new WA.Instance(new WA.Module(pool), { env: { memory: e.memory } }).exports as MaxPoolExports);
  return { e, gemm, plain: variant(e, bytes, CTL_PLAIN), fused: fused && variant(e, fused, CTL_FUSED), pool2x2 };
}

// nn.Linear's x @ W.t() reads both operands along k: wasmMatmul runs gemmNT for it, unpacked
provideGemmNT(() => {
  if (engine === undefined) engine = load();
  if (engine === null) return null;
  return (wasmGemmConfig.fma && engine.fused ? engine.fused : engine.plain).conv.gemmNT;
});

function getEngine(): ConvEngine | null {
  if (!wasmConvConfig.enabled) return null;
  if (engine === undefined) engine = load();
  return engine;
}

/** The binary that runs now: conv_fma.wasm unless the config or the runtime rules it out. */
function active(ce: ConvEngine): Variant {
  return wasmConvConfig.fma && ce.fused ? ce.fused : ce.plain;
}

/** Whether convolutions run conv_fma.wasm now, and the chunks conv's pool workers have run so far: for tests and bench. */
export function wasmConvStatus(): { loaded: boolean; fused: boolean; workerChunks: number; workersReady: number } {
  const ce = getEngine();
  if (ce === null) return { loaded: false, fused: false, workerChunks: 0, workersReady: 0 };
  const v = active(ce);
  const s = v.pool?.stats() ?? { ready: 0, workerChunks: 0 };
  return { loaded: true, fused: v === ce.fused, workerChunks: s.workerChunks, workersReady: s.ready };
}

/** Writes the window geometry and its (lo, hi) column table for conv.wat. */
function writeParams(e: Engine, N: number, C: number, H: number, W: number, w: Window2d): void {
  const p = new Int32Array(e.memory.buffer, PARAMS, 16 + 2 * w.kW);
  p.set([N, C, H, W, w.kH, w.kW, w.sH, w.sW, w.pH, w.pW, w.dH, w.dW, w.oH, w.oW]);
  for (let j = 0; j < w.kW; j++) {
    // output columns ox whose input column ox·sW - pW + j·dW lies in [0, W)
    const off = j * w.dW - w.pW;
    const lo = Math.min(w.oW, Math.max(0, Math.ceil(-off / w.sW)));
    const hi = Math.max(lo, Math.min(w.oW, Math.floor((W - 1 - off) / w.sW) + 1));
    p[16 + 2 * j] = lo;
    p[17 + 2 * j] = hi;
  }
}

function usable(views: readonly (View | null)[], w: Window2d): boolean {
  for (const v of views) if (v && !((v.storage as CpuStorage).data instanceof Float32Array)) return false;
  return w.kW <= MAX_KW && w.oH > 0 && w.oW > 0;
}

/**
 * The padded planes of the direct kernels: Hp x Wp, the data at (pH, pW), wide enough that the
 * last vector of an output row (4·nv columns) reads within the row at every kernel column.
 */
function padded(H: number, W: number, w: Window2d): { Hp: number; Wp: number; nv: number; U: number } {
  const nv = Math.ceil(w.oW / 4);
  const Hp = Math.max(w.pH + H, (w.oH - 1) * w.sH + (w.kH - 1) * w.dH + 1);
  const Wp = Math.max(w.pW + W, 4 * nv + (w.kW - 1) * w.dW);
  return { Hp, Wp, nv, U: w.oH * nv };
}

/** weight[o, k] for a float32 weight (O, C/groups, kH, kW), its kernel offsets k in (c, i, j) order. */
function weightAt(weight: View): (o: number, k: number) => number {
  const [, Cg, kH, kW] = weight.shape as [number, number, number, number];
  const [s0, s1, s2, s3] = weight.strides as [number, number, number, number];
  const off = new Int32Array(Cg * kH * kW);
  let k = 0;
  for (let c = 0; c < Cg; c++) for (let i = 0; i < kH; i++) for (let j = 0; j < kW; j++) off[k++] = weight.offset + c * s1 + i * s2 + j * s3;
  const src = f32(weight);
  return (o, kk) => src[o * s0 + off[kk]!]!;
}

/** The 33 i32 of a direct task (see conv.wat): fields by byte offset. */
function writeTask(e: Engine, fields: Record<number, number>): void {
  const p = new Int32Array(e.memory.buffer, TASK, 33);
  p.fill(0);
  for (const [at, v] of Object.entries(fields)) p[Number(at) / 4] = v;
}

/** Runs the task at TASK over `units` (rows, tiles or images): on this thread, or split over the pool's when large. */
function runTask(ce: ConvEngine, v: Variant, units: number, macs: number): void {
  const e = ce.e;
  const p = new Int32Array(e.memory.buffer, TASK, 33);
  const threads = threadsFor(units, macs);
  if (threads > 1) {
    const per = Math.max(1, Math.floor(units / (threads * CHUNKS_PER_THREAD)));
    p[20] = per;
    if (v.pool === null) {
      v.pool = new GemmPool(v.module, e.memory, v.ctl, (q, i, w) => v.conv.chunk(q, i, w), TASK, (i) => WS_BASE + i * e.wsStride);
    }
    v.pool.ensure(threads - 1);
    v.pool.run(Math.ceil(units / per));
  } else {
    p[20] = units;
    v.conv.chunk(TASK, 0, WS_BASE);
  }
}

/** The threads runTask splits a task over. */
function threadsFor(units: number, macs: number): number {
  const threads = Math.max(1, Math.min(wasmGemmConfig.threads, wasmGemmSlots));
  return units > 1 && macs >= wasmConvConfig.threadMinMacs ? threads : 1;
}

/** Wakes the pool's workers for a task runTask will split, while the caller still prepares it (GemmPool.wake). */
function wakeFor(v: Variant, units: number, macs: number): void {
  if (v.pool !== null && threadsFor(units, macs) > 1) v.pool.wake();
}

/** A convolution's sizes: input N, C, H, W; O output channels, Og and Cg per group; K = Cg·kH·kW; L output positions. */
function sizes(x: View, weight: View, w: Window2d, G: number) {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const O = weight.shape[0]!;
  return { N, C, H, W, O, Og: O / G, Cg: C / G, K: (C / G) * w.kH * w.kW, L: w.oH * w.oW };
}

/** Where a forward kernel finds its operands (byte addresses) and the padded planes' sizes. */
interface ForwardOperands {
  xp: number;
  wp: number;
  ba: number;
  offA: number;
  ya: number;
  Hp: number;
  Wp: number;
}

/**
 * The forward kernels' common part: room for x, its padded planes, `packed` floats of packed
 * weights (the caller writes them at wp), the bias and the table of kernel rows (c, i), and where
 * y goes; the workers woken for `units`; x copied in and padded, the bias copied in, the table
 * written (the kernels walk each row's kW columns themselves). Null when it does not fit.
 */
function forwardOperands(e: Engine, v: Variant, x: View, bias: View | null, y: View, w: Window2d, G: number, packed: number, units: number, macs: number): ForwardOperands | null {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const Cg = C / G;
  const O = y.shape[1]!;
  const { Hp, Wp } = padded(H, W, w);
  const at = reserve(e, [N * C * H * W, N * C * Hp * Wp, packed, O, Cg * w.kH, N * O * w.oH * w.oW]);
  if (at === null) return null;
  const [, xp, wp, ba, offA] = at as [number, number, number, number, number];
  const ya = outAt(y, at[5]!);
  wakeFor(v, units, macs);
  const xs = placeIn(e, x, at[0]!);
  v.conv.pad(xs, N * C, H, W, xp, Hp, Wp, w.pH, w.pW);
  if (bias) stageIn(e, bias, ba);
  const off = new Int32Array(e.memory.buffer, offA, Cg * w.kH);
  for (let c = 0, r = 0; c < Cg; c++) for (let i = 0; i < w.kH; i++) off[r++] = (c * Hp + i * w.dH) * Wp * 4;
  return { xp, wp, ba, offA, ya, Hp, Wp };
}

/**
 * y = conv2d(x, weight, bias) by conv.wat's forwardT (one group, a multiple of 16 output
 * channels, w.sW = 1): the output channels as vectors, x broadcast one output column at a time.
 */
function forwardByPosition(ce: ConvEngine, v: Variant, x: View, weight: View, bias: View | null, y: View, w: Window2d): boolean {
  const e = ce.e;
  const { N, C, O, K, L } = sizes(x, weight, w, 1);
  const units = N * w.oH * (O / 16);
  const ops = forwardOperands(e, v, x, bias, y, w, 1, K * O, units, N * O * K * L);
  if (ops === null) return false;
  const { xp, wp, ba, offA, ya, Hp, Wp } = ops;
  // weights as [K][O]: kernel offset k's O channels in a row
  const at = weightAt(weight);
  const heap = e.heap;
  for (let o = 0; o < O; o++) for (let k = 0, q = wp / 4 + o; k < K; k++, q += O) heap[q] = at(o, k);
  writeTask(e, {
    0: 4, 4: N, 16: K, 20: xp, 24: C * Hp * Wp * 4, 32: w.sH * Wp * 4, 36: ya, 40: O, 44: L, 48: w.oW, 52: w.oH,
    64: wp, 68: offA, 72: bias ? ba : 0, 100: O, 124: w.kW, 128: w.dW * 4,
  });
  runTask(ce, v, units, N * O * K * L);
  stageResult(e, ya, y, N * O * L);
  return true;
}

/** y = conv2d(x, weight, bias) by the direct kernel (w.sW = 1). */
function forwardDirect(ce: ConvEngine, v: Variant, x: View, weight: View, bias: View | null, y: View, w: Window2d, G: number): boolean {
  const e = ce.e;
  const { N, C, O, Og, Cg, K, L } = sizes(x, weight, w, G);
  const nv = Math.ceil(w.oW / 4);
  // packed weights per group: tiles of 4 channels [K][4]; a last one of 3 as 4, of 1 or 2 as [K][2]
  const rest = Og % 4;
  const perGroup = (Og - rest + (rest === 3 ? 4 : rest > 0 ? 2 : 0)) * K;
  const ops = forwardOperands(e, v, x, bias, y, w, G, G * perGroup, N * w.oH, N * O * K * L);
  if (ops === null) return false;
  const { xp, wp, ba, offA, ya, Hp, Wp } = ops;
  const at = weightAt(weight);
  const heap = e.heap;
  let q = wp / 4;
  for (let o0 = 0; o0 < O; ) {
    const rows = Math.min(4, Og - (o0 % Og));
    const mr = rows > 2 ? 4 : 2;
    for (let k = 0; k < K; k++) for (let r = 0; r < mr; r++) heap[q++] = r < rows ? at(o0 + r, k) : 0;
    o0 += rows;
  }
  writeTask(e, {
    0: 0, 4: N, 8: G, 12: Og, 16: K, 20: xp, 24: C * Hp * Wp * 4, 28: Cg * Hp * Wp * 4, 32: w.sH * Wp * 4,
    36: ya, 40: O, 44: L, 48: w.oW, 52: w.oH, 56: nv, 64: wp, 68: offA, 72: bias ? ba : 0, 124: w.kW, 128: w.dW * 4,
  });
  runTask(ce, v, N * w.oH, N * O * K * L);
  stageResult(e, ya, y, N * O * L);
  return true;
}

/** The gradients of y = conv2d(x, weight, bias) by the direct kernels (w.sW = 1). */
function backwardDirect(
  ce: ConvEngine, v: Variant, gy: View, x: View, weight: View, gx: View | null, gw: View | null, gb: View | null, w: Window2d, G: number,
): boolean {
  const e = ce.e;
  const { N, C, H, W, O, Og, Cg, K, L } = sizes(x, weight, w, G);
  const { Hp, Wp, nv, U } = padded(H, W, w);
  const nk = Math.ceil(K / 4);
  const tail = w.oW % 4;
  const full = tail ? nv - 1 : nv;
  const img = N * C * Hp * Wp;
  // gy, gy as vectors (when its rows have tails), gb (float64 sums), the position table; for gw:
  // x, x padded, offsets, gw; for gx: its padded planes, gx, packed weights, offsets
  // the weight gradient from gy transposed (wgradT) when its 16-channel tiles fit
  const byPosition = gw !== null && G === 1 && O % 16 === 0 && wasmConvConfig.wgradT;
  const at = reserve(e, [
    N * O * L, tail ? N * O * U * 4 : 0, 2 * O, U,
    gw ? N * C * H * W : 0, gw ? img : 0, gw ? K : 0, gw ? O * K : 0,
    gx ? img : 0, gx ? N * C * H * W : 0, gx ? G * nk * Og * 4 : 0, gx ? nk * 4 : 0,
    byPosition ? N * L * O : 0,
  ]);
  if (at === null) return false;
  const [, gyv, gba, tab, xs, xp, offW, , gxp, , wt, offD] = at as number[] as [
    number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  const gwa = gw ? outAt(gw, at[7]!) : 0;
  const gxa = gx ? outAt(gx, at[9]!) : 0;
  wakeFor(v, gw ? G * Math.ceil(Og / 2) * nk : N, N * O * K * L);
  const gys = placeIn(e, gy, at[0]!);
  // the bias gradient first, while gy is still in this core's cache from the node before (after
  // the other tasks, LeNet's first took 150 µs of its step instead of about 45)
  if (gb) {
    v.conv.sumRows(gys, N * O, O, L, gba);
    stageOut(e, gba, gb, O);
  }
  if (tail) v.conv.vectors(gys, N * O, w.oH, w.oW, gyv);
  // x byte offsets of the position vectors in a padded plane: the rows' full vectors, then their tails
  const t = new Int32Array(e.memory.buffer, tab, U);
  let u = 0;
  for (let oy = 0; oy < w.oH; oy++) for (let vi = 0; vi < full; vi++) t[u++] = (oy * w.sH * Wp + 4 * vi) * 4;
  for (let oy = 0; tail && oy < w.oH; oy++) t[u++] = (oy * w.sH * Wp + 4 * full) * 4;
  const common = {
    4: N, 8: G, 12: Og, 16: K, 24: C * Hp * Wp * 4, 28: Cg * Hp * Wp * 4, 32: w.sH * Wp * 4,
    36: tail ? gyv : gys, 40: O, 44: L, 48: w.oW, 52: w.oH, 56: nv, 60: U, 76: tab, 84: w.oH * full, 88: tail,
  };
  if (gw) {
    v.conv.pad(placeIn(e, x, xs), N * C, H, W, xp, Hp, Wp, w.pH, w.pW);
    const off = new Int32Array(e.memory.buffer, offW, K);
    for (let c = 0, k = 0; c < Cg; c++) {
      for (let i = 0; i < w.kH; i++) for (let j = 0; j < w.kW; j++) off[k++] = ((c * Hp + i * w.dH) * Wp + j * w.dW) * 4;
    }
    if (byPosition) {
      v.conv.transposeGy(gys, N, O, L, at[12]!);
      writeTask(e, { ...common, 0: 3, 20: xp, 36: at[12]!, 64: gwa, 68: offW });
      runTask(ce, v, (O / 16) * Math.ceil(K / 2), N * O * K * L);
    } else {
      writeTask(e, { ...common, 0: 1, 20: xp, 64: gwa, 68: offW });
      runTask(ce, v, G * Math.ceil(Og / 2) * nk, N * O * K * L);
    }
    stageOut(e, gwa, gw, O * K);
  }
  if (gx) {
    if (gw) wakeFor(v, N, N * O * K * L);
    // kernel offsets with the kernel column slowest (see dgrad in conv.wat), in quads; weights
    // per group as [K/4][Og][4], zeros past K
    const off = new Int32Array(e.memory.buffer, offD, nk * 4);
    off.fill(0);
    const order = new Int32Array(K);
    let k = 0;
    for (let j = 0; j < w.kW; j++) {
      for (let i = 0; i < w.kH; i++) {
        for (let c = 0; c < Cg; c++, k++) {
          order[k] = (c * w.kH + i) * w.kW + j;
          off[k] = ((c * Hp + i * w.dH) * Wp + j * w.dW) * 4;
        }
      }
    }
    const at = weightAt(weight);
    const heap = e.heap;
    let q = wt / 4;
    for (let g = 0; g < G; g++) {
      for (let kq = 0; kq < nk; kq++) {
        for (let o = 0; o < Og; o++) {
          for (let r = 0; r < 4; r++) {
            const kk = kq * 4 + r;
            heap[q++] = kk < K ? at(g * Og + o, order[kk]!) : 0;
          }
        }
      }
    }
    writeTask(e, {
      ...common, 0: 2, 20: gxp, 64: wt, 68: offD,
      92: gxa, 96: H, 100: W, 104: w.pH, 108: w.pW, 112: Hp, 116: Wp, 120: C,
    });
    runTask(ce, v, N, N * O * K * L);
    stageOut(e, gxa, gx, N * C * H * W);
  }
  return true;
}

/**
 * y = conv2d(x, weight, bias) for float32 x (N, C, H, W), weight (O, C/groups, kH, kW) and a
 * contiguous y (N, O, oH, oW); false when the operands are not float32 or do not fit.
 */
export function wasmConv2d(x: View, weight: View, bias: View | null, y: View, w: Window2d, groups: number): boolean {
  if (!usable([x, weight, bias, y], w) || !isContiguous(y)) return false;
  const ce = getEngine();
  if (ce === null) return false;
  const e = ce.e;
  const v = active(ce);
  const { N, C, H, W, O, Og, K: Kg, L } = sizes(x, weight, w, groups);
  const CK = C * w.kH * w.kW;
  // no input channels: the GEMM would leave y unwritten
  if (Kg === 0) return false;
  if (N === 0) return true;
  if (w.sW === 1 && wasmConvConfig.direct) {
    if (groups === 1 && O % 16 === 0 && wasmConvConfig.forwardT) return forwardByPosition(ce, v, x, weight, bias, y, w);
    return forwardDirect(ce, v, x, weight, bias, y, w, groups);
  }
  const at = reserve(e, [N * C * H * W, O * Kg, O, N * CK * L, N * O * L]);
  if (at === null) return false;
  const [, wa, ba, ca, ya] = at as [number, number, number, number, number];
  const xa = placeIn(e, x, at[0]!);
  stageIn(e, weight, wa);
  if (bias) stageIn(e, bias, ba);
  writeParams(e, N, C, H, W, w);
  v.conv.im2col(PARAMS, xa, ca);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      ce.gemm.gemm(
        Og, L, Kg,
        wa + 4 * g * Og * Kg, Kg, 1,
        ca + 4 * (n * CK + g * Kg) * L, L, 1,
        ya + 4 * (n * O + g * Og) * L, L, WS_BASE,
      );
    }
  }
  if (bias) v.conv.addBias(ya, N * O, O, L, ba);
  stageResult(e, ya, y, N * O * L);
  return true;
}

/**
 * The gradients of y = conv2d(x, weight, bias) from gy (N, O, oH, oW): into contiguous float32
 * gx (like x), gw (like weight) and gb (O), each skipped when null; false when the operands are
 * not float32 or do not fit (nothing is written then).
 */
export function wasmConv2dBackward(
  gy: View, x: View, weight: View, gx: View | null, gw: View | null, gb: View | null, w: Window2d, groups: number,
): boolean {
  if (!usable([gy, x, weight, gx, gw, gb], w)) return false;
  for (const v of [gx, gw, gb]) if (v && !isContiguous(v)) return false;
  const ce = getEngine();
  if (ce === null) return false;
  const e = ce.e;
  const cv = active(ce);
  const { N, C, H, W, O, Og, K: Kg, L } = sizes(x, weight, w, groups);
  const CK = C * w.kH * w.kW;
  if (Kg === 0) return false;
  if (N === 0) {
    for (const v of [gx, gw, gb]) if (v) f32(v).fill(0, v.offset, v.offset + v.shape.reduce((a, b) => a * b, 1));
    return true;
  }
  if (w.sW === 1 && wasmConvConfig.direct) return backwardDirect(ce, cv, gy, x, weight, gx, gw, gb, w, groups);
  // gy, weight, columns (the input gradient's, then the input's), gx then x, gw, gb (float64 sums)
  const at = reserve(e, [N * O * L, O * Kg, N * CK * L, N * C * H * W, O * Kg, 2 * O]);
  if (at === null) return false;
  const [gya, wa, ca, xa, gwa, gba] = at as [number, number, number, number, number, number];
  stageIn(e, gy, gya);
  writeParams(e, N, C, H, W, w);
  if (gx) {
    stageIn(e, weight, wa);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < groups; g++) {
        // columns = W[g]ᵀ · gy[n, g]: A is the weight block read transposed
        ce.gemm.gemm(
          Kg, L, Og,
          wa + 4 * g * Og * Kg, 1, Kg,
          gya + 4 * (n * O + g * Og) * L, L, 1,
          ca + 4 * (n * CK + g * Kg) * L, L, WS_BASE,
        );
      }
    }
    cv.conv.col2im(PARAMS, ca, xa);
    stageOut(e, xa, gx, N * C * H * W);
  }
  if (gw) {
    stageIn(e, x, xa);
    cv.conv.im2col(PARAMS, xa, ca);
    // gW[g] = Σn gy[n, g] · cols[n, g]ᵀ, both read along their rows (the output positions)
    for (let g = 0; g < groups; g++) {
      cv.conv.gemmNT(
        Og, Kg, L,
        gya + 4 * g * Og * L, L, O * L,
        ca + 4 * g * Kg * L, L, CK * L,
        N, gwa + 4 * g * Og * Kg, Kg, 0,
      );
    }
    stageOut(e, gwa, gw, O * Kg);
  }
  if (gb) {
    cv.conv.sumRows(gya, N * O, O, L, gba);
    stageOut(e, gba, gb, O);
  }
  return true;
}

/**
 * max_pool2d's values (contiguous float32, N x C x oH x oW) and indices (contiguous int64, flat
 * over each H x W plane; skipped when null) for a float32 input (N, C, H, W), with PyTorch's CPU
 * rules; false when the operands are not float32 or do not fit.
 */
export function wasmMaxPool2d(input: View, values: View, indices: View | null, w: Window2d): boolean {
  if (!usable([input, values], w) || !isContiguous(values)) return false;
  if (indices && (!isContiguous(indices) || !((indices.storage as CpuStorage).data instanceof Float64Array))) return false;
  const ce = getEngine();
  if (ce === null) return false;
  const e = ce.e;
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const n = N * C * w.oH * w.oW;
  if (n === 0) return true;
  // indices in the memory already (a block the CPU allocator keeps there for them) are written in place
  const ixAt = indices ? residentAt(indices) : -1;
  const at = reserve(e, [N * C * H * W, n, indices && ixAt < 0 ? 2 * n : 0]);
  if (at === null) return false;
  const va = at[1]!;
  const ia = ixAt >= 0 ? ixAt : at[2]!;
  const xa = placeIn(e, input, at[0]!);
  if (ce.pool2x2 && is2x2(w, H, W)) {
    // LeNet's pooling: one pass of vector compares (the general kernel took about 5 ns an output)
    ce.pool2x2.maxPool2x2(xa, va, ia, indices ? 1 : 0, N * C, H, W, w.oH, w.oW);
  } else {
    poolGeneral(e, active(ce).conv, input.shape as [number, number, number, number], w, xa, va, ia, indices !== null);
  }
  stageResult(e, va, values, n);
  if (indices && ixAt < 0) ((indices.storage as CpuStorage).data as Float64Array).set(new Float64Array(e.memory.buffer, ia, n), indices.offset);
  return true;
}

/** Whether maxpool.wasm takes the window: 2 x 2, stride 2, no padding or dilation, whole windows, rows of 4 outputs or more. */
function is2x2(w: Window2d, H: number, W: number): boolean {
  const { kH, kW, sH, sW, pH, pW, dH, dW, oH, oW } = w;
  return kH === 2 && kW === 2 && sH === 2 && sW === 2 && pH === 0 && pW === 0 && dH === 1 && dW === 1 && 2 * oH <= H && 2 * oW <= W && oW >= 4;
}

/**
 * max_pool2d's gradient (see NnKernels.maxPool2dBackward) for maxpool.wasm's windows: float32
 * grad, int64 indices and a contiguous float32 out; false for anything else. Every element of out
 * is written once, in place of the zero fill and the scatter.
 */
export function wasmMaxPool2dBackward(grad: View, indices: View, out: View, w: Window2d): boolean {
  const ix = (indices.storage as CpuStorage).data;
  // the indices come contiguous from the forward's kernel
  if (!usable([grad, out], w) || !isContiguous(out) || !isContiguous(indices) || !(ix instanceof Float64Array)) return false;
  const ce = getEngine();
  if (ce === null || ce.pool2x2 === null) return false;
  const [N, C, H, W] = out.shape as [number, number, number, number];
  if (!is2x2(w, H, W)) return false;
  const e = ce.e;
  const n = N * C * w.oH * w.oW;
  const ixAt = residentAt(indices);
  const at = reserve(e, [n, ixAt < 0 ? 2 * n : 0, N * C * H * W]);
  if (at === null) return false;
  const oa = outAt(out, at[2]!);
  const ia = ixAt >= 0 ? ixAt : at[1]!;
  const ga = placeIn(e, grad, at[0]!);
  if (ixAt < 0) new Float64Array(e.memory.buffer, ia, n).set(ix.subarray(indices.offset, indices.offset + n));
  ce.pool2x2.maxPool2x2Backward(ga, ia, oa, N * C, H, W, w.oH, w.oW);
  stageOut(e, oa, out, N * C * H * W);
  return true;
}

/** conv.wat's maxPool, any window: the geometry and the columns whose windows lie inside the input. */
function poolGeneral(e: Engine, conv: ConvExports, [N, C, H, W]: [number, number, number, number], w: Window2d, xa: number, va: number, ia: number, withIdx: boolean): void {
  writeParams(e, N, C, H, W, w);
  // the output columns whose windows lie inside the input's columns
  const lo = Math.min(w.oW, Math.ceil(w.pW / w.sW));
  const hi = Math.max(lo, Math.min(w.oW, Math.floor((W - 1 - (w.kW - 1) * w.dW + w.pW) / w.sW) + 1));
  new Int32Array(e.memory.buffer, PARAMS + 56, 2).set([lo, hi]);
  conv.maxPool(PARAMS, xa, va, ia, withIdx ? 1 : 0);
}

/** Element c of a 1-d view (1 for a null one). */
function elem(v: View | null, c: number): number {
  return v ? (v.storage as CpuStorage).data[v.offset + c * v.strides[0]!]! : 1;
}

/** Writes C floats from the heap at byte `at` into a 1-d view. */
function writeVector(e: Engine, at: number, v: View, C: number): void {
  const d = (v.storage as CpuStorage).data;
  for (let c = 0; c < C; c++) d[v.offset + c * v.strides[0]!] = e.heap[at / 4 + c]!;
}

/** batchNormStats (see NnKernels) for float32 views; false where it does not take them. */
export function wasmBatchNormStats(input: View, mean: View, var_: View): boolean {
  if (!allF32([input, mean, var_])) return false;
  const ce = getEngine();
  if (ce === null) return false;
  const e = ce.e;
  const conv = active(ce).conv;
  const [N, C, S] = input.shape as [number, number, number];
  const at = reserve(e, [N * C * S, C, C]);
  if (at === null) return false;
  const [, ma, va] = at as [number, number, number];
  conv.bnStats(placeIn(e, input, at[0]!), N, C, S, ma, va);
  writeVector(e, ma, mean, C);
  writeVector(e, va, var_, C);
  return true;
}

/** batchNorm (see NnKernels) for float32 views and a contiguous out; false where it does not take them. */
export function wasmBatchNorm(input: View, mean: View, invstd: View, weight: View | null, bias: View | null, out: View): boolean {
  if (!allF32([input, mean, invstd, weight, bias, out]) || !isContiguous(out)) return false;
  const ce = getEngine();
  if (ce === null) return false;
  const e = ce.e;
  const conv = active(ce).conv;
  const [N, C, S] = input.shape as [number, number, number];
  const at = reserve(e, [N * C * S, 3 * C]);
  if (at === null) return false;
  const [xa, pa] = at as [number, number];
  stageIn(e, input, xa);
  const h = e.heap;
  const p = pa / 4;
  for (let c = 0; c < C; c++) {
    h[p + c] = elem(mean, c);
    h[p + C + c] = elem(invstd, c) * elem(weight, c);
    h[p + 2 * C + c] = bias ? elem(bias, c) : 0;
  }
  conv.bnNormalize(xa, N, C, S, pa, pa + 4 * C, pa + 8 * C);
  stageResult(e, xa, out, N * C * S);
  return true;
}

/** batchNormBackward (see NnKernels) for float32 views and contiguous outputs; false where it does not take them. */
export function wasmBatchNormBackward(
  grad: View, input: View, mean: View, invstd: View, weight: View | null,
  gradInput: View | null, gradWeight: View | null, gradBias: View | null, batchStats: boolean,
): boolean {
  const outs = [gradInput, gradWeight, gradBias];
  if (!allF32([grad, input, mean, invstd, weight, ...outs]) || outs.some((v) => v && !isContiguous(v))) return false;
  const ce = getEngine();
  if (ce === null) return false;
  const e = ce.e;
  const conv = active(ce).conv;
  const [N, C, S] = input.shape as [number, number, number];
  const n = N * C * S;
  // g, x, gx, mean, float64 sums (2C), coefficients (3C)
  const at = reserve(e, [n, n, gradInput ? n : 0, C, 4 * C, 3 * C]);
  if (at === null) return false;
  const [, , , ma, sa, ca] = at as [number, number, number, number, number, number];
  const gxa = gradInput ? outAt(gradInput, at[2]!) : 0;
  const ga = placeIn(e, grad, at[0]!);
  const xa = placeIn(e, input, at[1]!);
  for (let c = 0; c < C; c++) e.heap[ma / 4 + c] = elem(mean, c);
  conv.bnBackward(ga, xa, N, C, S, ma, sa, 0, 0);
  const sums = new Float64Array(e.memory.buffer, sa, 2 * C);
  const M = N * S;
  const h = e.heap;
  for (let c = 0; c < C; c++) {
    const is = elem(invstd, c);
    const sg = sums[c]!;
    const sgx = sums[C + c]! * is;
    if (gradBias) (gradBias.storage as CpuStorage).data[gradBias.offset + c] = sg;
    if (gradWeight) (gradWeight.storage as CpuStorage).data[gradWeight.offset + c] = sgx;
    h[ca / 4 + c] = is * elem(weight, c);
    h[ca / 4 + C + c] = batchStats ? sg / M : 0;
    h[ca / 4 + 2 * C + c] = batchStats ? (is * sgx) / M : 0;
  }
  if (gradInput) {
    conv.bnBackward(ga, xa, N, C, S, ma, sa, ca, gxa);
    stageOut(e, gxa, gradInput, n);
  }
  return true;
}

function allF32(views: readonly (View | null)[]): boolean {
  for (const v of views) if (v && !((v.storage as CpuStorage).data instanceof Float32Array)) return false;
  return getEngine() !== null;
}
