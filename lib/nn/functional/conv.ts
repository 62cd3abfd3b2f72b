/**
 * Convolutions and padding of `nn.functional`: `pad`, `conv1d`, `conv2d`, `conv_transpose1d`,
 * `conv_transpose2d`. A convolution is composed of existing ops (pad, a window view copied into
 * columns, one matrix product per group) and records one ConvolutionBackward0 node, as PyTorch
 * does; its backward is composed of tensor ops too, so double backward works. A transposed
 * convolution runs the same pieces the other way round (columns scattered back into windows).
 */

import { NotImplementedError, RuntimeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { cat } from '../../ops/cat.js';
import { full, zeros } from '../../ops/creation.js';
import { record } from '../../ops/dispatch.js';
import { is_grad_enabled, no_grad } from '../../autograd/grad_mode.js';
import { pyArgs } from '../_args.js';

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

/** Where a 2-d convolution's windows sit in its padded input. */
interface Geom {
  N: number; C: number; Hp: number; Wp: number; kH: number; kW: number; oH: number; oW: number;
  stride: readonly number[]; dil: readonly number[];
}

/** The window view of a contiguous padded input, laid out [C, kH, kW, N, oH, oW]. */
function windowView(xp: Tensor, g: Geom): Tensor {
  const [sN, sC, sH, sW] = xp._strides as [number, number, number, number];
  return xp.as_strided(
    [g.C, g.kH, g.kW, g.N, g.oH, g.oW],
    [sC, sH * g.dil[0]!, sW * g.dil[1]!, sN, sH * g.stride[0]!, sW * g.stride[1]!],
  );
}

/**
 * im2col: the padded input's windows as columns [C·kH·kW, N·oH·oW] (rows ordered as the
 * flattened kernel). Its gradient is col2im, and col2im's is im2col, so both differentiate to
 * any order without the element-by-element scatter that as_strided's backward needs.
 */
function im2col(xp: Tensor, g: Geom): Tensor {
  const x = xp.contiguous();
  const cols = no_grad(() => windowView(x, g).reshape(g.C * g.kH * g.kW, g.N * g.oH * g.oW));
  record('Im2ColBackward0', [x], [cols], [], ([gc]) => [col2im(gc!, g)]);
  return cols;
}

/** col2im: sums columns [C·kH·kW, N·oH·oW] back into the padded input's shape. */
function col2im(cols: Tensor, g: Geom): Tensor {
  const out = zeros([g.N, g.C, g.Hp, g.Wp], { dtype: cols.dtype, device: cols.device });
  no_grad(() => {
    const src = cols.reshape(g.C, g.kH, g.kW, g.N, g.oH, g.oW);
    const dst = windowView(out, g);
    // one add per kernel offset: within one offset the windows never overlap
    for (let i = 0; i < g.kH; i++) {
      for (let j = 0; j < g.kW; j++) dst.select(1, i).select(1, j).add_(src.select(1, i).select(1, j));
    }
  });
  record('Col2ImBackward0', [cols], [out], [], ([go]) => [im2col(go!, g)]);
  return out;
}

/** W (O, C/G, kH, kW) times columns, per group: [O, N·oH·oW]. */
function groupedMm(w2: Tensor, cols: Tensor, groups: number): Tensor {
  if (groups === 1) return w2.mm(cols);
  const [O, K] = w2._shape as [number, number];
  return w2.view(groups, O / groups, K).bmm(cols.view(groups, K, -1)).view(O, -1);
}

/**
 * @internal The convolution as one ConvolutionBackward0 node, on checked arguments with
 * explicit (left, right) padding per spatial dim: forward under no_grad (im2col and one
 * matrix product per group), backward composed of tensor ops (the weight gradient from the
 * columns, the input gradient by col2im of Wᵀ·g), so double backward works.
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
  const padArg = [pads[1]![0], pads[1]![1], pads[0]![0], pads[0]![1]];
  const needPad = padArg.some((p) => p !== 0);
  const padX = (t: Tensor): Tensor => (needPad ? pad(t, padArg) : t);
  const Hp = H + pads[0]![0] + pads[0]![1];
  const Wp = W + pads[1]![0] + pads[1]![1];
  const g: Geom = {
    N, C, Hp, Wp, kH, kW, stride, dil,
    oH: Math.floor((Hp - dil[0]! * (kH - 1) - 1) / stride[0]!) + 1,
    oW: Math.floor((Wp - dil[1]! * (kW - 1) - 1) / stride[1]!) + 1,
  };
  const K = Cg * kH * kW;
  const cols = no_grad(() => im2col(padX(x), g));
  const out = no_grad(() => {
    const r = groupedMm(w.reshape(O, K), cols, groups).view(O, N, g.oH, g.oW).transpose(0, 1);
    // the bias add doubles as the copy into PyTorch's contiguous (N, O, oH, oW) layout
    const y = bias ? r.add(bias.view(1, O, 1, 1)) : r.contiguous();
    return oneD ? y.view(N, O, g.oW) : y;
  });
  record('ConvolutionBackward0', [xIn, wIn, bias], [out], [xIn, wIn], ([go4]) => {
    const go = oneD ? go4!.unsqueeze(2) : go4!;
    const gm = go.transpose(0, 1).reshape(O, N * g.oH * g.oW);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (xIn.requires_grad) {
      const w2 = w.reshape(groups, O / groups, K).transpose(1, 2);
      const gcols = groups === 1 ? w2.squeeze(0).mm(gm) : w2.bmm(gm.view(groups, O / groups, -1)).view(C * kH * kW, -1);
      const gxp = col2im(gcols, g);
      gx = needPad ? gxp.narrow(2, pads[0]![0], H).narrow(3, pads[1]![0], W) : gxp;
      if (oneD) gx = gx.squeeze(2);
    }
    if (wIn.requires_grad) {
      // with create_graph the columns must come from x through the graph; otherwise reuse them
      const c = is_grad_enabled() ? im2col(padX(x), g) : cols;
      const gwm = groups === 1 ? gm.mm(c.t()) : gm.view(groups, O / groups, -1).bmm(c.view(groups, K, -1).transpose(1, 2));
      gw = gwm.reshape(wIn._shape.slice());
    }
    return [gx, gw, bias && bias.requires_grad ? go.sum([0, 2, 3]) : null];
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
 * convolution), the backward is a convolution of the output gradient (im2col, then one matrix
 * product per group for the input and one for the weight), composed of tensor ops so double
 * backward works. A 3-d input runs as a height-1 4-d one.
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
  const Cout = Cog * groups;
  const cin = Cin / groups;
  const K = Cog * kH * kW;
  // the uncropped output, whose H x W windows are the input's pixels
  const Hp = (H - 1) * stride[0]! + dil[0]! * (kH - 1) + 1 + opad[0]!;
  const Wp = (W - 1) * stride[1]! + dil[1]! * (kW - 1) + 1 + opad[1]!;
  const oH = Hp - 2 * padding[0]!;
  const oW = Wp - 2 * padding[1]!;
  const g: Geom = { N, C: Cout, Hp, Wp, kH, kW, oH: H, oW: W, stride, dil };
  const needPad = padding[0] !== 0 || padding[1] !== 0;
  const xmOf = (t: Tensor): Tensor => t.transpose(0, 1).reshape(Cin, N * H * W);
  const out = no_grad(() => {
    const xm = xmOf(x);
    const cols = groups === 1
      ? w.reshape(Cin, K).t().mm(xm)
      : w.reshape(groups, cin, K).transpose(1, 2).bmm(xm.view(groups, cin, -1)).view(Cout * kH * kW, -1);
    let y = col2im(cols, g);
    if (needPad) y = y.narrow(2, padding[0]!, oH).narrow(3, padding[1]!, oW);
    y = bias ? y.add(bias.view(1, Cout, 1, 1)) : y.contiguous();
    return oneD ? y.view(N, Cout, oW) : y;
  });
  record('ConvolutionBackward0', [xIn, wIn, bias], [out], [xIn, wIn], ([go4]) => {
    const go = oneD ? go4!.unsqueeze(2) : go4!;
    const gp = needPad ? pad(go, [padding[1]!, padding[1]!, padding[0]!, padding[0]!]) : go;
    const cols = im2col(gp, g);
    let gx: Tensor | null = null;
    let gw: Tensor | null = null;
    if (xIn.requires_grad) {
      const m = groups === 1
        ? w.reshape(Cin, K).mm(cols)
        : w.reshape(groups, cin, K).bmm(cols.view(groups, K, -1)).view(Cin, -1);
      gx = m.view(Cin, N, H, W).transpose(0, 1);
      gx = oneD ? gx.squeeze(2) : gx.contiguous();
    }
    if (wIn.requires_grad) {
      const xm = xmOf(x);
      const m = groups === 1
        ? xm.mm(cols.t())
        : xm.view(groups, cin, -1).bmm(cols.view(groups, K, -1).transpose(1, 2));
      gw = m.reshape(wIn._shape.slice());
    }
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
