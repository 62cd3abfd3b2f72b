/**
 * The interface every backend implements. The core builds ops from these few kernels and never
 * imports a backend: backends register themselves by device type (see device.ts).
 */

import type { DType, TypedArray } from './dtype.js';
import type { Algebra } from './ops/algebra.js';

/** Memory owned by a backend. `version` counts in-place writes (autograd checks it). */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  readonly size: number;
  version: number;
}

/** A strided window on a storage, as kernels see their operands. */
export interface View {
  readonly storage: Storage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * An elementwise function written once against the scalar algebra; each backend interprets it
 * (the CPU as numbers, WebGPU as WGSL). `key` names it for kernel caches.
 */
export interface PointwiseFn {
  readonly key: string;
  readonly f: <V>(A: Algebra<V>, ...xs: V[]) => V;
}

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any';
export type ArgReduceOp = 'max' | 'min';
export type ScanOp = 'cumsum' | 'cumprod' | 'cummax' | 'cummin';

/** A random fill a backend may draw on its device (see Backend.random). */
export type RandomFill =
  | { readonly dist: 'uniform'; readonly from: number; readonly to: number }
  | { readonly dist: 'normal'; readonly mean: number; readonly std: number }
  /** p: a probability, or a view of probabilities broadcast to the output */
  | { readonly dist: 'bernoulli'; readonly p: number | View }
  /** integers in [low, low + range), with range <= 2^32 */
  | { readonly dist: 'randint'; readonly low: number; readonly range: number };

/**
 * Where the windows of a 2-d convolution or pooling sit in an (N, C, H, W) input: kernel size,
 * stride, padding before the first row / column (the padding after is whatever the oH x oW windows
 * reach past the input), dilation, and the number of windows.
 */
export interface Window2d {
  readonly kH: number; readonly kW: number;
  readonly sH: number; readonly sW: number;
  readonly pH: number; readonly pW: number;
  readonly dH: number; readonly dW: number;
  readonly oH: number; readonly oW: number;
}

export interface AdamStepScalars {
  /** -1 to maximize, else 1 */
  sign: number;
  /** L2 weight decay added to the gradient (Adam), 0 for none */
  wd: number;
  beta1: number;
  beta2: number;
  /** θ's factor before the step (AdamW: 1 - lr·wd), 1 for none */
  decay: number;
  /** lr / (1 - β₁ᵗ) */
  stepSize: number;
  /** √(1 - β₂ᵗ) */
  bc2Sqrt: number;
  eps: number;
}

export interface SgdStepScalars {
  sign: number;
  wd: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  lr: number;
}

export interface FusedOptimKernels {
  /**
   * m ← β₁m + (1-β₁)d; v ← β₂v + (1-β₂)d²; v̂ = v, or vmax ← max(vmax, v); θ ← decay·θ - stepSize·m / (√v̂ / bc2Sqrt + ε),
   * with d = sign·∇ + wd·θ. All views have θ's shape. False when the backend does not take them.
   */
  adam(p: View, grad: View, m: View, v: View, vmax: View | null, s: AdamStepScalars): boolean;
  /**
   * d = sign·∇ + wd·θ; with a buffer: b ← d (first) or μb + (1-τ)d, d ← d + μb (Nesterov) or b;
   * θ ← θ - lr·d. False when the backend does not take them.
   */
  sgd(p: View, grad: View, buf: View | null, first: boolean, s: SgdStepScalars): boolean;
  /**
   * Optional: a zeroed storage of `numel` elements of `dtype` for optimizer state (moments,
   * momentum buffers) placed where these kernels work on it in place; null where the backend has
   * none to give (the optimizer then allocates as usual).
   */
  stateStorage?(dtype: DType, numel: number): Storage | null;
  /**
   * Optional: moves a parameter's storage (its values, for every view of it) where these kernels
   * update it in place, as stateStorage places state; leaves it where it is when that does not
   * apply (a storage sharing a caller's memory, through from_numpy or frombuffer, stays shared).
   */
  adopt?(storage: Storage): void;
}

/** When a donated block will be wanted again (Backend.donate). */
export type Recurring = 'step' | 'pass';

export interface Backend {
  readonly type: string;
  /**
   * A storage of `numel` elements; `overwritten` promises that the caller's kernel writes every
   * element before anything reads one, so the memory need not be cleared first (the CPU zeroes
   * otherwise; `torch.zeros` relies on it there). `transient`: made within a backward pass, whose
   * engine usually gives it back (`donate`, `'pass'`) before the pass ends. `recurring`: made
   * outside one for a tensor that an autograd node owns and gives back (`'step'`) once backward is
   * done with it (pooling's indices); other allocations outside a backward pass (activations) live
   * until the garbage collector finds them dead, so they are never handed a block kept for reuse.
   */
  alloc(dtype: DType, numel: number, index: number, overwritten?: boolean, transient?: boolean, recurring?: boolean): Storage;
  /**
   * Optional: `storage` is referred to by no tensor any more (the autograd engine's word for a
   * gradient it made and used up within one backward pass, zero_grad's for a parameter's gradient
   * nobody else saw), so its memory may serve a later `alloc`. `recurring` says a block of that
   * size will be wanted again, so the backend may keep it where its kernels write in place:
   * `'step'` at the same point of the next training step (a parameter's gradient, pooling's
   * indices), by a `transient` or `recurring` allocation; `'pass'` by a `transient` allocation of
   * the next backward pass (a gradient passed from node to node). The storage must not be read or written afterwards.
   */
  donate?(storage: Storage, recurring?: Recurring): void;
  /** Wraps (CPU: without copying) or uploads a typed array of `dtype`'s array type. */
  fromArray(dtype: DType, data: TypedArray, index: number): Storage;
  /** Reads a view into a new contiguous typed array; blocks until the values are there. */
  read(v: View): TypedArray;
  /** out = f(inputs...) elementwise; inputs are broadcast views or scalars already cast. */
  pointwise(fn: PointwiseFn, out: View, inputs: readonly (View | number)[]): void;
  /** Reduces the last `k` dims of `input` into `out` (shape = input's leading dims). */
  reduce(op: ReduceOp, input: View, out: View, k: number): void;
  /** Values and first indices of the max/min over the last dim of `input`. */
  argreduce(op: ArgReduceOp, input: View, values: View | null, indices: View): void;
  /** Inclusive scan over the last dim; `indices` for cummax/cummin. */
  scan(op: ScanOp, input: View, out: View, indices: View | null): void;
  /** Stable sort over the last dim. */
  sort(input: View, values: View, indices: View, descending: boolean): void;
  /** out[b] = a[b] @ m[b] for 3-d views [B,M,K] x [B,K,N] -> [B,M,N]. */
  matmul(a: View, m: View, out: View): void;
  /** out[i] = storage of src at offsets[i] (int64 element offsets). */
  take(src: Storage, offsets: View, out: View): void;
  /** dst storage at offsets[i] = values[i], or += when accumulate (repeated offsets add up). */
  put(dst: Storage, offsets: View, values: View, accumulate: boolean): void;
  /** Writes host values into a view (uploads on accelerators). */
  write(dst: View, values: TypedArray): void;
  /**
   * Optional: fills `out` with random numbers drawn on the device by a counter-based generator
   * keyed by `seed`, stream `offset` (one offset per call). Backends without it get samples
   * drawn on the host and written with `write`.
   */
  random?(fill: RandomFill, out: View, seed: bigint, offset: number): void;
  /**
   * Optional, fused: softmax (log_softmax when `log`) over the last dim of `input` into `out`, a
   * view of the same shape that does not overlap `input`. Backends without it get the op composed
   * from amax, exp, sum and pointwise ops.
   */
  softmax?(input: View, out: View, log: boolean): void;
  /**
   * Optional, fused: the gradient of softmax / log_softmax over the last dim from their `output`
   * and the incoming `grad`: log_softmax grad - exp(output)·Σgrad, softmax output·(grad - Σ grad·output).
   */
  softmaxBackward?(grad: View, output: View, gradInput: View, log: boolean): void;
  /**
   * Optional, fused: nll_loss's terms over rows of `input` (classes along the last dim) and their
   * int64 `target`: loss = -weight[t]·input[t] and w = weight[t] (1 without weight), both 0 where
   * t = ignoreIndex. The target range is checked on the device: a target outside [0, C) is raised
   * at the next read, as CUDA's device-side asserts are, so nothing is read back here. Backends
   * without it check targets on the host (immediately) and compose the loss.
   */
  nllLoss?(input: View, target: View, weight: View | null, ignoreIndex: number, loss: View, w: View): void;
  /**
   * Optional, fused: nll_loss's input gradient over rows (classes along the last dim of
   * `gradInput`): -w·scale at each row's target class (w and scale views over the rows of
   * `target`), 0 elsewhere and in rows whose target is ignoreIndex or out of range.
   */
  nllLossBackward?(target: View, w: View, scale: View, ignoreIndex: number, gradInput: View): void;
  /**
   * Optional, fused: a whole Adam or SGD update of one parameter in one pass over memory (the CPU
   * backend's is WebAssembly SIMD). Optimizers without it use the op table's kernels.
   */
  readonly fusedOptim?: FusedOptimKernels;
  /** Optional: convolution, pooling and batch-norm kernels (see NnKernels); composed from tensor ops without. */
  readonly nn?: NnKernels;
  /**
   * Optional: checks integer indices against a dimension of `size` on the device and writes them
   * to `out` (same shape and dtype), negative ones wrapped (index + size) where `wrap` allows
   * [-size, size), else [0, size). An index outside trips a device-side assert raised at the next
   * read with `check`'s message, as CUDA's are, and becomes 0 in `out`, so the kernels it feeds
   * stay inside their tensor; nothing is read back. Backends without it get the indices read and
   * checked on the host, raising at once.
   */
  checkIndex?(index: View, out: View, size: number, wrap: boolean, check: IndexCheck): void;
  /**
   * Optional: dst storage at offsets[i] *= values[i] (repeated offsets multiply up), on the
   * device. Backends without it get the product in rounds of `take` and `put`, with the offsets
   * read back to find repeats.
   */
  putMultiply?(dst: Storage, offsets: View, values: View): void;
  /**
   * Optional: out = bias + a @ m for 2-d views (addmm with beta = alpha = 1), `bias` a 1-d view of
   * out's columns added to every row; the products are summed onto the bias as BLAS does with
   * beta = 1. False where it declines (dtype, sizes): the caller multiplies and adds.
   */
  addmm?(bias: View, a: View, m: View, out: View): boolean;
  /**
   * Optional: out[j] = input[index[j]] along dim 0 (rows of any trailing shape) into a contiguous
   * `out`, the indices already checked to lie in [0, input.shape[0]). Backends without it get
   * index_select as one `take` over per-element offsets.
   */
  indexSelect?(input: View, index: View, out: View): void;
}

/**
 * What a failed index check says (Backend.checkIndex), in PyTorch's CPU wording: 'bounds' is
 * `index 7 is out of bounds for dimension 0 with size 5` (indexing, gather, scatter), 'range' is
 * `index out of range in self` (index_select, index_add_, embedding), 'take' is `out of range:
 * tried to access index 7 on a tensor of 5 elements.`
 */
export type IndexCheck =
  | { readonly kind: 'bounds'; readonly dim: number }
  | { readonly kind: 'range'; readonly dim: number }
  | { readonly kind: 'take' };

/**
 * Kernels for nn.functional's convolutions, pooling and batch norm, offered as `Backend.nn`;
 * nn.functional composes the layers from tensor ops where a backend has none (WebGPU).
 */
export interface NnKernels {
  /**
   * im2col: writes the windows of `input` (N, C, H, W) as columns into `cols`, a contiguous
   * (N, C·kH·kW, oH·oW) view (rows ordered c, i, j); positions in the padding are 0.
   */
  im2col(input: View, cols: View, w: Window2d): void;
  /**
   * col2im, im2col's adjoint: sums the columns `cols` (N, C·kH·kW, oH·oW) into `out`, a
   * contiguous (N, C, H, W) view that it overwrites; contributions landing in the padding are dropped.
   */
  col2im(cols: View, out: View, w: Window2d): void;
  /**
   * Max pooling over the windows of `input` (N, C, H, W) (padding counts as -inf) into contiguous
   * (N, C, oH, oW) `values` and, unless null, int64 `indices` flat over each H·W plane, with
   * PyTorch's CPU rules: windows are clipped to the input, the first maximum wins, a NaN wins.
   */
  maxPool2d(input: View, values: View, indices: View | null, w: Window2d): void;
  /**
   * Max pooling's gradient: overwrites the contiguous (N, C, H, W) `out` with zeros, then adds
   * each element of `grad` (N, C, oH, oW) at its `indices` position in its plane. `w`, the
   * forward's window, lets a backend write each element once where windows do not overlap.
   */
  maxPool2dBackward(grad: View, indices: View, out: View, w?: Window2d): void;
  /**
   * Optional, fused: out = conv2d(input, weight, bias) for input (N, C, H, W), weight
   * (O, C/groups, kH, kW) and a contiguous out (N, O, oH, oW). Returns false, writing nothing,
   * where it does not take the operands (e.g. their dtype); the caller composes it then.
   */
  conv2d?(input: View, weight: View, bias: View | null, out: View, w: Window2d, groups: number): boolean;
  /**
   * Optional, fused: conv2d's gradients from `grad` (N, O, oH, oW) into contiguous gradInput,
   * gradWeight and gradBias (each skipped when null). Returns false, writing nothing, where it
   * does not take the operands.
   */
  conv2dBackward?(
    grad: View, input: View, weight: View, gradInput: View | null, gradWeight: View | null, gradBias: View | null,
    w: Window2d, groups: number,
  ): boolean;
  /**
   * Optional: batch norm's statistics. The mean and biased variance over dims 0 and 2 of
   * `input` (N, C, S), per channel, into `mean` and `var` (C), summed in float64 (two passes).
   */
  batchNormStats?(input: View, mean: View, var_: View): void;
  /**
   * Optional: out = (input - mean[c]) · invstd[c] · weight[c] + bias[c] over `input` (N, C, S)
   * into a contiguous `out` of its shape; a null weight is 1, a null bias 0.
   */
  batchNorm?(input: View, mean: View, invstd: View, weight: View | null, bias: View | null, out: View): void;
  /**
   * Optional: batch norm's gradients from `grad` (N, C, S), with x̂ = (input - mean)·invstd:
   * gradBias = Σ grad, gradWeight = Σ grad·x̂ (per channel, over dims 0 and 2) and gradInput =
   * weight·invstd·(grad - Σ grad/M - x̂·Σ grad·x̂/M) (M = N·S) when the statistics came from
   * the batch (`batchStats`), else weight·invstd·grad. Each output (contiguous) is skipped when null.
   */
  batchNormBackward?(
    grad: View, input: View, mean: View, invstd: View, weight: View | null,
    gradInput: View | null, gradWeight: View | null, gradBias: View | null, batchStats: boolean,
  ): void;
}

/** The nn kernels `be` offers, or null. */
export function nnKernelsOf(be: Backend): NnKernels | null {
  return be.nn ?? null;
}
