/**
 * `F.interpolate` (and the deprecated `F.upsample`, `upsample_nearest`, `upsample_bilinear`):
 * resizing of 3-d (N, C, L) and 4-d (N, C, H, W) inputs. Each spatial dim is resampled on its
 * own as a weighted sum of a few index_select gathers (1 tap for nearest, 2 for linear, 4 for
 * cubic) with PyTorch's source indices and weights, and the whole resize records one
 * Upsample*Backward1 node, as PyTorch 1.13 does; its backward scatters the gradient back with
 * index_add, so double backward works too.
 */

import * as dt from '../../dtype.js';
import { NotImplementedError, RuntimeError, ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { fromValues, zeros } from '../../ops/creation.js';
import { record } from '../../ops/dispatch.js';
import { cTypeName } from '../../ops/pointwise.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { floatRepr } from '../../display/pyformat.js';
import { warnOnce } from '../warnings.js';
import { pyArgs } from '../_args.js';
import { adaptive_avg_pool2d } from './pooling.js';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
export type SizeArg = number | readonly number[];
export interface InterpolateOptions {
  size?: SizeArg | null;
  scale_factor?: SizeArg | null;
  mode?: InterpolateMode;
  align_corners?: boolean | null;
  recompute_scale_factor?: boolean | null;
  antialias?: boolean;
}
const ARGS = ['size', 'scale_factor', 'mode', 'align_corners', 'recompute_scale_factor', 'antialias'] as const;

/** How one spatial dim is resampled: out[j] = Σ_k in[idx_k[j]] · w_k[j] (w absent: weight 1). */
interface Taps {
  dim: number;
  inSize: number;
  idx: Tensor[];
  w: (Tensor | null)[];
}

/** A Python list as Python prints it, floats as floats (`[2.0]`). */
const pyList = (v: SizeArg, floats: boolean): string => {
  const xs = typeof v === 'number' ? [v] : v;
  return `[${xs.map((x) => (floats ? floatRepr(x) : String(x))).join(', ')}]`;
};

/** PyTorch's `compute_scales_value`: the output-to-input step, from the user's scale when given. */
function stepOf(scale: number | null, inSize: number, outSize: number): number {
  return scale !== null && scale > 0 ? 1 / scale : inSize / outSize;
}

/** PyTorch's `area_pixel_compute_scale`. */
function areaScale(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): number {
  if (alignCorners) return outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  return stepOf(scale, inSize, outSize);
}

/** PyTorch's `area_pixel_compute_source_index`: where output pixel j samples the input. */
function sourceIndex(step: number, j: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return step * j;
  const src = step * (j + 0.5) - 0.5;
  return !cubic && src < 0 ? 0 : src;
}

function nearestIndices(inSize: number, outSize: number, scale: number | null, exact: boolean, dtype: dt.DType): number[] {
  const idx: number[] = [];
  // PyTorch computes the source index in the input's precision (float32 below float64), and
  // the rounding decides which pixel some outputs take
  const fr = dtype === dt.float64 ? (x: number): number => x : Math.fround;
  const step = fr(stepOf(scale, inSize, outSize));
  for (let j = 0; j < outSize; j++) {
    let s: number;
    if (exact) s = Math.floor(fr(fr(j + 0.5) * step));
    else if (outSize === inSize) s = j;
    else if (outSize === 2 * inSize) s = j >> 1;
    else s = Math.floor(fr(j * step));
    idx.push(Math.min(s, inSize - 1));
  }
  return idx;
}

function linearTaps(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): [number[][], number[][]] {
  const i0: number[] = [];
  const i1: number[] = [];
  const w0: number[] = [];
  const w1: number[] = [];
  const step = areaScale(inSize, outSize, alignCorners, scale);
  for (let j = 0; j < outSize; j++) {
    if (outSize === inSize) {
      i0.push(j); i1.push(j); w0.push(1); w1.push(0);
      continue;
    }
    const real = sourceIndex(step, j, alignCorners, false);
    const a = Math.floor(real);
    const l1 = Math.min(Math.max(real - a, 0), 1);
    i0.push(a);
    i1.push(a + (a < inSize - 1 ? 1 : 0));
    w0.push(1 - l1);
    w1.push(l1);
  }
  return [[i0, i1], [w0, w1]];
}

/** Keys' cubic convolution kernel with A = -0.75, as PyTorch's bicubic mode. */
function cubicCoeffs(t: number): number[] {
  const A = -0.75;
  const near = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

function cubicTaps(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): [number[][], number[][]] {
  const idx: number[][] = [[], [], [], []];
  const ws: number[][] = [[], [], [], []];
  const step = areaScale(inSize, outSize, alignCorners, scale);
  for (let j = 0; j < outSize; j++) {
    const real = sourceIndex(step, j, alignCorners, true);
    const a = Math.floor(real);
    const c = cubicCoeffs(real - a);
    for (let k = 0; k < 4; k++) {
      idx[k]!.push(Math.min(Math.max(a - 1 + k, 0), inSize - 1));
      ws[k]!.push(c[k]!);
    }
  }
  return [idx, ws];
}

/** Gathers and weighs along each planned dim in turn. */
function applyTaps(x: Tensor, plan: readonly Taps[]): Tensor {
  let y = x;
  for (const p of plan) {
    let acc: Tensor | null = null;
    p.idx.forEach((ix, k) => {
      const w = p.w[k];
      const part = w ? y.index_select(p.dim, ix).mul(w) : y.index_select(p.dim, ix);
      acc = acc ? acc.add(part) : part;
    });
    y = acc!;
  }
  return y;
}

/** The adjoint of applyTaps: each dim's taps added back with index_add, last dim first. */
function adjointTaps(g: Tensor, plan: readonly Taps[]): Tensor {
  let y = g;
  for (let i = plan.length - 1; i >= 0; i--) {
    const p = plan[i]!;
    const shape = y._shape.slice();
    shape[p.dim] = p.inSize;
    const out = zeros(shape, { dtype: y.dtype, device: y.device });
    p.idx.forEach((ix, k) => {
      const w = p.w[k];
      out.index_add_(p.dim, ix, w ? y.mul(w) : y);
    });
    y = out;
  }
  return y;
}

/** Runs a resampling plan as one node named as PyTorch's (its backward composed of tensor ops). */
function resample(name: string, input: Tensor, plan: Taps[]): Tensor {
  const out = no_grad(() => applyTaps(input, plan).contiguous());
  record(name, [input], [out], [], ([g]) => [adjointTaps(g!, plan)]);
  return out;
}

function checkSizes(input: Tensor, outSize: readonly number[]): void {
  const nd = outSize.length;
  const inSize = input._shape.slice(2);
  if (inSize.every((n) => n > 0) && outSize.every((n) => n > 0)) return;
  const names = nd === 1 ? ['W'] : ['H', 'W'];
  const fmt = (s: readonly number[]): string => s.map((n, i) => `${names[i]}: ${n}`).join(', ');
  throw new RuntimeError(
    `Input and output sizes should be greater than 0, but got input (${fmt(inSize)})${nd === 1 ? ' and' : ''} output (${fmt(outSize)})`,
  );
}

function requireDtype(input: Tensor, kind: string, uint8Ok: boolean): void {
  if (input.dtype.is_floating_point || (uint8Ok && input.dtype === dt.uint8)) return;
  throw new RuntimeError(`"compute_indices_weights_${kind}" not implemented for '${cTypeName(input.dtype)}'`);
}

type Kind = 'nearest' | 'nearest-exact' | 'linear' | 'cubic';

/** The resize of the last outSize.length dims of `input`, with PyTorch's node name. */
function upsampleCore(input: Tensor, kind: Kind, outSize: number[], scales: (number | null)[], alignCorners: boolean): Tensor {
  checkSizes(input, outSize);
  const nd = outSize.length;
  requireDtype(input, kind === 'nearest-exact' ? 'nearest' : kind, kind === 'nearest' || kind === 'nearest-exact');
  const dims = input.dim();
  const idxT = (v: number[]): Tensor => fromValues(Float64Array.from(v), [v.length], dt.int64, input.device);
  const wT = (v: number[], d: number): Tensor => {
    const shape = new Array<number>(dims).fill(1);
    shape[d] = v.length;
    // made in the input's dtype directly: a device may lack float64
    const a = new input.dtype.array(v.length);
    a.set(v);
    return fromValues(a, shape, input.dtype, input.device);
  };
  // PyTorch copies the input through when a cubic resize keeps every size
  const sameSize = outSize.every((n, i) => n === input._shape[2 + i]);
  const plan: Taps[] = [];
  for (let i = 0; i < nd; i++) {
    const d = 2 + i;
    const n = input._shape[d]!;
    const o = outSize[i]!;
    const s = scales[i] ?? null;
    if (kind === 'nearest' || kind === 'nearest-exact') {
      plan.push({ dim: d, inSize: n, idx: [idxT(nearestIndices(n, o, s, kind === 'nearest-exact', input.dtype))], w: [null] });
    } else if (kind === 'cubic' && sameSize) {
      plan.push({ dim: d, inSize: n, idx: [idxT(Array.from({ length: n }, (_, j) => j))], w: [null] });
    } else {
      const [ix, ws] = kind === 'linear' ? linearTaps(n, o, alignCorners, s) : cubicTaps(n, o, alignCorners, s);
      plan.push({ dim: d, inSize: n, idx: ix.map(idxT), w: ws.map((w) => wT(w, d)) });
    }
  }
  const title = { nearest: 'Nearest', 'nearest-exact': 'NearestExact', linear: nd === 1 ? 'Linear' : 'Bilinear', cubic: 'Bicubic' }[kind];
  return resample(`Upsample${title}${nd}DBackward1`, input, plan);
}

/**
 * `F.interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
 * recompute_scale_factor=None, antialias=False)`: resizes the spatial dims of a 3-d (N, C, L)
 * or 4-d (N, C, H, W) input to `size`, or by `scale_factor` (output floor(in · scale); the
 * scale itself, not the size ratio, places the samples unless recompute_scale_factor).
 * Modes 'nearest', 'nearest-exact', 'linear' (3-d), 'bilinear', 'bicubic' (4-d) and 'area'
 * (adaptive average pooling), with PyTorch's indices, weights and errors; differentiable.
 * Differs from PyTorch: 5-d inputs ('trilinear', volumetric nearest) and antialias are not
 * supported.
 * @example F.interpolate(torch.randn(1, 3, 8, 8), {scale_factor: 2, mode: 'bilinear'}).shape // [1, 3, 16, 16]
 */
export function interpolate(
  input: Tensor,
  size?: SizeArg | null | InterpolateOptions,
  scale_factor?: SizeArg | null | InterpolateOptions,
  mode?: InterpolateMode | InterpolateOptions,
  align_corners?: boolean | null | InterpolateOptions,
  recompute_scale_factor?: boolean | null | InterpolateOptions,
  antialias?: boolean | InterpolateOptions,
): Tensor {
  const o = pyArgs<InterpolateOptions>(ARGS, [size, scale_factor, mode, align_corners, recompute_scale_factor, antialias]);
  const m = o.mode ?? 'nearest';
  let align = o.align_corners ?? null;
  if (m === 'nearest' || m === 'area' || m === 'nearest-exact') {
    if (align !== null) {
      throw new ValueError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
    }
  } else if (align === null) {
    align = false;
  }
  const dim = input.dim() - 2;
  const sz = o.size ?? null;
  const sf = o.scale_factor ?? null;
  let outSize: number[] | null = null;
  let scales: (number | null)[] | null = null;
  if (sz !== null && sf !== null) throw new ValueError('only one of size or scale_factor should be defined');
  if (sz !== null) {
    if (typeof sz !== 'number' && sz.length !== dim) {
      throw new ValueError(
        `Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${pyList(input._shape.slice(2), false)} and output size of ${pyList(sz, false)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`,
      );
    }
    outSize = typeof sz === 'number' ? new Array<number>(Math.max(dim, 0)).fill(sz) : sz.slice();
  } else if (sf !== null) {
    if (typeof sf !== 'number' && sf.length !== dim) {
      throw new ValueError(
        `Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${pyList(input._shape.slice(2), false)} and scale_factor of shape ${pyList(sf, true)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`,
      );
    }
    scales = typeof sf === 'number' ? new Array<number>(Math.max(dim, 0)).fill(sf) : sf.slice();
  } else {
    throw new ValueError('either size or scale_factor should be defined');
  }
  let recompute = o.recompute_scale_factor ?? null;
  if (recompute && sz !== null) throw new ValueError('recompute_scale_factor is not meaningful with an explicit size.');
  if (m === 'area' && outSize === null) recompute = true;
  if (recompute && scales) {
    outSize = scales.map((s, i) => Math.floor(input._shape[i + 2]! * s!));
    scales = null;
  }
  if (o.antialias && !((m === 'bilinear' || m === 'bicubic') && input.dim() === 4)) {
    throw new ValueError('Anti-alias option is only supported for bilinear and bicubic modes');
  }
  const nd = input.dim();
  if (nd === 5 && ['nearest', 'nearest-exact', 'area', 'trilinear'].includes(m)) {
    throw new NotImplementedError(`torchlab: interpolate of 5D (volumetric) input is not supported (mode ${m})`);
  }
  if (o.antialias) throw new NotImplementedError('torchlab: interpolate with antialias=True is not supported');
  // PyTorch's C++ truncates in.size · scale toward zero (the recompute path above floors)
  const size_ = outSize ?? scales!.map((s, i) => Math.trunc(input._shape[i + 2]! * s!));
  const sc = scales ?? size_.map(() => null);
  if ((nd === 3 || nd === 4) && (m === 'nearest' || m === 'nearest-exact')) return upsampleCore(input, m, size_, sc, false);
  if (nd === 3 && m === 'area') return adaptive_avg_pool2d(input.unsqueeze(2), [1, size_[0]!]).squeeze(2);
  if (nd === 4 && m === 'area') return adaptive_avg_pool2d(input, size_);
  if (nd === 3 && m === 'linear') return upsampleCore(input, 'linear', size_, sc, align!);
  if (nd === 4 && m === 'bilinear') return upsampleCore(input, 'linear', size_, sc, align!);
  if (nd === 4 && m === 'bicubic') return upsampleCore(input, 'cubic', size_, sc, align!);
  const need: Record<string, number> = { linear: 3, bilinear: 4, trilinear: 5 };
  if (nd >= 3 && nd <= 5 && need[m] !== undefined && need[m] !== nd) {
    throw new NotImplementedError(`Got ${nd}D input, but ${m} mode needs ${need[m]}D input`);
  }
  throw new NotImplementedError(
    `Input Error: Only 3D, 4D and 5D input Tensors supported (got ${nd}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${m})`,
  );
}

/**
 * `F.upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None)`:
 * deprecated alias of interpolate (warns once, as PyTorch).
 * @example F.upsample(x, {scale_factor: 2}) // use F.interpolate(x, {scale_factor: 2})
 */
export function upsample(
  input: Tensor,
  size?: SizeArg | null | InterpolateOptions,
  scale_factor?: SizeArg | null | InterpolateOptions,
  mode?: InterpolateMode | InterpolateOptions,
  align_corners?: boolean | null | InterpolateOptions,
): Tensor {
  warnOnce('nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.');
  const o = pyArgs<InterpolateOptions>(ARGS, [size, scale_factor, mode, align_corners]);
  return interpolate(input, { size: o.size, scale_factor: o.scale_factor, mode: o.mode, align_corners: o.align_corners });
}

type SizeScale = { size?: SizeArg | null; scale_factor?: SizeArg | null };

/**
 * `F.upsample_nearest(input, size=None, scale_factor=None)`: deprecated; interpolate with mode
 * 'nearest'.
 * @example F.upsample_nearest(x, {scale_factor: 2}) // [N, C, 2H, 2W]
 */
export function upsample_nearest(input: Tensor, size?: SizeArg | null | SizeScale, scale_factor?: SizeArg | null | SizeScale): Tensor {
  warnOnce('nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.');
  const o = pyArgs<SizeScale>(['size', 'scale_factor'], [size, scale_factor]);
  return interpolate(input, { size: o.size, scale_factor: o.scale_factor, mode: 'nearest' });
}

/**
 * `F.upsample_bilinear(input, size=None, scale_factor=None)`: deprecated; bilinear with
 * align_corners=True.
 * @example F.upsample_bilinear(x, {size: [56, 56]})
 */
export function upsample_bilinear(input: Tensor, size?: SizeArg | null | SizeScale, scale_factor?: SizeArg | null | SizeScale): Tensor {
  warnOnce('nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.');
  const o = pyArgs<SizeScale>(['size', 'scale_factor'], [size, scale_factor]);
  return interpolate(input, { size: o.size, scale_factor: o.scale_factor, mode: 'bilinear', align_corners: true });
}
