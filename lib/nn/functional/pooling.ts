/**
 * Pooling of `nn.functional`: `max_pool2d`, `avg_pool2d`, `adaptive_avg_pool2d`. max_pool2d runs
 * on the backend's kernels where it has them (NnKernels in backend.ts: the CPU, with PyTorch's
 * CPU rules for NaN and all -inf windows), else over padded `as_strided` window views (where a
 * window's first NaN, not its last, gives the index). It records PyTorch's
 * MaxPool2DWithIndicesBackward0 (the gradient is a scatter-add to the argmax positions).
 * avg_pool2d and adaptive_avg_pool2d are plain composites (window sums as a ones-kernel
 * convolution; two averaging matrices), so their grad_fn names are those ops' (DivBackward0,
 * UnsafeViewBackward0, ...), not AvgPool2DBackward0 / AdaptiveAvgPool2DBackward0.
 */

import * as dt from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { fromValues, full, zeros } from '../../ops/creation.js';
import type { Window2d } from '../../backend.js';
import { emptyTensor, needsGrad, record, viewOf } from '../../ops/dispatch.js';
import { cTypeName } from '../../ops/pointwise.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { pyArgs } from '../_args.js';
import { conv2dCore, ntuple, pad, type IntOrTuple } from './conv.js';
import { nnKernelsFor } from './_kernels.js';

type MaxPoolOpts = {
  stride?: IntOrTuple | null; padding?: IntOrTuple; dilation?: IntOrTuple; ceil_mode?: boolean; return_indices?: boolean;
};
type AvgPoolOpts = {
  stride?: IntOrTuple | null; padding?: IntOrTuple; ceil_mode?: boolean; count_include_pad?: boolean;
  divisor_override?: number | null;
};

const pair = (v: IntOrTuple, name: string): [number, number] => {
  const t = ntuple(v, 2, name);
  return [t[0]!, t[1]!];
};

/** PyTorch's pooling_output_shape: floor or ceil, never starting a window in the right padding. */
function outSize(n: number, k: number, p: number, s: number, d: number, ceil: boolean): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  let o = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

interface Geometry {
  x: Tensor; batched: boolean; N: number; C: number; H: number; W: number;
  k: [number, number]; s: [number, number]; p: [number, number]; d: [number, number]; oH: number; oW: number;
}

function geometry(
  input: Tensor, kernel: IntOrTuple, stride: IntOrTuple | null | undefined, padding: IntOrTuple,
  dilation: IntOrTuple, ceil: boolean,
): Geometry {
  if (input.dim() !== 3 && input.dim() !== 4) {
    throw new RuntimeError(`non-empty 3D or 4D (batch mode) tensor expected for input`);
  }
  const k = pair(kernel, 'kernel_size');
  const s = stride === null || stride === undefined || (Array.isArray(stride) && stride.length === 0) ? k : pair(stride, 'stride');
  const p = pair(padding, 'padding');
  const d = pair(dilation, 'dilation');
  if (k.some((v) => v <= 0)) throw new RuntimeError(`kernel size should be greater than zero, but got kH: ${k[0]} kW: ${k[1]}`);
  if (s.some((v) => v <= 0)) throw new RuntimeError(`stride should be greater than zero, but got dH: ${s[0]} dW: ${s[1]}`);
  if (d.some((v) => v <= 0)) throw new RuntimeError(`dilation should be greater than zero, but got dilationH: ${d[0]} dilationW: ${d[1]}`);
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) {
    const pv = p[0] > k[0] / 2 ? p[0] : p[1];
    const kv = p[0] > k[0] / 2 ? k[0] : k[1];
    throw new RuntimeError(`pad should be at most half of kernel size, but got pad=${pv} and kernel_size=${kv}`);
  }
  const batched = input.dim() === 4;
  const x = batched ? input : input.unsqueeze(0);
  const [N, C, H, W] = x._shape as [number, number, number, number];
  const oH = outSize(H, k[0], p[0], s[0], d[0], ceil);
  const oW = outSize(W, k[1], p[1], s[1], d[1], ceil);
  if (oH < 1 || oW < 1) {
    throw new RuntimeError(
      `Given input size: (${C}x${H}x${W}). Calculated output size: (${C}x${oH}x${oW}). Output size is too small`,
    );
  }
  return { x, batched, N, C, H, W, k, s, p, d, oH, oW };
}

/** The windows of the padded input as one view [N, C, oH, oW, kH, kW]. */
function windows(g: Geometry, fill: number): Tensor {
  const { x, k, s, p, d, oH, oW, H, W } = g;
  // ceil_mode's last window may run past the padding on the right; pad that far too
  const extraH = Math.max(0, (oH - 1) * s[0] + d[0] * (k[0] - 1) + 1 - (H + 2 * p[0]));
  const extraW = Math.max(0, (oW - 1) * s[1] + d[1] * (k[1] - 1) + 1 - (W + 2 * p[1]));
  const need = p[0] + p[1] + extraH + extraW > 0;
  const xp = (need ? pad(x, [p[1], p[1] + extraW, p[0], p[0] + extraH], 'constant', fill) : x).contiguous();
  const [sN, sC, sH, sW] = xp._strides as [number, number, number, number];
  return xp.as_strided([g.N, g.C, oH, oW, k[0], k[1]], [sN, sC, sH * s[0], sW * s[1], sH * d[0], sW * d[1]]);
}

/**
 * `F.max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
 * return_indices=False)`: the maximum of each window (stride defaults to kernel_size); with
 * return_indices, also [values, indices] with indices flat over each input plane (H·W), as
 * PyTorch returns them. Records MaxPool2DWithIndicesBackward0.
 * @example F.max_pool2d(torch.randn(1, 6, 28, 28), 2).shape // [1, 6, 14, 14]
 */
export function max_pool2d(
  input: Tensor, kernel_size: IntOrTuple, opts: MaxPoolOpts & { return_indices: true },
): [Tensor, Tensor];
export function max_pool2d(
  input: Tensor, kernel_size: IntOrTuple, stride: IntOrTuple | null | undefined, padding: IntOrTuple | undefined,
  dilation: IntOrTuple | undefined, ceil_mode: boolean | undefined, return_indices: true,
): [Tensor, Tensor];
export function max_pool2d(
  input: Tensor, kernel_size: IntOrTuple, stride?: IntOrTuple | null | MaxPoolOpts, padding?: IntOrTuple | MaxPoolOpts,
  dilation?: IntOrTuple | MaxPoolOpts, ceil_mode?: boolean | MaxPoolOpts, return_indices?: false | MaxPoolOpts,
): Tensor;
export function max_pool2d(input: Tensor, kernel_size: IntOrTuple, ...rest: unknown[]): Tensor | [Tensor, Tensor] {
  const o = pyArgs<MaxPoolOpts>(['stride', 'padding', 'dilation', 'ceil_mode', 'return_indices'], rest);
  const g = geometry(input, kernel_size, o.stride, o.padding ?? 0, o.dilation ?? 1, o.ceil_mode ?? false);
  const { N, C, H, W, oH, oW, k } = g;
  const K = k[0] * k[1];
  const x = g.x;
  const wantIndices = (o.return_indices ?? false) || needsGrad([x]);
  const be = nnKernelsFor(x);
  const [values, indices] = no_grad(() => {
    if (be) {
      const v = emptyTensor([N, C, oH, oW], x.dtype, x.device, true);
      // recurring: the node owns them and gives them back (below), unless return_indices hands them out
      const i = wantIndices ? emptyTensor([N, C, oH, oW], dt.int64, x.device, true, !(o.return_indices ?? false)) : null;
      be.maxPool2d(viewOf(x), viewOf(v), i && viewOf(i), window2d(g));
      return [v, i] as const;
    }
    const win = windows(g, -Infinity).reshape(N, C, oH, oW, K);
    if (!wantIndices) return [win.amax(-1), null] as const;
    const [v, local] = win.max(-1);
    // window-local argmax -> flat index into the unpadded H x W plane, as PyTorch returns it
    const table = new Float64Array(oH * oW * K);
    for (let i = 0; i < oH; i++) {
      for (let j = 0; j < oW; j++) {
        for (let a = 0; a < k[0]; a++) {
          for (let b = 0; b < k[1]; b++) {
            const h = i * g.s[0] - g.p[0] + a * g.d[0];
            const w = j * g.s[1] - g.p[1] + b * g.d[1];
            table[((i * oW + j) * k[0] + a) * k[1] + b] = h * W + w;
          }
        }
      }
    }
    const t = fromValues(table, [1, 1, oH, oW, K], dt.int64, input.device).expand(N, C, oH, oW, K);
    return [v, t.gather(-1, local.unsqueeze(-1)).squeeze(-1)] as const;
  });
  if (!indices) return g.batched ? values : values.squeeze(0);
  // the gradient goes to each window's argmax
  const node = record('MaxPool2DWithIndicesBackward0', [x], [values], [indices], ([gv]) => [maxPoolScatter(gv!, indices, [N, C, H, W], window2d(g))]);
  const out = g.batched ? values : values.squeeze(0);
  // indices nobody else sees give their memory back once backward is done with them
  if (!(o.return_indices ?? false)) {
    if (node) node.owned = [indices];
    return out;
  }
  return [out, g.batched ? indices : indices.squeeze(0)];
}

function window2d(g: Geometry): Window2d {
  return { kH: g.k[0], kW: g.k[1], sH: g.s[0], sW: g.s[1], pH: g.p[0], pW: g.p[1], dH: g.d[0], dW: g.d[1], oH: g.oH, oW: g.oW };
}

/**
 * Max pooling's backward: gv (N, C, oH, oW) added at the argmax `indices` of each (N, C) plane of
 * an (N, C, H, W) zero tensor (w, the forward's window, for backends that use it); its own
 * gradient is a gather at the same indices.
 */
function maxPoolScatter(gv: Tensor, indices: Tensor, shape: [number, number, number, number], w: Window2d): Tensor {
  const [N, C, H, W] = shape;
  const L = indices._shape[2]! * indices._shape[3]!;
  const be = nnKernelsFor(gv);
  if (!be || gv.device !== indices.device) {
    return zeros([N * C, H * W], { dtype: gv.dtype, device: gv.device })
      .scatter_add(1, indices.reshape(N * C, L), gv.reshape(N * C, L))
      .view(N, C, H, W);
  }
  const out = emptyTensor(shape, gv.dtype, gv.device, true);
  be.maxPool2dBackward(viewOf(gv), viewOf(indices), viewOf(out), w);
  // PyTorch's name for the node of max pooling's backward
  record('MaxPool2DWithIndicesBackwardBackward0', [gv], [out], [], ([gg]) => [
    gg!.reshape(N * C, H * W).gather(1, indices.reshape(N * C, L)).view(gv._shape.slice()),
  ]);
  return out;
}

/**
 * `F.avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
 * count_include_pad=True, divisor_override=None)`: the mean of each window, with PyTorch's
 * divisors at the borders (padding counted or not; ceil_mode windows clipped).
 * @example F.avg_pool2d(torch.ones(1, 1, 4, 4), 2) // all ones, shape [1, 1, 2, 2]
 */
export function avg_pool2d(
  input: Tensor, kernel_size: IntOrTuple, stride?: IntOrTuple | null | AvgPoolOpts, padding?: IntOrTuple | AvgPoolOpts,
  ceil_mode?: boolean | AvgPoolOpts, count_include_pad?: boolean | AvgPoolOpts, divisor_override?: number | null | AvgPoolOpts,
): Tensor {
  const o = pyArgs<AvgPoolOpts>(
    ['stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'],
    [stride, padding, ceil_mode, count_include_pad, divisor_override],
  );
  if (o.divisor_override === 0) throw new RuntimeError('divisor must be not zero');
  const g = geometry(input, kernel_size, o.stride, o.padding ?? 0, 1, o.ceil_mode ?? false);
  const { oH, oW, k, s, p, H, W } = g;
  // window sums as a convolution of each plane with a ones kernel: its backward is col2im
  // (no element-wise scatter), and ceil_mode's overhang is extra zero padding on the right
  const ones = full([1, 1, k[0], k[1]], 1, { dtype: g.x.dtype, device: g.x.device });
  const extra = (o: number, n: number, kk: number, ss: number, pp: number) => Math.max(0, (o - 1) * ss + kk - (n + 2 * pp));
  const sums = conv2dCore(
    g.x.reshape(g.N * g.C, 1, H, W), ones, null, s,
    [[p[0], p[0] + extra(oH, H, k[0], s[0], p[0])], [p[1], p[1] + extra(oW, W, k[1], s[1], p[1])]], [1, 1], 1,
  ).view(g.N, g.C, oH, oW);
  let out: Tensor;
  if (o.divisor_override !== undefined && o.divisor_override !== null) {
    out = sums.div(o.divisor_override);
  } else {
    const inc = o.count_include_pad ?? true;
    const div = new Float64Array(oH * oW);
    for (let i = 0; i < oH; i++) {
      for (let j = 0; j < oW; j++) {
        let h0 = i * s[0] - p[0];
        let w0 = j * s[1] - p[1];
        let h1 = Math.min(h0 + k[0], H + p[0]);
        let w1 = Math.min(w0 + k[1], W + p[1]);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, H);
        w1 = Math.min(w1, W);
        div[i * oW + j] = inc ? poolSize : (h1 - h0) * (w1 - w0);
      }
    }
    out = sums.div(fromValues(div, [oH, oW], sums.dtype, sums.device));
  }
  return g.batched ? out : out.squeeze(0);
}

/** The [out, n] matrix averaging PyTorch's adaptive bins: floor(i·n/out) .. ceil((i+1)·n/out). */
function binMatrix(n: number, out: number): Float64Array {
  const m = new Float64Array(out * n);
  for (let i = 0; i < out; i++) {
    const a = Math.floor((i * n) / out);
    const b = Math.ceil(((i + 1) * n) / out);
    for (let j = a; j < b; j++) m[i * n + j] = 1 / (b - a);
  }
  return m;
}

/**
 * `F.adaptive_avg_pool2d(input, output_size)`: averages over PyTorch's adaptive bins to reach
 * `output_size` (an int, or a pair whose null entries keep the input's size). Computed as
 * Ah · x · Awᵀ with constant averaging matrices, so its grad_fn is the matmul's.
 * @example F.adaptive_avg_pool2d(torch.randn(1, 16, 13, 13), [5, 5]).shape // [1, 16, 5, 5]
 */
export function adaptive_avg_pool2d(input: Tensor, output_size: number | readonly (number | null)[]): Tensor {
  if (input.dim() !== 3 && input.dim() !== 4) {
    throw new RuntimeError(
      `adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [${input._shape.join(', ')}]`,
    );
  }
  const H = input._shape[input.dim() - 2]!;
  const W = input._shape[input.dim() - 1]!;
  const os = typeof output_size === 'number' ? [output_size, output_size] : output_size;
  if (os.length !== 2) throw new RuntimeError('adaptive_avg_pool2d: output_size must be 2');
  const oH = os[0] ?? H;
  const oW = os[1] ?? W;
  // the averaging matrices would truncate to an integer dtype; PyTorch refuses, in its words: a 1 x 1
  // output goes to mean(), which says so itself, others to its kernel
  if (!input.dtype.is_floating_point) {
    if (oH === 1 && oW === 1) return input.mean([-2, -1], true);
    throw new RuntimeError(`"adaptive_avg_pool2d" not implemented for '${cTypeName(input.dtype)}'`);
  }
  for (let i = 1; i < input.dim(); i++) {
    if (input._shape[i] === 0) {
      throw new RuntimeError(
        `adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [${input._shape.join(', ')}] with dimension ${i} being empty`,
      );
    }
  }
  const ah = fromValues(binMatrix(H, oH), [oH, H], input.dtype, input.device);
  const aw = fromValues(binMatrix(W, oW), [oW, W], input.dtype, input.device);
  return ah.matmul(input.matmul(aw.t()));
}
