/**
 * `torch.nn.init`: in-place initialisers, each run under no_grad (so they apply to parameters),
 * with PyTorch's gains and fan computations.
 */

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Generator } from '../ops/random.js';
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

/** `nn.init.normal_(tensor, mean=0, std=1)`: fills with N(mean, std²) in place. */
export function normal_(tensor: Tensor, mean?: number | NormalOpts, std?: number | NormalOpts, opts?: NormalOpts): Tensor {
  const o = pyArgs<NormalOpts>(['mean', 'std'], [mean, std, opts]);
  return no_grad(() => tensor.normal_(o.mean ?? 0, o.std ?? 1, genOf(o)));
}

/** `nn.init.constant_(tensor, val)`. */
export function constant_(tensor: Tensor, val: number): Tensor {
  return no_grad(() => tensor.fill_(val));
}

/** `nn.init.zeros_(tensor)`. */
export function zeros_(tensor: Tensor): Tensor {
  return no_grad(() => tensor.zero_());
}

/** `nn.init.ones_(tensor)`. */
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

/** `nn.init.xavier_normal_(tensor, gain=1.0)`: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). */
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
