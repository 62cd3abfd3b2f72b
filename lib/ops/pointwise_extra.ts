/**
 * Elementwise ops beyond the table, composed of table ops (autograd comes free): `float_power`,
 * `copysign`, `heaviside`, `deg2rad`, `rad2deg`, `nan_to_num`, `rsub`, `isreal`, and the
 * `bitwise_*` family (logical ops on bool; integer bit patterns computed on the host, since the
 * scalar algebra works in floating point and int64 is stored as float64).
 */

import * as dt from '../dtype.js';
import { RuntimeError } from '../errors.js';
import { Tensor, type Scalar, type TensorOrScalar } from '../tensor.js';
import { readValues } from './copy.js';
import { fromValues, tensor } from './creation.js';
import { cTypeName } from './pointwise.js';
import { record } from './dispatch.js';
import { broadcastShapes } from '../shape.js';
import { sumTo } from './reduction.js';
import { no_grad } from '../autograd/grad_mode.js';
import { asNode } from './host_rows.js';

const isT = (v: unknown): v is Tensor => v instanceof Tensor;
const asT = (v: TensorOrScalar, like: TensorOrScalar): Tensor => (isT(v) ? v : tensor(v, isT(like) ? { device: like.device } : {}));
const promoted = (xs: readonly TensorOrScalar[]): dt.DType =>
  dt.result_type(...xs.map((v) => (isT(v) ? { dtype: v.dtype, dim: v.dim() } : v)));

/**
 * `torch.float_power(input, exponent)`: pow computed in float64 (the result is always float64).
 * @example torch.float_power(torch.tensor([1, 2, 3]), 2) // tensor([1., 4., 9.], dtype=torch.float64)
 */
export function float_power(x: TensorOrScalar, e: TensorOrScalar): Tensor {
  if (!isT(x) && !isT(e)) throw new TypeError('float_power() received an invalid combination of arguments - got (number, number)');
  const base = asT(x, e).to(dt.float64);
  return base.pow(isT(e) ? e.to(dt.float64) : +e);
}

/** `x.float_power_(exponent)`: in place, only on float64 tensors (PyTorch's rule). */
export function checkFloatPowerInplace(x: Tensor): void {
  if (x.dtype !== dt.float64) {
    throw new RuntimeError(
      `the base given to float_power_ has dtype ${cTypeName(x.dtype)} but the operation's result requires dtype Double`,
    );
  }
}

/**
 * `torch.copysign(input, other)`: |input| with the sign bit of `other` (-0.0 counts as negative).
 * The result is floating point.
 * @example torch.copysign(torch.tensor([1, 2]), -1) // tensor([-1., -2.])
 */
export function copysign(x: Tensor, other: TensorOrScalar): Tensor {
  let d = promoted([x, other]);
  if (!d.is_floating_point) d = dt.get_default_dtype();
  const r = no_grad(() => {
    const a = x.to(d).abs();
    const neg = isT(other) ? other.signbit() : tensor(+other, { dtype: dt.float64, device: x.device }).signbit();
    return a.where(neg.logical_not(), a.neg());
  });
  // PyTorch's backward: grad * result / self (0 where self is 0) for self, zeros for other
  const xShape = x._shape.slice();
  record('CopysignBackward0', [x, other], [r], [x, r], ([g], [xs, rs]) => [
    sumTo(g!.mul(rs!.div(xs!).masked_fill(xs!.eq(0), 0)), xShape),
    isT(other) ? other.new_zeros(other._shape) : null,
  ]);
  return r;
}

/**
 * `torch.heaviside(input, values)`: 0 where input < 0, `values` where input == 0, 1 where > 0.
 * Both must be tensors of the same dtype; not differentiable.
 * @example torch.heaviside(torch.tensor([-1, 0, 2]), torch.tensor(7)) // tensor([0, 7, 1])
 */
export function heaviside(x: Tensor, values: Tensor): Tensor {
  if (!isT(values)) {
    throw new TypeError(`heaviside(): argument 'values' (position 2) must be Tensor, not ${Number.isInteger(values) ? 'int' : 'float'}`);
  }
  if (x.dtype !== values.dtype) throw new RuntimeError('heaviside is not yet implemented for tensors with different dtypes.');
  const r = x.gt(0).to(x.dtype).where(x.ne(0), values).detach();
  // PyTorch defines no derivative for heaviside either: backward raises its message, deliberately
  record('HeavisideBackward0', [x, values], [r], [], () => {
    throw new RuntimeError('derivative for aten::heaviside is not implemented');
  });
  return r;
}

/**
 * `torch.deg2rad(input)`: degrees to radians; integers give the default float dtype.
 * @example torch.deg2rad(torch.tensor([180])) // tensor([3.1416])
 */
export function deg2rad(x: Tensor): Tensor {
  return asNode('Deg2RadBackward0', (x.dtype.is_floating_point ? x : x.to(dt.get_default_dtype())).mul(Math.PI / 180));
}

/**
 * `torch.rad2deg(input)`: radians to degrees; integers give the default float dtype.
 * @example torch.rad2deg(torch.tensor([Math.PI])) // tensor([180.])
 */
export function rad2deg(x: Tensor): Tensor {
  return asNode('Rad2DegBackward0', (x.dtype.is_floating_point ? x : x.to(dt.get_default_dtype())).mul(180 / Math.PI));
}

const F32_MAX = 3.4028234663852886e38;

export interface NanToNumOptions { nan?: number; posinf?: number | null; neginf?: number | null }

/**
 * `torch.nan_to_num(input, nan=0.0, posinf=None, neginf=None)`: NaN, +inf and -inf replaced by
 * the given values (±inf default to the dtype's largest finite values). Integer and bool tensors
 * come back as a copy. The gradient is zero where a value was replaced.
 * @example torch.nan_to_num(torch.tensor([NaN, Infinity, 1]), {nan: 0, posinf: 9}) // tensor([0., 9., 1.])
 */
export function nan_to_num(
  x: Tensor, nan?: number | null | NanToNumOptions, posinf?: number | null | NanToNumOptions, neginf?: number | null | NanToNumOptions,
): Tensor {
  const args = [nan, posinf, neginf];
  const kw = args.find((a): a is NanToNumOptions => typeof a === 'object' && a !== null) ?? {};
  const pos = (i: number): number | null | undefined => {
    const v = args[i];
    return typeof v === 'object' && v !== null ? undefined : v;
  };
  const nanV = pos(0) ?? kw.nan ?? 0;
  if (!x.dtype.is_floating_point) return x.clone();
  const big = x.dtype === dt.float32 ? F32_MAX : Number.MAX_VALUE;
  const posV = pos(1) ?? kw.posinf ?? big;
  const negV = pos(2) ?? kw.neginf ?? -big;
  return asNode('NanToNumBackward0', x.masked_fill(x.isnan(), nanV).masked_fill(x.isposinf(), posV).masked_fill(x.isneginf(), negV));
}

/**
 * `torch.rsub(input, other, alpha=1)`: other - alpha * input.
 * @example torch.rsub(torch.tensor([1, 2]), 10) // tensor([9, 8])
 */
export function rsub(x: Tensor, other: TensorOrScalar, alpha?: number | { alpha?: number }): Tensor {
  const a = typeof alpha === 'object' ? (alpha.alpha ?? 1) : (alpha ?? 1);
  return asNode(isT(other) ? 'RsubBackward0' : 'RsubBackward1', asT(other, x).sub(x, { alpha: a }));
}

/**
 * `torch.isreal(input)`: true everywhere, as torchlab has no complex dtypes.
 * @example torch.isreal(torch.tensor([1, 2])) // tensor([True, True])
 */
export function isreal(x: Tensor): Tensor {
  return x.new_ones(x._shape, { dtype: dt.bool });
}

// ---- bitwise ----

type BitOp = 'and' | 'or' | 'xor';

function bitKernelName(op: string, d: dt.DType): RuntimeError {
  return new RuntimeError(`"bitwise_${op}_cpu" not implemented for '${cTypeName(d)}'`);
}

/** Two's-complement bit patterns of integers (int64 through BigInt: stored values are exact up to 2^53). */
function bitwiseHost(a: Tensor, b: Tensor, op: BitOp, dtype: dt.DType): Tensor {
  const shape = broadcastShapes(a._shape, b._shape);
  const av = readValues(a.to(dtype).expand(shape));
  const bv = readValues(b.to(dtype).expand(shape));
  const out = new dtype.array(av.length);
  const wide = dtype === dt.int64;
  for (let i = 0; i < av.length; i++) {
    if (wide) {
      const x = BigInt(av[i]!);
      const y = BigInt(bv[i]!);
      out[i] = Number(BigInt.asIntN(64, op === 'and' ? x & y : op === 'or' ? x | y : x ^ y));
    } else {
      const x = av[i]!;
      const y = bv[i]!;
      out[i] = op === 'and' ? x & y : op === 'or' ? x | y : x ^ y;
    }
  }
  return fromValues(out, shape, dtype, a.device);
}

function bitwise(op: BitOp, x: Tensor, other: TensorOrScalar): Tensor {
  const d = promoted([x, other]);
  if (d.is_floating_point) throw bitKernelName(op, d);
  const o = asT(other, x);
  if (d === dt.bool) return op === 'and' ? x.logical_and(o) : op === 'or' ? x.logical_or(o) : x.logical_xor(o);
  return bitwiseHost(x, o, op, d);
}

/**
 * `torch.bitwise_and(input, other)`: `&` on bool and integer tensors.
 * Integer bit patterns are computed on the host (also for 'cuda' tensors).
 * @example torch.bitwise_and(torch.tensor([12, 10]), 6) // tensor([4, 2])
 */
export function bitwise_and(x: Tensor, other: TensorOrScalar): Tensor {
  return bitwise('and', x, other);
}
/** `torch.bitwise_or(input, other)`: `|` on bool and integer tensors. @example torch.bitwise_or(torch.tensor([12]), 3) // tensor([15]) */
export function bitwise_or(x: Tensor, other: TensorOrScalar): Tensor {
  return bitwise('or', x, other);
}
/** `torch.bitwise_xor(input, other)`: `^` on bool and integer tensors. @example torch.bitwise_xor(torch.tensor([12]), 10) // tensor([6]) */
export function bitwise_xor(x: Tensor, other: TensorOrScalar): Tensor {
  return bitwise('xor', x, other);
}

/**
 * `torch.bitwise_not(input)`: `~`: logical not on bool, two's complement on integers
 * (`-x - 1`, and `255 - x` for uint8).
 * @example torch.bitwise_not(torch.tensor([true, false])) // tensor([False,  True])
 */
export function bitwise_not(x: Tensor): Tensor {
  if (x.dtype.is_floating_point) throw new RuntimeError(`"bitwise_not_cpu" not implemented for '${cTypeName(x.dtype)}'`);
  if (x.dtype === dt.bool) return x.logical_not();
  if (x.dtype === dt.uint8) return x.neg().add(255);
  return x.neg().sub(1);
}

/** Whether `v` is an operand the bitwise ops accept as `other`. */
export type BitwiseOperand = Tensor | Scalar;
