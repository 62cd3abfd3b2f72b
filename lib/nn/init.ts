/**
 * `torch.nn.init`: in-place initialisers, each run under no_grad (so they apply to parameters),
 * with PyTorch's gains and fan computations.
 */

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import * as dt from '../dtype.js';
import type { Generator } from '../ops/random.js';
import { empty, eye, fromValues, scalar_tensor } from '../ops/creation.js';
import { where } from '../ops/pointwise.js';
import { no_grad } from '../autograd/grad_mode.js';
import { warnOnce } from './warnings.js';
import { pyArgs } from './_args.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

type GenOpt = { generator?: Generator | null };
type UniformOpts = { a?: number; b?: number } & GenOpt;
type NormalOpts = { mean?: number; std?: number } & GenOpt;
type GainOpts = { gain?: number } & GenOpt;
const genOf = (o: GenOpt): { generator?: Generator } => (o.generator ? { generator: o.generator } : {});

/**
 * `nn.init.calculate_gain(nonlinearity, param=None)`: the recommended gain for a nonlinearity
 * (1 for linear/conv/sigmoid, 5/3 tanh, √2 relu, √(2 / (1 + slope²)) leaky_relu, 3/4 selu).
 * @example nn.init.calculate_gain('leaky_relu', 0.2) // 1.3867504905630728
 */
export function calculate_gain(nonlinearity: Nonlinearity | string, param?: number | null): number {
  const linear = ['linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d'];
  if (linear.includes(nonlinearity) || nonlinearity === 'sigmoid') return 1;
  if (nonlinearity === 'tanh') return 5 / 3;
  if (nonlinearity === 'relu') return Math.sqrt(2);
  if (nonlinearity === 'leaky_relu') {
    let slope = 0.01;
    if (param !== undefined && param !== null) {
      if (typeof param !== 'number' || Number.isNaN(param)) throw new ValueError(`negative_slope ${String(param)} not a valid number`);
      slope = param;
    }
    return Math.sqrt(2 / (1 + slope * slope));
  }
  if (nonlinearity === 'selu') return 3 / 4;
  throw new ValueError(`Unsupported nonlinearity ${nonlinearity}`);
}

/**
 * `nn.init._calculate_fan_in_and_fan_out(tensor)`: [fan_in, fan_out] of a weight shaped
 * (out, in, *kernel), i.e. in·∏kernel and out·∏kernel.
 * @example nn.init._calculate_fan_in_and_fan_out(torch.empty(64, 784)) // [784, 64]
 */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  if (tensor.dim() < 2) throw new ValueError('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const shape = tensor._shape;
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return [shape[1]! * receptive, shape[0]! * receptive];
}

function correctFan(tensor: Tensor, mode: string): number {
  const m = mode.toLowerCase();
  if (m !== 'fan_in' && m !== 'fan_out') throw new ValueError(`Mode ${mode} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  return m === 'fan_in' ? fanIn : fanOut;
}

/**
 * `nn.init.uniform_(tensor, a=0, b=1)`: fills with U(a, b) in place; returns the tensor.
 * @example nn.init.uniform_(w, -0.1, 0.1)
 */
export function uniform_(tensor: Tensor, a?: number | UniformOpts, b?: number | UniformOpts, opts?: UniformOpts): Tensor {
  const o = pyArgs<UniformOpts>(['a', 'b'], [a, b, opts]);
  return no_grad(() => tensor.uniform_(o.a ?? 0, o.b ?? 1, genOf(o)));
}

/**
 * `nn.init.normal_(tensor, mean=0, std=1)`: fills with N(mean, std²) in place.
 * @example nn.init.normal_(layer.weight, 0, 0.02)
 */
export function normal_(tensor: Tensor, mean?: number | NormalOpts, std?: number | NormalOpts, opts?: NormalOpts): Tensor {
  const o = pyArgs<NormalOpts>(['mean', 'std'], [mean, std, opts]);
  return no_grad(() => tensor.normal_(o.mean ?? 0, o.std ?? 1, genOf(o)));
}

/** `nn.init.constant_(tensor, val)`. @example nn.init.constant_(layer.bias, 0.1) */
export function constant_(tensor: Tensor, val: number): Tensor {
  return no_grad(() => tensor.fill_(val));
}

/** `nn.init.zeros_(tensor)`. @example nn.init.zeros_(layer.bias) */
export function zeros_(tensor: Tensor): Tensor {
  return no_grad(() => tensor.zero_());
}

/** `nn.init.ones_(tensor)`. @example nn.init.ones_(norm.weight) */
export function ones_(tensor: Tensor): Tensor {
  return no_grad(() => tensor.fill_(1));
}

/**
 * `nn.init.xavier_uniform_(tensor, gain=1.0)`: U(-a, a) with a = gain·√(6 / (fan_in + fan_out))
 * (Glorot & Bengio).
 * @example nn.init.xavier_uniform_(layer.weight, nn.init.calculate_gain('tanh'))
 */
export function xavier_uniform_(tensor: Tensor, gain?: number | GainOpts, opts?: GainOpts): Tensor {
  const o = pyArgs<GainOpts>(['gain'], [gain, opts]);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(tensor, -a, a, genOf(o));
}

/**
 * `nn.init.xavier_normal_(tensor, gain=1.0)`: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).
 * @example nn.init.xavier_normal_(layer.weight)
 */
export function xavier_normal_(tensor: Tensor, gain?: number | GainOpts, opts?: GainOpts): Tensor {
  const o = pyArgs<GainOpts>(['gain'], [gain, opts]);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return normal_(tensor, 0, std, genOf(o));
}

export interface KaimingOptions extends GenOpt {
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, o: KaimingOptions): number | null {
  if (tensor._shape.includes(0)) {
    warnOnce('Initializing zero-element tensors is a no-op');
    return null;
  }
  const fan = correctFan(tensor, o.mode ?? 'fan_in');
  return calculate_gain(o.nonlinearity ?? 'leaky_relu', o.a ?? 0) / Math.sqrt(fan);
}

type KaimingArg = number | string | KaimingOptions | undefined;

function kaimingOpts(args: KaimingArg[]): KaimingOptions {
  return pyArgs<KaimingOptions>(['a', 'mode', 'nonlinearity'], args);
}

/**
 * `nn.init.kaiming_uniform_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')`:
 * U(-b, b) with b = gain·√(3 / fan) (He et al.). nn.Linear uses it with a = √5.
 * @example nn.init.kaiming_uniform_(w, {a: Math.sqrt(5)}); nn.init.kaiming_uniform_(w, 0, 'fan_in', 'relu')
 */
export function kaiming_uniform_(
  tensor: Tensor,
  a?: number | KaimingOptions,
  mode?: 'fan_in' | 'fan_out' | KaimingOptions,
  nonlinearity?: Nonlinearity | KaimingOptions,
  opts?: KaimingOptions,
): Tensor {
  const o = kaimingOpts([a, mode, nonlinearity, opts]);
  const std = kaimingStd(tensor, o);
  if (std === null) return tensor;
  const bound = Math.sqrt(3) * std;
  return uniform_(tensor, -bound, bound, genOf(o));
}

/**
 * `nn.init.kaiming_normal_(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')`: N(0, std²)
 * with std = gain / √fan.
 * @example nn.init.kaiming_normal_(w, {mode: 'fan_out', nonlinearity: 'relu'})
 */
export function kaiming_normal_(
  tensor: Tensor,
  a?: number | KaimingOptions,
  mode?: 'fan_in' | 'fan_out' | KaimingOptions,
  nonlinearity?: Nonlinearity | KaimingOptions,
  opts?: KaimingOptions,
): Tensor {
  const o = kaimingOpts([a, mode, nonlinearity, opts]);
  const std = kaimingStd(tensor, o);
  if (std === null) return tensor;
  return normal_(tensor, 0, std, genOf(o));
}

/**
 * Q of the reduced QR factorisation of the row-major m x n matrix `a` (m >= n), by Householder
 * reflections in float64, with each column's sign flipped to make R's diagonal positive (a
 * zero diagonal entry zeroes its column, as PyTorch's `q *= sign(diag(r))`).
 */
function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const r = Float64Array.from(a);
  const vs: Float64Array[] = [];
  const diag: number[] = [];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm = Math.hypot(norm, r[i * n + k]!);
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k]!;
    const alpha = r[k * n + k]! >= 0 ? -norm : norm;
    v[0] = v[0]! - alpha;
    let vv = 0;
    for (const x of v) vv += x * x;
    if (vv > 0) {
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i - k]! * r[i * n + j]!;
        const f = (2 * dot) / vv;
        for (let i = k; i < m; i++) r[i * n + j] = r[i * n + j]! - f * v[i - k]!;
      }
    }
    vs.push(v);
    diag.push(vv > 0 ? alpha : r[k * n + k]!);
  }
  // Q = H_0 ... H_{n-1} applied to the first n columns of the identity
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    let vv = 0;
    for (const x of v) vv += x * x;
    if (vv === 0) continue;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k]! * q[i * n + j]!;
      const f = (2 * dot) / vv;
      for (let i = k; i < m; i++) q[i * n + j] = q[i * n + j]! - f * v[i - k]!;
    }
  }
  for (let j = 0; j < n; j++) {
    const sgn = Math.sign(diag[j]!);
    for (let i = 0; i < m; i++) q[i * n + j] = q[i * n + j]! * sgn;
  }
  return q;
}

/**
 * `nn.init.orthogonal_(tensor, gain=1)`: fills the tensor, viewed as rows x (the rest), with a
 * (semi-)orthogonal matrix times gain (Saxe et al. 2013): the QR factorisation of a standard
 * normal draw, signs fixed so the result is uniformly (Haar) distributed. After the same seed
 * it gives PyTorch's values (the QR runs in float64 here, so float32 results agree to rounding).
 * @example const w = nn.init.orthogonal_(torch.empty(3, 5)); w.matmul(w.t()) // ≈ eye(3)
 */
export function orthogonal_(tensor: Tensor, gain?: number | GainOpts, opts?: GainOpts): Tensor {
  const o = pyArgs<GainOpts>(['gain'], [gain, opts]);
  if (tensor.dim() < 2) throw new ValueError('Only tensors with 2 or more dimensions are supported');
  if (tensor.numel() === 0) return tensor;
  const rows = tensor._shape[0]!;
  const cols = tensor.numel() / rows;
  return no_grad(() => {
    const flat = empty([rows, cols], { dtype: tensor.dtype, device: tensor.device }).normal_(0, 1, genOf(o));
    const wide = rows < cols;
    const a = Float64Array.from((wide ? flat.t() : flat).contiguous().numpy());
    const [m, n] = wide ? [cols, rows] : [rows, cols];
    // written in the tensor's dtype directly: a device may lack float64
    const vals = new tensor.dtype.array(m * n);
    vals.set(orthonormalColumns(a, m, n));
    let q = fromValues(vals, [m, n], tensor.dtype, tensor.device);
    if (wide) q = q.t();
    tensor.view_as(q).copy_(q);
    return tensor.mul_(o.gain ?? 1);
  });
}

/** erf⁻¹ of a float64 tensor: Giles' single-precision approximation refined by two Newton steps. */
function erfinv(x: Tensor): Tensor {
  const horner = (t: Tensor, cs: readonly number[]): Tensor => cs.slice(1).reduce((p, c) => p.mul(t).add(c), t.mul(0).add(cs[0]!));
  const w = x.neg().add(1).mul(x.add(1)).log().neg();
  const central = horner(w.sub(2.5), [
    2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164,
    0.246640727, 1.50140941,
  ]);
  const tail = horner(w.sqrt().sub(3), [
    -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
    1.00167406, 2.83297682,
  ]);
  let y = where(w.lt(5), central, tail).mul(x);
  for (let i = 0; i < 2; i++) y = y.sub(y.erf().sub(x).div(y.mul(y).neg().exp().mul(2 / Math.sqrt(Math.PI))));
  return where(x.abs().eq(1), x.mul(Infinity), y);
}

type TruncNormalOpts = { mean?: number; std?: number; a?: number; b?: number } & GenOpt;

/**
 * `nn.init.trunc_normal_(tensor, mean=0, std=1, a=-2, b=2)`: N(mean, std²) truncated to
 * [a, b], drawn by the inverse CDF of a uniform draw as PyTorch does (so the same seed gives
 * PyTorch's values); warns when mean is more than 2 std outside [a, b].
 * @example nn.init.trunc_normal_(vit.pos_embed, {std: 0.02})
 */
export function trunc_normal_(
  tensor: Tensor, mean?: number | TruncNormalOpts, std?: number | TruncNormalOpts, a?: number | TruncNormalOpts,
  b?: number | TruncNormalOpts, opts?: TruncNormalOpts,
): Tensor {
  const o = pyArgs<TruncNormalOpts>(['mean', 'std', 'a', 'b'], [mean, std, a, b, opts]);
  const mu = o.mean ?? 0;
  const sd = o.std ?? 1;
  const lo = o.a ?? -2;
  const hi = o.b ?? 2;
  const normCdf = (x: number): number => (1 + scalar_tensor(x / Math.SQRT2, { dtype: dt.float64 }).erf().item()) / 2;
  if (mu < lo - 2 * sd || mu > hi + 2 * sd) {
    warnOnce('mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.');
  }
  return no_grad(() => {
    const l = normCdf((lo - mu) / sd);
    const u = normCdf((hi - mu) / sd);
    tensor.uniform_(2 * l - 1, 2 * u - 1, genOf(o));
    // in float64 on the CPU (a device may lack float64), then back in the tensor's dtype
    tensor.copy_(erfinv(tensor.cpu().to(dt.float64)).to(tensor.dtype));
    tensor.mul_(sd * Math.SQRT2);
    tensor.add_(mu);
    return tensor.clamp_(lo, hi);
  });
}

/**
 * `nn.init.eye_(tensor)`: the identity matrix in a 2-d tensor (ones on the main diagonal of a
 * non-square one).
 * @example nn.init.eye_(torch.empty(3, 5))
 */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.dim() !== 2) throw new ValueError('Only tensors with 2 dimensions are supported');
  return no_grad(() => tensor.copy_(eye(tensor._shape[0]!, tensor._shape[1]!, { dtype: tensor.dtype, device: tensor.device })));
}

/**
 * `nn.init.dirac_(tensor, groups=1)`: a 3-, 4- or 5-d convolution weight that passes its input
 * channels through (a 1 at the kernel centre of channel d of output d, per group).
 * @example nn.init.dirac_(torch.empty(16, 16, 3, 3))
 */
export function dirac_(tensor: Tensor, groups: number | { groups?: number } = 1): Tensor {
  const g = pyArgs<{ groups?: number }>(['groups'], [groups]).groups ?? 1;
  const d = tensor.dim();
  if (d < 3 || d > 5) throw new ValueError('Only tensors with 3, 4, or 5 dimensions are supported');
  const sizes = tensor._shape;
  if (sizes[0]! % g !== 0) throw new ValueError('dim 0 must be divisible by groups');
  const outPer = sizes[0]! / g;
  const minDim = Math.min(outPer, sizes[1]!);
  const centre = sizes.slice(2).map((k) => Math.floor(k / 2));
  return no_grad(() => {
    tensor.zero_();
    for (let gi = 0; gi < g; gi++) {
      for (let c = 0; c < minDim; c++) tensor.set(gi * outPer + c, c, ...centre, 1);
    }
    return tensor;
  });
}
