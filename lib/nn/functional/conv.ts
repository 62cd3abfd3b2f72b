/**
 * Convolutions and padding of `nn.functional`: `pad`, `conv1d`, `conv2d`, `conv_transpose1d`,
 * `conv_transpose2d`. A convolution records one ConvolutionBackward0 node, as PyTorch does. It
 * runs on the backend's kernels where it has them (NnKernels in backend.ts; the CPU runs float32
 * convolutions whole in WebAssembly, other dtypes through im2col / col2im kernels); otherwise it
 * is composed of existing ops (pad, a window view copied into columns, one matrix product per
 * image and group). Its backward is composed of tensor ops whenever its own graph is recorded
 * (create_graph), so double backward works. A transposed convolution runs the same pieces the
 * other way round (columns scattered back into windows).
 */

import type { Window2d } from '../../backend.js';
import { NotImplementedError, RuntimeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { cat } from '../../ops/cat.js';
import { full, zeros } from '../../ops/creation.js';
import { emptyTensor, record, viewOf } from '../../ops/dispatch.js';
import { is_grad_enabled, no_grad } from '../../autograd/grad_mode.js';
import { pyArgs } from '../_args.js';
import { nnKernelsFor } from './_kernels.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
type PadOpts = { mode?: PadMode; value?: number | null };

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Pads (or crops, for negative amounts) one dim with a constant. */
function padConstant(x: Tensor, d: number, l: number, r: number, value: number): Tensor {
  if (l < 0) x = x.narrow(d, -l, x._shape[d]! + l);
  if (r < 0) x = x.narrow(d, 0, x._shape[d]! + r);
  if (l <= 0 && r <= 0) return x;
  const block = (n: number): Tensor => {
    const s = x._shape.slice();
    s[d] = n;
    return full(s, value, { dtype: x.dtype, device: x.device });
  };
  return cat([...(l > 0 ? [block(l)] : []), x, ...(r > 0 ? [block(r)] : [])], d);
}

function padBorder(x: Tensor, d: number, l: number, r: number, mode: Exclude<PadMode, 'constant'>): Tensor {
  const n = x._shape[d]!;
  const parts: Tensor[] = [];
  if (mode === 'reflect') {
    if (l > 0) parts.push(x.narrow(d, 1, l).flip(d));
    parts.push(x);
    if (r > 0) parts.push(x.narrow(d, n - 1 - r, r).flip(d));
  } else if (mode === 'replicate') {
    const edge = (i: number, k: number): Tensor => {
      const s = x._shape.slice();
      s[d] = k;
      return x.narrow(d, i, 1).expand(s);
    };
    if (l > 0) parts.push(edge(0, l));
    parts.push(x);
    if (r > 0) parts.push(edge(n - 1, r));
  } else {
    if (l > 0) parts.push(x.narrow(d, n - l, l));
    parts.push(x);
    if (r > 0) parts.push(x.narrow(d, 0, r));
  }
  const padded = parts.length === 1 ? x : cat(parts, d);
  // a negative amount crops what the positive side produced, as PyTorch's index maps do
  const cropL = Math.max(-l, 0);
  const cropR = Math.max(-r, 0);
  if (cropL === 0 && cropR === 0) return padded;
  const size = padded._shape[d]! - cropL - cropR;
  if (size < 1) throw new RuntimeError(`input (W: ${n}) is too small. Calculated output W: ${size}`);
  return padded.narrow(d, cropL, size);
}

/**
 * `F.pad(input, pad, mode='constant', value=None)`: pads the last len(pad)/2 dims, `pad` listing
 * (left, right) amounts from the last dim backwards. 'reflect', 'replicate' and 'circular' pad
 * the last 1-3 dims (of an input with one or two more dims), as in PyTorch; constant padding
 * any number, and
 * negative amounts crop. Gradients flow through cat/narrow, so the grad_fn is CatBackward0
 * (PyTorch: ConstantPadNdBackward0, ReflectionPad2DBackward0, ...).
 * @example F.pad(torch.ones([1, 1, 2, 2]), [1, 1, 0, 0]).shape // [1, 1, 2, 4]
 */
export function pad(
  input: Tensor,
  padding: readonly number[],
  mode?: PadMode | PadOpts,
  value?: number | null | PadOpts,
): Tensor {
  const o = pyArgs<PadOpts>(['mode', 'value'], [mode, value]);
  const m = o.mode ?? 'constant';
  if (padding.length % 2 !== 0) throw new RuntimeError('Padding length must be divisible by 2');
  const k = padding.length / 2;
  if (k > input.dim()) throw new RuntimeError('Padding length too large');
  if (m === 'constant') {
    let x = input;
    for (let i = 0; i < k; i++) x = padConstant(x, input.dim() - 1 - i, padding[2 * i]!, padding[2 * i + 1]!, o.value ?? 0);
    return x === input ? input.clone() : x;
  }
  if (o.value !== undefined && o.value !== null && o.value !== 0) {
    throw new RuntimeError(`Padding mode "${m}" doesn't take in value argument`);
  }
  if (!(['reflect', 'replicate', 'circular'] as const).includes(m)) {
    throw new NotImplementedError(`Unrecognised padding mode ${String(m)}`);
  }
  if (k > 3 || input.dim() < k + 1 || input.dim() > k + 2) {
    throw new NotImplementedError(
      `Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now`,
    );
  }
  let x = input;
  for (let i = 0; i < k; i++) {
    const d = input.dim() - 1 - i;
    const l = padding[2 * i]!;
    const r = padding[2 * i + 1]!;
    const n = input._shape[d]!;
    if (m === 'reflect' && (l >= n || r >= n)) {
      throw new RuntimeError(
        `Argument #4: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${d} of input ${input.dim()}`,
      );
    }
    if (m === 'circular' && (l > n || r > n)) {
      throw new RuntimeError('Padding value causes wrapping around more than once.');
    }
    x = padBorder(x, d, l, r, m);
  }
  return x;
}

export type IntOrTuple = number | readonly number[];
export type ConvPadding = IntOrTuple | 'same' | 'valid';
type ConvOpts = { bias?: Tensor | null; stride?: IntOrTuple; padding?: ConvPadding; dilation?: IntOrTuple; groups?: number };

/** An int or tuple argument as `n` ints (PyTorch's `_pair`, `_single`). */
export function ntuple(v: IntOrTuple, n: number, name = 'argument'): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  if (v.length === 1 && n > 1) return new Array<number>(n).fill(v[0]!);
  if (v.length !== n) throw new RuntimeError(`expected ${name} to be a single integer value or a list of ${n} values to match the convolution dimensions, but got ${name}=[${v.join(', ')}]`);
  return v.slice();
}

/** (left, right) padding per spatial dim for a convolution. */
function convPads(padding: ConvPadding, k: readonly number[], dil: readonly number[], stride: readonly number[]): [number, number][] {
  const n = k.length;
  if (padding === 'valid') return k.map(() => [0, 0]);
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) throw new RuntimeError("padding='same' is not supported for strided convolutions");
    return k.map((ks, i) => {
      const total = dil[i]! * (ks - 1);
      return [Math.floor(total / 2), total - Math.floor(total / 2)];
    });
  }
  if (typeof padding === 'string') throw new RuntimeError(`Invalid padding string '${String(padding)}'`);
  return ntuple(padding, n, 'padding').map((p) => [p, p]);
}

/**
 * The shared body of conv1d/conv2d: PyTorch's checks on the original shapes, then the 2-d
 * computation (1-d convolutions run as 2-d ones with a height-1 kernel).
 */
function convNd(nd: 1 | 2, input: Tensor, weight: Tensor, o: ConvOpts): Tensor {
  const name = `conv${nd}d`;
  const stride = ntuple(o.stride ?? 1, nd, 'stride');
  const dil = ntuple(o.dilation ?? 1, nd, 'dilation');
  const groups = o.groups ?? 1;
  const bias = o.bias ?? null;
  if (input.dim() !== nd + 1 && input.dim() !== nd + 2) {
    throw new RuntimeError(
      `Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${name}, but got input of size: ${shapeStr(input._shape)}`,
    );
  }
  const batched = input.dim() === nd + 2;
  const x = batched ? input : input.unsqueeze(0);
  if (weight.dim() !== nd + 2) {
    throw new RuntimeError(
      `weight should have at least three dimensions`,
    );
  }
  if (stride.some((s) => s <= 0)) throw new RuntimeError('non-positive stride is not supported');
  if (dil.some((s) => s <= 0)) throw new RuntimeError('dilation should be greater than zero');
  if (groups <= 0) throw new RuntimeError('non-positive groups is not supported');
  const pads = convPads(o.padding ?? 0, weight._shape.slice(2), dil, stride);
  if (pads.some(([l]) => l < 0)) throw new RuntimeError('negative padding is not supported');
  const O = weight._shape[0]!;
  const Cg = weight._shape[1]!;
  if (O % groups !== 0) {
    throw new RuntimeError(
      // PyTorch 1.13 prints the weight's size inside an extra pair of brackets
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${shapeStr(weight._shape)}] instead`,
    );
  }
  if (x._shape[1] !== Cg * groups) {
    throw new RuntimeError(
      `Given groups=${groups}, weight of size ${shapeStr(weight._shape)}, expected input${shapeStr(x._shape)} to have ${Cg * groups} channels, but got ${x._shape[1]} channels instead`,
    );
  }
  if (bias && (bias.dim() !== 1 || bias._shape[0] !== O)) {
    throw new RuntimeError(
      `Given weight of size ${shapeStr(weight._shape)}, expected bias to be 1-dimensional with ${O} elements, but got bias of size ${shapeStr(bias._shape)} instead`,
    );
  }
  const padded = x._shape.slice(2).map((n, i) => n + pads[i]![0] + pads[i]![1]);
  const kEff = weight._shape.slice(2).map((k, i) => dil[i]! * (k - 1) + 1);
  if (padded.some((n, i) => n < kEff[i]!)) {
    throw new RuntimeError(
      `Calculated padded input size per channel: (${padded.join(' x ')}). Kernel size: (${kEff.join(' x ')}). Kernel size can't be greater than actual input size`,
    );
  }
  const out = nd === 1
    ? conv2dCore(x, weight, bias, [1, stride[0]!], [[0, 0], pads[0]!], [1, dil[0]!], groups)
    : conv2dCore(x, weight, bias, stride, pads, dil, groups);
  return batched ? out : out.squeeze(0);
}

/**
 * @internal Where a 2-d convolution's windows sit: H x W is the unpadded input of im2col (the
 * output of col2im), pH / pW the padding before it; the padding after is whatever the oH x oW
 * windows reach past it.
 */
export interface Geom extends Window2d {
  N: number; C: number; H: number; W: number;
}

/** The zero padding after the input (bottom, right) that the windows reach into. */
function padAfter(g: Geom): [number, number] {
  return [
    Math.max(0, (g.oH - 1) * g.sH + g.dH * (g.kH - 1) + 1 - g.pH - g.H),
    Math.max(0, (g.oW - 1) * g.sW + g.dW * (g.kW - 1) + 1 - g.pW - g.W),
  ];
}

/** The windows of a contiguous padded tensor as a view [N, C, kH, kW, oH, oW]. */
function windowView(xp: Tensor, g: Geom): Tensor {
  const [sN, sC, sH, sW] = xp._strides as [number, number, number, number];
  return xp.as_strided(
    [g.N, g.C, g.kH, g.kW, g.oH, g.oW],
    [sN, sC, sH * g.dH, sW * g.dW, sH * g.sH, sW * g.sW],
    xp._offset,
  );
}

/**
 * @internal im2col: the windows of x (N, C, H, W), padded with zeros, as columns
 * [N, C·kH·kW, oH·oW] (rows ordered as the flattened kernel). Its gradient is col2im, and
 * col2im's is im2col, so both differentiate to any order without the element-by-element scatter
 * that as_strided's backward needs.
 */
export function im2col(x: Tensor, g: Geom): Tensor {
  const be = nnKernelsFor(x);
  const cols = no_grad(() => {
    const shape = [g.N, g.C * g.kH * g.kW, g.oH * g.oW];
    if (be) {
      const out = emptyTensor(shape, x.dtype, x.device, true);
      be.im2col(viewOf(x), viewOf(out), g);
      return out;
    }
    const [pB, pR] = padAfter(g);
    const xp = (g.pH + g.pW + pB + pR > 0 ? pad(x, [g.pW, pR, g.pH, pB]) : x).contiguous();
    return windowView(xp, g).reshape(shape);
  });
  record('Im2ColBackward0', [x], [cols], [], ([gc]) => [col2im(gc!, g)]);
  return cols;
}

/**
 * @internal col2im: sums columns [N, C·kH·kW, oH·oW] back into the windows' places in
 * (N, C, H, W); what lands in the padding is dropped.
 */
export function col2im(cols: Tensor, g: Geom): Tensor {
  const be = nnKernelsFor(cols);
  const out = no_grad(() => {
    if (be) {
      const y = emptyTensor([g.N, g.C, g.H, g.W], cols.dtype, cols.device, true);
      be.col2im(viewOf(cols), viewOf(y), g);
      return y;
    }
    const [pB, pR] = padAfter(g);
    const y = zeros([g.N, g.C, g.pH + g.H + pB, g.pW + g.W + pR], { dtype: cols.dtype, device: cols.device });
    const src = cols.reshape(g.N, g.C, g.kH, g.kW, g.oH, g.oW);
    const dst = windowView(y, g);
    // one add per kernel offset: within one offset the windows never overlap
    for (let i = 0; i < g.kH; i++) {
      for (let j = 0; j < g.kW; j++) dst.select(2, i).select(2, j).add_(src.select(2, i).select(2, j));
    }
    return y.narrow(2, g.pH, g.H).narrow(3, g.pW, g.W);
  });
  record('Col2ImBackward0', [cols], [out], [], ([go]) => [im2col(go!, g)]);
  return out;
}

/**
 * @internal The convolution as one ConvolutionBackward0 node, on checked arguments with
 * explicit (left, right) padding per spatial dim. Forward under no_grad: the backend's fused
 * conv2d where it has one (the CPU, for float32), else im2col, then one product per image and
 * group, which lands in the output's (N, O, oH, oW) layout. Backward: the fused kernel unless
 * the graph of the backward is recorded (create_graph), else composed of tensor ops (the weight
 * gradient from the columns, the input gradient by col2im of Wᵀ·g), so double backward works.
 */
export function conv2dCore(
  xIn: Tensor, wIn: Tensor, bias: Tensor | null, stride: readonly number[], pads: readonly [number, number][],
  dil: readonly number[], groups: number,
): Tensor {
  // a 1-d convolution is a 2-d one of height 1: views inside, one node on the caller's tensors
  const oneD = xIn.dim() === 3;
  const x = oneD ? xIn.unsqueeze(2) : xIn;
  const w = oneD ? wIn.unsqueeze(2) : wIn;
  const [N, C, H, W] = x._shape as [number, number, number, number];
  const [O, Cg, kH, kW] = w._shape as [number, number, number, number];
  const [sH, sW] = stride as [number, number];
  const [dH, dW] = dil as [number, number];
  const g: Geom = {
    N, C, H, W, kH, kW, sH, sW, dH, dW, pH: pads[0]![0], pW: pads[1]![0],
    oH: Math.floor((H + pads[0]![0] + pads[0]![1] - dH * (kH - 1) - 1) / sH) + 1,
    oW: Math.floor((W + pads[1]![0] + pads[1]![1] - dW * (kW - 1) - 1) / sW) + 1,
  };
  const G = groups;
  const Og = O / G;
  const Kg = Cg * kH * kW;
  const L = g.oH * g.oW;
  // the weight as [G, O/G, K]: one product per group, broadcast over the images
  const w3 = (t: Tensor): Tensor => t.reshape(G, Og, Kg);
  const k = nnKernelsFor(x);
  let cols: Tensor | null = null;
  const out = no_grad(() => {
    let y: Tensor | null = null;
    if (k?.conv2d) {
      y = emptyTensor([N, O, g.oH, g.oW], x.dtype, x.device, true);
      if (!k.conv2d(viewOf(x), viewOf(w), bias && viewOf(bias), viewOf(y), g, G)) y = null;
    }
    if (!y) {
      cols = im2col(x, g);
      y = w3(w).matmul(cols.view(N, G, Kg, L)).view(N, O, g.oH, g.oW);
      if (bias) y.add_(bias.view(1, O, 1, 1));
    }
    return oneD ? y.view(N, O, g.oW) : y;
  });
  record('ConvolutionBackward0', [xIn, wIn, bias], [out], [xIn, wIn], ([go4]) => {
    const go = oneD ? go4!.unsqueeze(2) : go4!;
    const needB = !!bias && bias.requires_grad;
    if (k?.conv2dBackward && !is_grad_enabled()) {
      const gx = xIn.requires_grad ? emptyTensor(x._shape, x.dtype, x.device, true) : null;
      const gw = wIn.requires_grad ? emptyTensor(w._shape, w.dtype, w.device, true) : null;
      const gb = needB ? emptyTensor([O], go.dtype, go.device) : null;
      const view = (t: Tensor | null) => t && viewOf(t);
      if (k.conv2dBackward(viewOf(go), viewOf(x), viewOf(w), view(gx), view(gw), view(gb), g, G)) {
        return [gx && oneD ? gx.squeeze(2) : gx, gw && gw.view(wIn._shape.slice()), gb];
      }
    }
    const gm = go.reshape(N, G, Og, L);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (xIn.requires_grad) {
      gx = col2im(w3(w).transpose(1, 2).matmul(gm).view(N, C * kH * kW, L), g);
      if (oneD) gx = gx.squeeze(2);
    }
    if (wIn.requires_grad) {
      // with create_graph the columns must come from x through the graph; otherwise reuse them
      const c = is_grad_enabled() || !cols ? im2col(x, g) : cols;
      gw = gm.matmul(c.view(N, G, Kg, L).transpose(2, 3)).sum(0).reshape(wIn._shape.slice());
    }
    return [gx, gw, needB ? go.sum([0, 2, 3]) : null];
  });
  return out;
}

/**
 * `F.conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`: 2-d
 * cross-correlation of (N, C, H, W) (or unbatched (C, H, W)) with weight (O, C/groups, kH, kW);
 * padding may be an int, a pair, 'valid' or 'same'. Records ConvolutionBackward0.
 * @example F.conv2d(torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3), null, {padding: 'same'}).shape // [1, 4, 8, 8]
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvOpts,
  stride?: IntOrTuple | ConvOpts,
  padding?: ConvPadding | ConvOpts,
  dilation?: IntOrTuple | ConvOpts,
  groups?: number | ConvOpts,
): Tensor {
  return convNd(2, input, weight, pyArgs<ConvOpts>(['bias', 'stride', 'padding', 'dilation', 'groups'], [bias, stride, padding, dilation, groups]));
}

/**
 * `F.conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)`: 1-d
 * cross-correlation of (N, C, L) (or (C, L)) with weight (O, C/groups, k); computed as a 2-d
 * convolution of height 1.
 * @example F.conv1d(torch.randn(2, 3, 10), torch.randn(5, 3, 3)).shape // [2, 5, 8]
 */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvOpts,
  stride?: IntOrTuple | ConvOpts,
  padding?: ConvPadding | ConvOpts,
  dilation?: IntOrTuple | ConvOpts,
  groups?: number | ConvOpts,
): Tensor {
  return convNd(1, input, weight, pyArgs<ConvOpts>(['bias', 'stride', 'padding', 'dilation', 'groups'], [bias, stride, padding, dilation, groups]));
}

// ---- transposed convolutions ----

type ConvTransposeOpts = {
  bias?: Tensor | null; stride?: IntOrTuple; padding?: IntOrTuple; output_padding?: IntOrTuple; groups?: number; dilation?: IntOrTuple;
};
const CONV_T_ARGS = ['bias', 'stride', 'padding', 'output_padding', 'groups', 'dilation'] as const;

/**
 * The shared body of conv_transpose1d/2d: PyTorch's checks (the later ones on the 2-d form,
 * as PyTorch runs 1-d transposed convolutions as 2-d ones), then the 2-d computation.
 */
function convTransposeNd(nd: 1 | 2, input: Tensor, weight: Tensor, o: ConvTransposeOpts): Tensor {
  const name = `conv_transpose${nd}d`;
  if (typeof o.padding === 'string') throw new TypeError(`${name}(): argument 'padding' must be tuple of ints, not str`);
  const stride = ntuple(o.stride ?? 1, nd, 'stride');
  const padding = ntuple(o.padding ?? 0, nd, 'padding');
  const opad = ntuple(o.output_padding ?? 0, nd, 'output_padding');
  const dil = ntuple(o.dilation ?? 1, nd, 'dilation');
  const groups = o.groups ?? 1;
  const bias = o.bias ?? null;
  if (input.dim() !== nd + 1 && input.dim() !== nd + 2) {
    throw new RuntimeError(
      `Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${name}, but got input of size: ${shapeStr(input._shape)}`,
    );
  }
  const batched = input.dim() === nd + 2;
  const x = batched ? input : input.unsqueeze(0);
  if (weight.dim() !== nd + 2) throw new RuntimeError('weight should have at least three dimensions');
  if (stride.some((s) => s <= 0)) throw new RuntimeError('non-positive stride is not supported');
  if (padding.some((p) => p < 0)) throw new RuntimeError('negative padding is not supported');
  if (opad.some((p) => p < 0)) throw new RuntimeError('negative output_padding is not supported');
  if (groups <= 0) throw new RuntimeError('non-positive groups is not supported');
  const Cin = weight._shape[0]!;
  const Cout = weight._shape[1]! * groups;
  if (Cin % groups !== 0) {
    throw new RuntimeError(
      // PyTorch 1.13 prints the weight's size inside an extra pair of brackets
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size [${shapeStr(weight._shape)}] instead`,
    );
  }
  if (x._shape[1] !== Cin) {
    throw new RuntimeError(
      `Given transposed=1, weight of size ${shapeStr(weight._shape)}, expected input${shapeStr(x._shape)} to have ${Cin} channels, but got ${x._shape[1]} channels instead`,
    );
  }
  if (bias && (bias.dim() !== 1 || bias._shape[0] !== Cout)) {
    throw new RuntimeError(
      `Given transposed=1, weight of size ${shapeStr(weight._shape)}, expected bias to be 1-dimensional with ${Cout} elements, but got bias of size ${shapeStr(bias._shape)} instead`,
    );
  }
  // the 2-d form: a 1-d convolution is one of height 1
  const to2 = (v: number[], h: number): number[] => (nd === 1 ? [h, v[0]!] : v);
  const s2 = to2(stride, 1);
  const p2 = to2(padding, 0);
  const op2 = to2(opad, 0);
  const d2 = to2(dil, 1);
  if (d2.some((d) => d <= 0)) {
    throw new RuntimeError(`dilation should be greater than zero, but got dilation_height: ${d2[0]}, dilation_width: ${d2[1]}`);
  }
  if (op2.some((p, i) => p >= s2[i]! && p >= d2[i]!)) {
    throw new RuntimeError(
      `output padding must be smaller than either stride or dilation, but got output_padding_height: ${op2[0]} output_padding_width: ${op2[1]} stride_height: ${s2[0]} stride_width: ${s2[1]} dilation_height: ${d2[0]} dilation_width: ${d2[1]}`,
    );
  }
  const in2 = to2(x._shape.slice(2), 1);
  const k2 = to2(weight._shape.slice(2), 1);
  const out2 = in2.map((n, i) => (n - 1) * s2[i]! - 2 * p2[i]! + d2[i]! * (k2[i]! - 1) + op2[i]! + 1);
  if (out2.some((n) => n < 1)) {
    throw new RuntimeError(
      `Given input size per channel: (${in2.join(' x ')}). Calculated output size per channel: (${out2.join(' x ')}). Output size is too small`,
    );
  }
  const out = convTranspose2dCore(x, weight, bias, s2, p2, op2, d2, groups);
  return batched ? out : out.squeeze(0);
}

/**
 * @internal The transposed convolution as one ConvolutionBackward0 node (PyTorch's name): the
 * forward scatters Wᵀ·x back into the output's windows (col2im, the input gradient of a
 * convolution, cropping the padding), the backward is a convolution of the output gradient
 * (im2col, then one product per image and group for the input and for the weight), composed of
 * tensor ops so double backward works. A 3-d input runs as a height-1 4-d one.
 */
export function convTranspose2dCore(
  xIn: Tensor, wIn: Tensor, bias: Tensor | null, stride: readonly number[], padding: readonly number[],
  opad: readonly number[], dil: readonly number[], groups: number,
): Tensor {
  const oneD = xIn.dim() === 3;
  const x = oneD ? xIn.unsqueeze(2) : xIn;
  const w = oneD ? wIn.unsqueeze(2) : wIn;
  const [N, Cin, H, W] = x._shape as [number, number, number, number];
  const [, Cog, kH, kW] = w._shape as [number, number, number, number];
  const G = groups;
  const Cout = Cog * G;
  const cin = Cin / G;
  const K = Cog * kH * kW;
  // the output, cropped by `padding` from the uncropped one whose H x W windows are x's pixels
  const oH = (H - 1) * stride[0]! + dil[0]! * (kH - 1) + 1 + opad[0]! - 2 * padding[0]!;
  const oW = (W - 1) * stride[1]! + dil[1]! * (kW - 1) + 1 + opad[1]! - 2 * padding[1]!;
  const g: Geom = {
    N, C: Cout, H: oH, W: oW, kH, kW, sH: stride[0]!, sW: stride[1]!, pH: padding[0]!, pW: padding[1]!,
    dH: dil[0]!, dW: dil[1]!, oH: H, oW: W,
  };
  const w3 = (t: Tensor): Tensor => t.reshape(G, cin, K);
  const x4 = (t: Tensor): Tensor => t.reshape(N, G, cin, H * W);
  const out = no_grad(() => {
    let y = col2im(w3(w).transpose(1, 2).matmul(x4(x)).view(N, Cout * kH * kW, H * W), g);
    y = bias ? y.add(bias.view(1, Cout, 1, 1)) : y.contiguous();
    return oneD ? y.view(N, Cout, oW) : y;
  });
  record('ConvolutionBackward0', [xIn, wIn, bias], [out], [xIn, wIn], ([go4]) => {
    const go = oneD ? go4!.unsqueeze(2) : go4!;
    const cols = im2col(go, g).view(N, G, K, H * W);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (xIn.requires_grad) {
      gx = w3(w).matmul(cols).view(N, Cin, H, W);
      if (oneD) gx = gx.squeeze(2);
    }
    if (wIn.requires_grad) gw = x4(x).matmul(cols.transpose(2, 3)).sum(0).reshape(wIn._shape.slice());
    return [gx, gw, bias && bias.requires_grad ? go.sum([0, 2, 3]) : null];
  });
  return out;
}

/**
 * `F.conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
 * dilation=1)`: the transposed 2-d convolution (the gradient of conv2d with respect to its
 * input) of (N, C_in, H, W) (or unbatched (C_in, H, W)) with weight (C_in, C_out/groups, kH, kW).
 * Output size (H - 1)·stride - 2·padding + dilation·(kH - 1) + output_padding + 1.
 * Records ConvolutionBackward0.
 * @example F.conv_transpose2d(torch.randn(1, 4, 5, 5), torch.randn(4, 2, 3, 3), null, {stride: 2, padding: 1, output_padding: 1}).shape // [1, 2, 10, 10]
 */
export function conv_transpose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvTransposeOpts,
  stride?: IntOrTuple | ConvTransposeOpts,
  padding?: IntOrTuple | ConvTransposeOpts,
  output_padding?: IntOrTuple | ConvTransposeOpts,
  groups?: number | ConvTransposeOpts,
  dilation?: IntOrTuple | ConvTransposeOpts,
): Tensor {
  return convTransposeNd(2, input, weight, pyArgs<ConvTransposeOpts>(CONV_T_ARGS, [bias, stride, padding, output_padding, groups, dilation]));
}

/**
 * `F.conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
 * dilation=1)`: the transposed 1-d convolution of (N, C_in, L) (or (C_in, L)) with weight
 * (C_in, C_out/groups, k); computed as a 2-d one of height 1.
 * @example F.conv_transpose1d(torch.randn(2, 3, 10), torch.randn(3, 5, 4), null, {stride: 2}).shape // [2, 5, 22]
 */
export function conv_transpose1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null | ConvTransposeOpts,
  stride?: IntOrTuple | ConvTransposeOpts,
  padding?: IntOrTuple | ConvTransposeOpts,
  output_padding?: IntOrTuple | ConvTransposeOpts,
  groups?: number | ConvTransposeOpts,
  dilation?: IntOrTuple | ConvTransposeOpts,
): Tensor {
  return convTransposeNd(1, input, weight, pyArgs<ConvTransposeOpts>(CONV_T_ARGS, [bias, stride, padding, output_padding, groups, dilation]));
}
