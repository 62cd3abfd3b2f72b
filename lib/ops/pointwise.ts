/**
 * The elementwise op table. Each entry is the op's single definition: its PyTorch name, dtype
 * rule, the function in the scalar algebra (interpreted by every backend), which operands its
 * backward needs, and the backward itself. Tensor methods, in-place `name_` variants and the
 * `torch.*` functions are installed from this table.
 */

import type { Algebra } from './algebra.js';
import type { PointwiseFn } from '../backend.js';
import * as dt from '../dtype.js';
import type { DType } from '../dtype.js';
import { backendFor } from '../device.js';
import { RuntimeError, pyTypeName } from '../errors.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { Tensor, type Scalar, type TensorOrScalar } from '../tensor.js';
import { broadcastView, emptyTensor, needsGrad, record, sameDevice, viewOf } from './dispatch.js';
import { sumTo } from './reduction.js';
import { is_grad_enabled } from '../autograd/grad_mode.js';
import { rebaseViewHistory } from '../autograd/node.js';

type Operand = Tensor | Scalar;
type F = <V>(A: Algebra<V>, ...xs: V[]) => V;

/** Result dtype rule: promote; promote then make floating; or compute promoted and return bool. */
type Kind = 'promote' | 'float' | 'bool';

export interface PointwiseDef {
  readonly name: string;
  /** grad_fn name, e.g. 'MulBackward0' */
  readonly node: string;
  readonly kind: Kind;
  readonly f: F;
  /** Operand indices the backward reads (index = operand count means the output), given which operands need grad. */
  readonly saves?: (req: boolean[]) => number[];
  /** One gradient per operand (null where none); numbers stay numbers. */
  readonly grad?: (g: Tensor, xs: Operand[], out: Tensor, params: readonly number[], need: readonly boolean[]) => (Tensor | null)[];
  /** Validates operands (dtype errors PyTorch raises). */
  readonly check?: (xs: Operand[]) => void;
  /** grad_fn name when the second operand is a tensor, where PyTorch names it differently. */
  readonly nodeT?: string;
  /** The second operand must be a tensor (PyTorch has no scalar overload). */
  readonly tensorOnly?: boolean;
  /** Operands without a graph edge (scalar exponents, masks), as PyTorch's overloads have none. */
  readonly noEdge?: (xs: readonly Operand[], i: number) => boolean;
  /** PyTorch's kernel name and the compute dtypes it rejects ("frac_cpu" not implemented for 'Long'). */
  readonly unsupported?: readonly [string, readonly dt.DTypeName[]];
}

const fnCache = new Map<F, PointwiseFn>();
function kernelOf(def: PointwiseDef): PointwiseFn {
  let k = fnCache.get(def.f);
  if (!k) fnCache.set(def.f, (k = { key: def.name, f: def.f }));
  return k;
}

const isT = (x: Operand | undefined): x is Tensor => x instanceof Tensor;

/**
 * PyTorch's casting rule for outputs: no float -> integral, no non-bool -> bool.
 * @example torch.can_cast(torch.float32, torch.int64) // false
 */
export function canCast(from: DType, to: DType): boolean {
  return from.category <= to.category;
}

const typeNames: Record<string, string> = {
  float32: 'Float', float64: 'Double', int32: 'Int', int64: 'Long', uint8: 'Byte', bool: 'Bool',
};
export const cTypeName = (d: DType): string => typeNames[d.name]!;

/** PyTorch's names of the operands where they are not (input, other), for argument errors. */
const OPERAND_NAMES: Record<string, readonly string[]> = {
  where: ['condition', 'input', 'other'],
  addcmul: ['input', 'tensor1', 'tensor2'],
  addcdiv: ['input', 'tensor1', 'tensor2'],
  lerp: ['input', 'end', 'weight'],
  clamp: ['input', 'min', 'max'],
};

/**
 * Runs a pointwise op: promotion, broadcasting, the kernel, and the autograd node.
 * With `out` (an in-place op's self) and no graph to record, writes into `out` directly.
 */
export function runPointwise(def: PointwiseDef, xs: Operand[], params: readonly number[] = [], out?: Tensor): Tensor {
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    if (!(x instanceof Tensor) && typeof x !== 'number' && typeof x !== 'boolean') {
      const arg = (OPERAND_NAMES[def.name] ?? ['input', 'other'])[k] ?? 'other';
      throw new TypeError(`${def.name}(): argument '${arg}' (position ${k + 1}) must be Tensor, not ${pyTypeName(x)}`);
    }
  }
  def.check?.(xs);
  if (def.tensorOnly && !isT(xs[1])) {
    throw new TypeError(`${def.name}(): argument 'other' (position 2) must be Tensor, not ${pyTypeName(xs[1])}`);
  }
  const tensors = xs.filter(isT);
  const device = sameDevice(tensors);
  let compute = dt.result_type(...xs.map((x) => (isT(x) ? { dtype: x.dtype, dim: x._shape.length } : x)));
  if (def.unsupported && def.unsupported[1].includes(compute.name)) {
    throw new RuntimeError(`"${def.unsupported[0]}" not implemented for '${cTypeName(compute)}'`);
  }
  if (def.kind === 'float' && !compute.is_floating_point) compute = dt.get_default_dtype();
  const outDtype = def.kind === 'bool' ? dt.bool : compute;
  const shape = tensors.length === 1 ? tensors[0]!._shape : broadcastShapes(...tensors.map((t) => t._shape));
  const grad = def.grad !== undefined && needsGrad(xs);
  if (out) {
    if (!sameShape(out._shape, shape)) {
      throw new RuntimeError(
        `output with shape [${out._shape.join(', ')}] doesn't match the broadcast shape [${shape.join(', ')}]`,
      );
    }
    if (!canCast(outDtype, out.dtype)) {
      throw new RuntimeError(`result type ${cTypeName(outDtype)} can't be cast to the desired output type ${cTypeName(out.dtype)}`);
    }
  }
  const direct = out !== undefined && !grad;
  const result = direct ? out : emptyTensor(shape, outDtype, device, true);
  const inputs = xs.map((x) => (isT(x) ? broadcastView(x, shape) : dt.castScalar(+x, compute)));
  for (const p of params) inputs.push(p);
  backendFor(device).pointwise(kernelOf(def), viewOf(result), inputs);
  if (direct) result._storage.version++;
  if (grad) {
    const req = xs.map((x) => isT(x) && x.requires_grad);
    const savedIdx = def.saves ? def.saves(req) : [];
    // an in-place op is about to overwrite self: its backward needs self's old value
    const vs = out && savedIdx.some((i) => xs[i] === out) ? xs.map((x) => (x === out ? out.clone() : x)) : xs;
    const saved = savedIdx.map((i) => (i === xs.length ? result : (vs[i] as Tensor))).filter(isT);
    // the graph has an edge per differentiable operand, as PyTorch's node for this overload has
    const edges = xs.map((_, i) => i).filter((i) => !def.noEdge?.(xs, i));
    record(def.nodeT && isT(xs[1]) ? def.nodeT : def.node, edges.map((i) => xs[i]), [result], saved, (grads) => {
      const g = grads[0]!;
      const gs = def.grad!(g, vs, result, params, req);
      return edges.map((i) => {
        const x = xs[i]!;
        const gi = gs[i];
        if (!isT(x) || !x.requires_grad || !gi) return null;
        let r = sumTo(gi, x._shape);
        if (r.dtype !== x.dtype) r = r.to(x.dtype);
        return r;
      });
    });
  }
  return result;
}

// ---- the table ----

const L = Math.LN2;
const L10 = Math.LN10;
const none = (): number[] => [];
const selfOnly = (): number[] => [0];
const outOnly = (n: number) => (): number[] => [n];
/** binary ops whose grad w.r.t. each side reads the other */
const crossed = (req: boolean[]): number[] => [...(req[1] ? [0] : []), ...(req[0] ? [1] : [])];
const both = (): number[] => [0, 1];

function u(name: string, kind: Kind, f: F, saves?: (req: boolean[]) => number[], grad?: (g: Tensor, x: Tensor, y: Tensor) => Tensor | null, node?: string): PointwiseDef {
  return {
    name,
    node: node ?? `${name[0]!.toUpperCase()}${name.slice(1)}Backward0`,
    kind,
    f,
    ...(saves ? { saves } : {}),
    ...(grad ? { grad: (g: Tensor, xs: Operand[], y: Tensor) => [grad(g, xs[0] as Tensor, y)] } : {}),
  };
}

const zerosGrad = (g: Tensor): Tensor => g.mul(0);

/**
 * relu's gradient in one pass, as PyTorch's threshold_backward: 0 where the output is <= 0, the
 * incoming gradient elsewhere (also where the output is NaN); its own gradient for double backward.
 */
const thresholdBackward: PointwiseDef = {
  name: 'threshold_backward',
  node: 'ThresholdBackwardBackward0',
  kind: 'promote',
  f: (A, g, y) => A.where(A.le(y, A.c(0)), A.c(0), g),
  saves: () => [1],
  grad: (gg, [, y]) => [runPointwise(thresholdBackward, [gg, y as Tensor]), null],
};

export const unaryNames = [
  'neg', 'negative', 'abs', 'sign', 'sgn', 'exp', 'exp2', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'trunc', 'fix', 'round', 'frac', 'isnan', 'isfinite', 'isinf', 'isposinf', 'isneginf', 'signbit', 'logical_not',
] as const;
export type UnaryName = (typeof unaryNames)[number];

/** Unary ops: `x.name()`, `x.name_()`, `torch.name(x)`. */
export const unaryOps: Record<UnaryName, PointwiseDef> = {
  /**
   * `torch.neg(input)`, `x.neg()`, `x.neg_()`: -x elementwise (Python's `-x`).
   * @example torch.tensor([1, -2]).neg() // tensor([-1,  2])
   */
  neg: u('neg', 'promote', (A, x) => A.neg(x), none, (g) => g.neg()),
  /** `torch.negative(input)`: an alias of `neg`. @example torch.tensor([1, -2]).negative() // tensor([-1,  2]) */
  negative: u('negative', 'promote', (A, x) => A.neg(x), none, (g) => g.neg(), 'NegBackward0'),
  /** `torch.abs(input)`, `x.abs()`, `x.abs_()`: |x| elementwise. @example torch.tensor([-1, 2]).abs() // tensor([1, 2]) */
  abs: u('abs', 'promote', (A, x) => A.abs(x), selfOnly, (g, x) => g.mul(x.sgn())),
  /**
   * `torch.sign(input)`: -1, 0 or 1 by the sign of each element (gradient zero).
   * @example torch.tensor([-3, 0, 2]).sign() // tensor([-1,  0,  1])
   */
  sign: u('sign', 'promote', (A, x) => A.sign(x), none, zerosGrad),
  /**
   * `torch.sgn(input)`: `sign` (PyTorch's extension to complex numbers; no complex dtypes here).
   * @example torch.tensor([-3, 0, 2]).sgn() // tensor([-1,  0,  1])
   */
  sgn: u('sgn', 'promote', (A, x) => A.sign(x), none, zerosGrad),
  /** `torch.exp(input)`: eˣ elementwise (floating result). @example torch.tensor([0, 1]).exp() // tensor([1.0000, 2.7183]) */
  exp: u('exp', 'float', (A, x) => A.exp(x), outOnly(1), (g, _x, y) => g.mul(y)),
  /** `torch.exp2(input)`: 2ˣ elementwise (floating result). @example torch.tensor([0, 3]).exp2() // tensor([1., 8.]) */
  exp2: u('exp2', 'float', (A, x) => A.pow(A.c(2), x), outOnly(1), (g, _x, y) => g.mul(y).mul(L)),
  /** `torch.expm1(input)`: eˣ - 1, accurate for small x. @example torch.tensor([0]).expm1() // tensor([0.]) */
  expm1: u('expm1', 'float', (A, x) => A.expm1(x), outOnly(1), (g, _x, y) => g.mul(y.add(1))),
  /**
   * `torch.log(input)`: the natural logarithm (floating result; -inf at 0, NaN below).
   * @example torch.tensor([1, 4]).log() // tensor([0.0000, 1.3863])
   */
  log: u('log', 'float', (A, x) => A.log(x), selfOnly, (g, x) => g.div(x)),
  /** `torch.log1p(input)`: log(1 + x), accurate for small x. @example torch.tensor([0]).log1p() // tensor([0.]) */
  log1p: u('log1p', 'float', (A, x) => A.log1p(x), selfOnly, (g, x) => g.div(x.add(1)), 'Log1PBackward0'),
  /** `torch.log2(input)`: the base-2 logarithm. @example torch.tensor([1, 8]).log2() // tensor([0., 3.]) */
  log2: u('log2', 'float', (A, x) => A.log2(x), selfOnly, (g, x) => g.div(x.mul(L))),
  /** `torch.log10(input)`: the base-10 logarithm. @example torch.tensor([1, 100]).log10() // tensor([0., 2.]) */
  log10: u('log10', 'float', (A, x) => A.log10(x), selfOnly, (g, x) => g.div(x.mul(L10))),
  /**
   * `torch.sqrt(input)`: the square root (floating result; NaN below 0).
   * @example torch.tensor([4, 9]).sqrt() // tensor([2., 3.])
   */
  sqrt: u('sqrt', 'float', (A, x) => A.sqrt(x), outOnly(1), (g, _x, y) => g.div(y.mul(2))),
  /** `torch.rsqrt(input)`: 1 / sqrt(x). @example torch.tensor([4]).rsqrt() // tensor([0.5000]) */
  rsqrt: u('rsqrt', 'float', (A, x) => A.div(A.c(1), A.sqrt(x)), outOnly(1), (g, _x, y) => g.mul(y.pow(3)).mul(-0.5)),
  /**
   * `torch.square(input)`: x * x, keeping integer dtypes (grad_fn PowBackward0, as in PyTorch).
   * @example torch.tensor([-2, 3]).square() // tensor([4, 9])
   */
  square: u('square', 'promote', (A, x) => A.mul(x, x), selfOnly, (g, x) => g.mul(x).mul(2), 'PowBackward0'),
  /**
   * `torch.reciprocal(input)`: 1 / x (floating result).
   * @example torch.tensor([2, 4]).reciprocal() // tensor([0.5000, 0.2500])
   */
  reciprocal: u('reciprocal', 'float', (A, x) => A.div(A.c(1), x), outOnly(1), (g, _x, y) => g.mul(y.mul(y)).neg()),
  /** `torch.sin(input)`: the sine, in radians. @example torch.tensor([0]).sin() // tensor([0.]) */
  sin: u('sin', 'float', (A, x) => A.sin(x), selfOnly, (g, x) => g.mul(x.cos())),
  /** `torch.cos(input)`: the cosine, in radians. @example torch.tensor([0]).cos() // tensor([1.]) */
  cos: u('cos', 'float', (A, x) => A.cos(x), selfOnly, (g, x) => g.mul(x.sin()).neg()),
  /** `torch.tan(input)`: the tangent, in radians. @example torch.tensor([0]).tan() // tensor([0.]) */
  tan: u('tan', 'float', (A, x) => A.tan(x), outOnly(1), (g, _x, y) => g.mul(y.mul(y).add(1))),
  /** `torch.asin(input)`: the arcsine (NaN outside [-1, 1]). @example torch.tensor([1]).asin() // tensor([1.5708]) */
  asin: u('asin', 'float', (A, x) => A.asin(x), selfOnly, (g, x) => g.div(x.mul(x).neg().add(1).sqrt())),
  /** `torch.acos(input)`: the arccosine (NaN outside [-1, 1]). @example torch.tensor([1]).acos() // tensor([0.]) */
  acos: u('acos', 'float', (A, x) => A.acos(x), selfOnly, (g, x) => g.div(x.mul(x).neg().add(1).sqrt()).neg()),
  /** `torch.atan(input)`: the arctangent. @example torch.tensor([1]).atan() // tensor([0.7854]) */
  atan: u('atan', 'float', (A, x) => A.atan(x), selfOnly, (g, x) => g.div(x.mul(x).add(1))),
  /** `torch.sinh(input)`: the hyperbolic sine. @example torch.tensor([0]).sinh() // tensor([0.]) */
  sinh: u('sinh', 'float', (A, x) => A.sinh(x), selfOnly, (g, x) => g.mul(x.cosh())),
  /** `torch.cosh(input)`: the hyperbolic cosine. @example torch.tensor([0]).cosh() // tensor([1.]) */
  cosh: u('cosh', 'float', (A, x) => A.cosh(x), selfOnly, (g, x) => g.mul(x.sinh())),
  /** `torch.tanh(input)`: the hyperbolic tangent, in (-1, 1). @example torch.tensor([0]).tanh() // tensor([0.]) */
  tanh: u('tanh', 'float', (A, x) => A.tanh(x), outOnly(1), (g, _x, y) => g.mul(y.mul(y).neg().add(1))),
  /** `torch.asinh(input)`: the inverse hyperbolic sine. @example torch.tensor([0]).asinh() // tensor([0.]) */
  asinh: u('asinh', 'float', (A, x) => A.asinh(x), selfOnly, (g, x) => g.div(x.mul(x).add(1).sqrt())),
  /** `torch.acosh(input)`: the inverse hyperbolic cosine (NaN below 1). @example torch.tensor([1]).acosh() // tensor([0.]) */
  acosh: u('acosh', 'float', (A, x) => A.acosh(x), selfOnly, (g, x) => g.div(x.mul(x).sub(1).sqrt())),
  /** `torch.atanh(input)`: the inverse hyperbolic tangent (±inf at ±1). @example torch.tensor([0]).atanh() // tensor([0.]) */
  atanh: u('atanh', 'float', (A, x) => A.atanh(x), selfOnly, (g, x) => g.div(x.mul(x).neg().add(1))),
  /** `torch.sigmoid(input)`: 1 / (1 + e⁻ˣ). @example torch.tensor([0]).sigmoid() // tensor([0.5000]) */
  sigmoid: u('sigmoid', 'float', (A, x) => A.div(A.c(1), A.add(A.c(1), A.exp(A.neg(x)))), outOnly(1), (g, _x, y) =>
    g.mul(y).mul(y.neg().add(1))),
  // max propagates NaN, as relu does
  /** `torch.relu(input)`: max(x, 0), keeping the dtype; NaN stays NaN. @example torch.tensor([-1, 2]).relu() // tensor([0, 2]) */
  relu: u('relu', 'promote', (A, x) => A.max(x, A.c(0)), outOnly(1), (g, _x, y) =>
    runPointwise(thresholdBackward, [g, y])),
  /** `torch.erf(input)`: the error function. @example torch.tensor([0]).erf() // tensor([0.]) */
  erf: u('erf', 'float', (A, x) => A.erf(x), selfOnly, (g, x) => g.mul(x.mul(x).neg().exp()).mul(2 / Math.sqrt(Math.PI))),
  /**
   * `torch.floor(input)`: rounds down (integers unchanged; gradient zero).
   * @example torch.tensor([-1.5, 1.5]).floor() // tensor([-2.,  1.])
   */
  floor: u('floor', 'promote', (A, x) => A.floor(x), none, zerosGrad),
  /** `torch.ceil(input)`: rounds up. @example torch.tensor([-1.5, 1.5]).ceil() // tensor([-1.,  2.]) */
  ceil: u('ceil', 'promote', (A, x) => A.ceil(x), none, zerosGrad),
  /** `torch.trunc(input)`: rounds toward zero. @example torch.tensor([-1.5, 1.5]).trunc() // tensor([-1.,  1.]) */
  trunc: u('trunc', 'promote', (A, x) => A.trunc(x), none, zerosGrad),
  /** `torch.fix(input)`: an alias of `trunc`. @example torch.tensor([-1.5, 1.5]).fix() // tensor([-1.,  1.]) */
  fix: u('fix', 'promote', (A, x) => A.trunc(x), none, zerosGrad, 'TruncBackward0'),
  /**
   * `torch.round(input)`: rounds half to even, as PyTorch. Differs from PyTorch: no `decimals` argument.
   * @example torch.tensor([0.5, 1.5, 2.5]).round() // tensor([0., 2., 2.])
   */
  round: u('round', 'promote', (A, x) => A.round(x), none, zerosGrad),
  /**
   * `torch.frac(input)`: x - trunc(x) (floating point only).
   * @example torch.tensor([-1.25, 2.5]).frac() // tensor([-0.2500,  0.5000])
   */
  frac: { ...u('frac', 'promote', (A, x) => A.sub(x, A.trunc(x)), none, (g) => g), unsupported: ['frac_cpu', ['bool', 'uint8', 'int32', 'int64']] },
  /** `torch.isnan(input)`: true where an element is NaN. @example torch.tensor([1, NaN]).isnan() // tensor([False,  True]) */
  isnan: u('isnan', 'bool', (A, x) => A.isnan(x)),
  /**
   * `torch.isfinite(input)`: true where an element is neither NaN nor ±inf.
   * @example torch.tensor([1, Infinity, NaN]).isfinite() // tensor([ True, False, False])
   */
  isfinite: u('isfinite', 'bool', (A, x) => A.isfinite(x)),
  /**
   * `torch.isinf(input)`: true where an element is ±inf.
   * @example torch.tensor([1, -Infinity]).isinf() // tensor([False,  True])
   */
  isinf: u('isinf', 'bool', (A, x) => A.and(A.not(A.isfinite(x)), A.not(A.isnan(x)))),
  /**
   * `torch.isposinf(input)`: true where an element is +inf.
   * @example torch.tensor([Infinity, -Infinity]).isposinf() // tensor([ True, False])
   */
  isposinf: u('isposinf', 'bool', (A, x) => A.eq(x, A.c(Infinity))),
  /**
   * `torch.isneginf(input)`: true where an element is -inf.
   * @example torch.tensor([Infinity, -Infinity]).isneginf() // tensor([False,  True])
   */
  isneginf: u('isneginf', 'bool', (A, x) => A.eq(x, A.c(-Infinity))),
  /**
   * `torch.signbit(input)`: true where the sign bit is set (negative numbers and -0).
   * @example torch.tensor([-1, 0, 1]).signbit() // tensor([ True, False, False])
   */
  signbit: u('signbit', 'bool', (A, x) => A.or(A.lt(x, A.c(0)), A.lt(A.div(A.c(1), x), A.c(0)))),
  /**
   * `torch.logical_not(input)`: true where an element is zero (Python's `~mask` on a bool tensor).
   * @example torch.tensor([true, false]).logical_not() // tensor([False,  True])
   */
  logical_not: u('logical_not', 'bool', (A, x) => A.not(x)),
};


function b(
  name: string,
  kind: Kind,
  f: F,
  saves?: (req: boolean[]) => number[],
  grad?: (g: Tensor, a: Operand, c: Operand, y: Tensor, need: readonly boolean[]) => [Tensor | null, Tensor | null],
  node?: string,
  extra: Partial<PointwiseDef> = {},
): PointwiseDef {
  return {
    name,
    node: node ?? `${name[0]!.toUpperCase()}${name.slice(1)}Backward0`,
    kind,
    f,
    ...(saves ? { saves } : {}),
    ...(grad ? { grad: (g: Tensor, xs: Operand[], y: Tensor, _p: readonly number[], need: readonly boolean[]) => grad(g, xs[0]!, xs[1]!, y, need) } : {}),
    ...extra,
  };
}
const tensorOnly = { tensorOnly: true } as const;
const scalarNoEdge = { noEdge: (xs: readonly Operand[], i: number) => i === 1 && !isT(xs[1]) } as const;
const noBool = (kernel: string) => ({ unsupported: [kernel, ['bool']] as const });

/** `a` as a tensor-or-number operand of tensor methods (numbers act as wrapped scalars). */
const mulBy = (g: Tensor, x: Operand): Tensor => g.mul(x as TensorOrScalar);

const cmp = (name: string, f: F): PointwiseDef => b(name, 'bool', f);

export const binaryNames = [
  'mul', 'multiply', 'true_divide', 'pow', 'remainder', 'fmod', 'atan2', 'maximum', 'minimum', 'fmax', 'fmin', 'hypot', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'logical_and', 'logical_or', 'logical_xor',
] as const;
export type BinaryName = (typeof binaryNames)[number];

/** Binary ops: `x.name(other)`, `x.name_(other)`, `torch.name(x, other)`. */
export const binaryOps: Record<BinaryName, PointwiseDef> = {
  // only the gradients some operand needs are computed: these are the hot ops of a training step
  /**
   * `torch.mul(input, other)`, `x.mul(other)`, `x.mul_(other)`: the elementwise product, broadcast, with
   * PyTorch's type promotion (Python's `x * other`).
   * @example torch.tensor([1, 2]).mul(3) // tensor([3, 6])
   */
  mul: b('mul', 'promote', (A, x, y) => A.mul(x, y), crossed, (g, x, y, _o, need) => [need[0] ? mulBy(g, y) : null, need[1] ? mulBy(g, x) : null]),
  /** `torch.multiply(input, other)`: an alias of `mul`. @example torch.tensor([1, 2]).multiply(3) // tensor([3, 6]) */
  multiply: b('multiply', 'promote', (A, x, y) => A.mul(x, y), crossed, (g, x, y, _o, need) => [need[0] ? mulBy(g, y) : null, need[1] ? mulBy(g, x) : null], 'MulBackward0'),
  /**
   * `torch.true_divide(input, other)`: `div` without rounding (floating result).
   * @example torch.tensor([1, 2]).true_divide(2) // tensor([0.5000, 1.0000])
   */
  true_divide: b('true_divide', 'float', (A, x, y) => A.div(x, y), both, (g, x, y, _o, need) => divGrad(g, x, y, need), 'DivBackward0'),
  /**
   * `torch.pow(input, exponent)`: x raised to a number or tensor power, broadcast (Python's `x ** e`);
   * integers to negative integer powers raise.
   * @example torch.tensor([1, 2, 3]).pow(2) // tensor([1, 4, 9])
   */
  pow: b('pow', 'promote', (A, x, y) => A.pow(x, y), both, (g, x, y, out) => [
    isT(y) || y !== 0 ? powBase(g, x, y) : g.mul(0),
    isT(y) ? g.mul(out).mul(toT(x, g).log().masked_fill(toT(x, g).eq(0).logical_and(y.ge(0)), 0)) : null,
  ], undefined, { check: checkIntPow, nodeT: 'PowBackward1', ...noBool('pow'), ...scalarNoEdge }),
  /**
   * `torch.remainder(input, other)`: the remainder with the sign of the divisor (Python's `%`).
   * @example torch.tensor([-3, 3]).remainder(2) // tensor([1, 1])
   */
  remainder: b('remainder', 'promote', (A, x, y) => {
    // Python's modulo: the result has the sign of the divisor
    const r = A.fmod(x, y);
    return A.where(A.and(A.ne(r, A.c(0)), A.ne(A.lt(r, A.c(0)), A.lt(y, A.c(0)))), A.add(r, y), r);
  }, both, (g, x, y) => [g, isT(y) ? g.mul(toT(x, g).div(y, { rounding_mode: 'floor' })).neg() : null], undefined,
  { nodeT: 'RemainderBackward1', ...noBool('remainder_cpu'), ...scalarNoEdge }),
  /**
   * `torch.fmod(input, other)`: the remainder with the sign of the dividend (C's fmod).
   * @example torch.tensor([-3, 3]).fmod(2) // tensor([-1,  1])
   */
  fmod: b('fmod', 'promote', (A, x, y) => A.fmod(x, y), both, (g, x, y) => [g, isT(y) ? g.mul(toT(x, g).div(y, { rounding_mode: 'trunc' })).neg() : null],
    undefined, { nodeT: 'FmodBackward1', ...noBool('fmod_cpu'), ...scalarNoEdge }),
  /**
   * `torch.atan2(input, other)`: the angle of (other, input) in radians, quadrant-aware.
   * @example torch.tensor([1]).atan2(torch.tensor([0])) // tensor([1.5708])
   */
  atan2: b('atan2', 'float', (A, x, y) => A.atan2(x, y), both, (g, x, y) => {
    const xt = toT(x, g);
    const d = xt.mul(xt).add(mulSelf(y));
    return [g.mul(y as TensorOrScalar).div(d), isT(y) ? g.mul(xt).div(d).neg() : null];
  }, undefined, tensorOnly),
  /**
   * `torch.maximum(input, other)`: the elementwise maximum of two tensors (NaN propagates).
   * @example torch.tensor([1, 5]).maximum(torch.tensor([3, 2])) // tensor([3, 5])
   */
  maximum: b('maximum', 'promote', (A, x, y) => A.max(x, y), both, (g, x, y) => minmaxGrad(g, x, y, 'gt'), undefined, tensorOnly),
  /**
   * `torch.minimum(input, other)`: the elementwise minimum of two tensors (NaN propagates).
   * @example torch.tensor([1, 5]).minimum(torch.tensor([3, 2])) // tensor([1, 2])
   */
  minimum: b('minimum', 'promote', (A, x, y) => A.min(x, y), both, (g, x, y) => minmaxGrad(g, x, y, 'lt'), undefined, tensorOnly),
  /**
   * `torch.fmax(input, other)`: the elementwise maximum, ignoring NaN where the other side is a number.
   * @example torch.tensor([1, NaN]).fmax(torch.tensor([0, 2])) // tensor([1., 2.])
   */
  fmax: b('fmax', 'promote', (A, x, y) => A.where(A.isnan(y), x, A.where(A.isnan(x), y, A.max(x, y))), both,
    (g, x, y) => minmaxGrad(g, x, y, 'gt'), undefined, tensorOnly),
  /**
   * `torch.fmin(input, other)`: the elementwise minimum, ignoring NaN where the other side is a number.
   * @example torch.tensor([1, NaN]).fmin(torch.tensor([0, 2])) // tensor([0., 2.])
   */
  fmin: b('fmin', 'promote', (A, x, y) => A.where(A.isnan(y), x, A.where(A.isnan(x), y, A.min(x, y))), both,
    (g, x, y) => minmaxGrad(g, x, y, 'lt'), undefined, tensorOnly),
  /**
   * `torch.hypot(input, other)`: sqrt(x² + other²) (floating point only).
   * @example torch.tensor([3.5]).hypot(torch.tensor([12])) // tensor([12.5000])
   */
  hypot: b('hypot', 'promote', (A, x, y) => A.sqrt(A.add(A.mul(x, x), A.mul(y, y))), both, (g, x, y, out) => [
    g.mul(x as TensorOrScalar).div(out), isT(y) ? g.mul(y).div(out) : null], undefined,
    { ...tensorOnly, unsupported: ['hypot_cpu', ['bool', 'uint8', 'int32', 'int64']] }),
  /**
   * `torch.eq(input, other)`: elementwise `==` as a bool tensor (Python's `x == other`; in TypeScript
   * `==` compares identity).
   * @example torch.tensor([1, 2]).eq(2) // tensor([False,  True])
   */
  eq: cmp('eq', (A, x, y) => A.eq(x, y)),
  /**
   * `torch.ne(input, other)`: elementwise `!=` as a bool tensor.
   * @example torch.tensor([1, 2]).ne(2) // tensor([ True, False])
   */
  ne: cmp('ne', (A, x, y) => A.ne(x, y)),
  /** `torch.lt(input, other)`: elementwise `<` as a bool tensor. @example torch.tensor([1, 2]).lt(2) // tensor([ True, False]) */
  lt: cmp('lt', (A, x, y) => A.lt(x, y)),
  /**
   * `torch.le(input, other)`: elementwise `<=` as a bool tensor.
   * @example torch.tensor([1, 3]).le(2) // tensor([ True, False])
   */
  le: cmp('le', (A, x, y) => A.le(x, y)),
  /** `torch.gt(input, other)`: elementwise `>` as a bool tensor. @example torch.tensor([1, 3]).gt(2) // tensor([False,  True]) */
  gt: cmp('gt', (A, x, y) => A.gt(x, y)),
  /**
   * `torch.ge(input, other)`: elementwise `>=` as a bool tensor.
   * @example torch.tensor([1, 2]).ge(2) // tensor([False,  True])
   */
  ge: cmp('ge', (A, x, y) => A.ge(x, y)),
  /** `torch.not_equal(input, other)`: an alias of `ne`. @example torch.tensor([1, 2]).not_equal(2) // tensor([ True, False]) */
  not_equal: cmp('not_equal', (A, x, y) => A.ne(x, y)),
  /** `torch.less(input, other)`: an alias of `lt`. @example torch.tensor([1, 2]).less(2) // tensor([ True, False]) */
  less: cmp('less', (A, x, y) => A.lt(x, y)),
  /** `torch.less_equal(input, other)`: an alias of `le`. @example torch.tensor([1, 3]).less_equal(2) // tensor([ True, False]) */
  less_equal: cmp('less_equal', (A, x, y) => A.le(x, y)),
  /** `torch.greater(input, other)`: an alias of `gt`. @example torch.tensor([1, 3]).greater(2) // tensor([False,  True]) */
  greater: cmp('greater', (A, x, y) => A.gt(x, y)),
  /**
   * `torch.greater_equal(input, other)`: an alias of `ge`.
   * @example torch.tensor([1, 2]).greater_equal(2) // tensor([False,  True])
   */
  greater_equal: cmp('greater_equal', (A, x, y) => A.ge(x, y)),
  /**
   * `torch.logical_and(input, other)`: true where both are nonzero (Python's `a & b` on masks).
   * @example torch.tensor([true, true]).logical_and(torch.tensor([true, false])) // tensor([ True, False])
   */
  logical_and: { ...cmp('logical_and', (A, x, y) => A.and(x, y)), ...tensorOnly },
  /**
   * `torch.logical_or(input, other)`: true where either is nonzero (Python's `a | b` on masks).
   * @example torch.tensor([true, false]).logical_or(torch.tensor([false, false])) // tensor([ True, False])
   */
  logical_or: { ...cmp('logical_or', (A, x, y) => A.or(x, y)), ...tensorOnly },
  /**
   * `torch.logical_xor(input, other)`: true where exactly one is nonzero (Python's `a ^ b` on masks).
   * @example torch.tensor([true, true]).logical_xor(torch.tensor([true, false])) // tensor([False,  True])
   */
  logical_xor: { ...cmp('logical_xor', (A, x, y) => A.xor(x, y)), ...tensorOnly },
};


function toT(x: Operand, like: Tensor): Tensor {
  return isT(x) ? x : like.new_full([], +x);
}
function mulSelf(y: Operand): TensorOrScalar {
  return isT(y) ? y.mul(y) : +y * +y;
}
function divGrad(g: Tensor, x: Operand, y: Operand, need: readonly boolean[]): [Tensor | null, Tensor | null] {
  const gx = need[0] ? g.div(y as TensorOrScalar) : null;
  if (!isT(y) || !need[1]) return [gx, null];
  return [gx, g.mul(toT(x, g)).div(y.mul(y)).neg()];
}
function powBase(g: Tensor, x: Operand, y: Operand): Tensor {
  const xt = toT(x, g);
  const e = isT(y) ? y : +y;
  return g.mul(e).mul(xt.pow(isT(e) ? e.sub(1) : e - 1));
}
function minmaxGrad(g: Tensor, x: Operand, y: Operand, op: 'gt' | 'lt'): [Tensor | null, Tensor | null] {
  const xt = toT(x, g);
  const yv = y as TensorOrScalar;
  const win = xt[op](yv).to(g.dtype);
  const tie = xt.eq(yv).to(g.dtype).mul(0.5);
  const wx = win.add(tie);
  return [g.mul(wx), isT(y) ? g.mul(wx.neg().add(1)) : null];
}
function checkIntPow(xs: Operand[]): void {
  const [x, y] = xs;
  if (isT(x) && !x.dtype.is_floating_point && typeof y === 'number' && Number.isInteger(y) && y < 0) {
    throw new RuntimeError('Integers to negative integer powers are not allowed.');
  }
}

// ---- ops with extra arguments, written with the same runner ----

const addDef: PointwiseDef = {
  name: 'add', node: 'AddBackward0', kind: 'promote',
  f: (A, x, y, alpha) => A.add(x, A.mul(y, alpha)),
  saves: none,
  grad: (g, _xs, _y, [alpha]) => [g, alpha === 1 ? g : g.mul(alpha!)],
};
const subDef: PointwiseDef = {
  name: 'sub', node: 'SubBackward0', kind: 'promote',
  f: (A, x, y, alpha) => A.sub(x, A.mul(y, alpha)),
  saves: none,
  grad: (g, _xs, _y, [alpha], need) => [g, need[1] ? g.mul(-alpha!) : null],
  check: (xs) => {
    const isBool = (x: Operand) => (isT(x) ? x.dtype === dt.bool : typeof x === 'boolean');
    if (xs.every(isBool)) {
      throw new RuntimeError(
        'Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.',
      );
    }
    if (xs.some(isBool)) {
      throw new RuntimeError(
        'Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.',
      );
    }
  },
};
const divDef: PointwiseDef = {
  name: 'div', node: 'DivBackward0', kind: 'float',
  f: (A, x, y) => A.div(x, y), saves: both, grad: (g, [x, y], _o, _p, need) => divGrad(g, x!, y!, need),
};
const divTruncDef: PointwiseDef = { name: 'div_trunc', node: 'DivBackward1', kind: 'promote', f: (A, x, y) => A.trunc(A.div(x, y)), saves: none, grad: (g) => [g.mul(0), null] };
const divFloorDef: PointwiseDef = { name: 'div_floor', node: 'DivBackward1', kind: 'promote', f: (A, x, y) => A.floor(A.div(x, y)), saves: none, grad: (g) => [g.mul(0), null] };
const whereDef: PointwiseDef = {
  name: 'where', node: 'WhereBackward0', kind: 'promote',
  f: (A, c, x, y) => A.where(c, x, y),
  noEdge: (_xs, i) => i === 0,
  saves: () => [0],
  grad: (g, [c]) => [null, g.mul(c as Tensor), g.mul((c as Tensor).logical_not())],
};
const clampDef: PointwiseDef = {
  name: 'clamp', node: 'ClampBackward1', kind: 'promote',
  // NaN stays NaN; bounds are applied max-then-min as in PyTorch (min > max gives max)
  f: (A, x, lo, hi) => A.where(A.isnan(x), x, A.min(A.max(x, lo), hi)),
  saves: () => [0],
  grad: (g, [x], _y, [lo, hi]) => [g.mul((x as Tensor).ge(lo!).logical_and((x as Tensor).le(hi!))), null, null],
};
const clampTDef: PointwiseDef = {
  name: 'clamp', node: 'ClampBackward0', kind: 'promote',
  f: (A, x, lo, hi) => A.where(A.isnan(x), x, A.min(A.max(x, lo), hi)),
  saves: () => [0, 1, 2],
  grad: (g, [x, lo, hi]) => {
    const xt = x as Tensor;
    const inside = xt.ge(lo as TensorOrScalar).logical_and(xt.le(hi as TensorOrScalar));
    // where min > max the result is max, so max gets the gradient there (PyTorch's clamp_backward_min_max)
    return [
      g.mul(inside),
      isT(lo!) ? g.mul(xt.lt(lo).logical_and(lo.lt(hi as TensorOrScalar))) : null,
      isT(hi!) ? g.mul(xt.gt(hi).logical_or(hi.lt(lo as TensorOrScalar))) : null,
    ];
  },
};
const lerpF: F = (A, s, e, w) => A.add(s, A.mul(w, A.sub(e, s)));
const lerpDef: PointwiseDef = {
  name: 'lerp', node: 'LerpBackward0', kind: 'promote', f: lerpF, saves: none,
  grad: (g, _xs, _y, [w]) => [g.mul(1 - w!), g.mul(w!)],
};
const lerpTDef: PointwiseDef = {
  name: 'lerp', node: 'LerpBackward1', kind: 'promote', f: lerpF,
  saves: () => [0, 1, 2],
  grad: (g, [s, e, w]) => {
    const wt = w as Tensor;
    return [g.mul(wt.neg().add(1)), g.mul(wt), g.mul((e as Tensor).sub(s as Tensor))];
  },
};
const addcmulDef: PointwiseDef = {
  name: 'addcmul', node: 'AddcmulBackward0', kind: 'promote',
  f: (A, s, a, c, v) => A.add(s, A.mul(v, A.mul(a, c))),
  saves: () => [1, 2],
  grad: (g, [, a, c], _y, [v]) => [g, g.mul(c as Tensor).mul(v!), g.mul(a as Tensor).mul(v!)],
};
const addcdivDef: PointwiseDef = {
  name: 'addcdiv', node: 'AddcdivBackward0', kind: 'promote',
  f: (A, s, a, c, v) => A.add(s, A.mul(v, A.div(a, c))),
  saves: () => [1, 2],
  grad: (g, [, a, c], _y, [v]) => {
    const ct = c as Tensor;
    return [g, g.div(ct).mul(v!), g.mul(a as Tensor).div(ct.mul(ct)).mul(-v!)];
  },
};
const maskedFillDef: PointwiseDef = {
  name: 'masked_fill', node: 'MaskedFillBackward0', kind: 'promote',
  f: (A, x, m, v) => A.where(m, v, x),
  noEdge: (_xs, i) => i === 1,
  saves: () => [1],
  grad: (g, [, m, v]) => [g.masked_fill(m as Tensor, 0), null, isT(v!) ? g.mul(m as Tensor).sum() : null],
};

function checkAlpha(xs: Operand[], alpha: number): void {
  if (!Number.isInteger(alpha) && xs.every((x) => (isT(x) ? !x.dtype.is_floating_point : Number.isInteger(+x)))) {
    throw new RuntimeError('For integral input tensors, argument alpha must not be a floating point number.');
  }
}

export function add(x: Tensor, y: TensorOrScalar, alpha = 1, out?: Tensor): Tensor {
  if (alpha !== 1) checkAlpha([x, y], alpha);
  return runPointwise(addDef, [x, y], [alpha], out);
}
export function sub(x: Tensor, y: TensorOrScalar, alpha = 1, out?: Tensor): Tensor {
  if (alpha !== 1) checkAlpha([x, y], alpha);
  return runPointwise(subDef, [x, y], [alpha], out);
}
export function div(x: Tensor, y: TensorOrScalar, mode: 'floor' | 'trunc' | null = null, out?: Tensor): Tensor {
  if (mode === null) return runPointwise(divDef, [x, y], [], out);
  if (mode === 'trunc') return runPointwise(divTruncDef, [x, y], [], out);
  if (mode === 'floor') return runPointwise(divFloorDef, [x, y], [], out);
  throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
}
/** `torch.where(condition, input, other)`. */
export function where(cond: Tensor, x: TensorOrScalar, y: TensorOrScalar): Tensor {
  if (cond.dtype !== dt.bool) {
    throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${cTypeName(cond.dtype)}`);
  }
  return runPointwise(whereDef, [cond, x, y]);
}
export function clamp(x: Tensor, min: TensorOrScalar | null, max: TensorOrScalar | null, out?: Tensor): Tensor {
  if (min === null && max === null) throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  if (isT(min ?? 0) || isT(max ?? 0)) {
    return runPointwise(clampTDef, [x, min ?? -Infinity, max ?? Infinity], [], out);
  }
  // bounds are params: they must not take part in promotion, and ±Infinity must survive int dtypes
  const cast = (v: number) => (x.dtype.is_floating_point || !Number.isFinite(v) ? v : Math.trunc(v));
  return runPointwise(clampDef, [x], [cast(+(min ?? -Infinity)), cast(+(max ?? Infinity))], out);
}
export function lerp(s: Tensor, e: Tensor, w: TensorOrScalar, out?: Tensor): Tensor {
  return isT(w) ? runPointwise(lerpTDef, [s, e, w], [], out) : runPointwise(lerpDef, [s, e], [+w], out);
}
export function addcmul(s: Tensor, a: Tensor, c: Tensor, value = 1, out?: Tensor): Tensor {
  return runPointwise(addcmulDef, [s, a, c], [value], out);
}
export function addcdiv(s: Tensor, a: Tensor, c: Tensor, value = 1, out?: Tensor): Tensor {
  if (!a.dtype.is_floating_point && !c.dtype.is_floating_point) {
    throw new RuntimeError(
      'Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform a true division of tensor1 and tensor2.',
    );
  }
  return runPointwise(addcdivDef, [s, a, c], [value], out);
}
export function masked_fill(x: Tensor, mask: Tensor, value: TensorOrScalar, out?: Tensor): Tensor {
  if (mask.dtype !== dt.bool) {
    throw new RuntimeError(`masked_fill_ only supports boolean masks, but got mask with dtype ${mask.dtype.name}`);
  }
  if (isT(value) && value.dim() !== 0) {
    throw new RuntimeError(
      `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.dim()} dimension(s).`,
    );
  }
  // the value is cast to x's dtype: masked_fill never changes the dtype
  if (isT(value)) return runPointwise(maskedFillDef, [x, mask, value.to(x.dtype)], [], out);
  return runPointwise(maskedFillDef, [x, mask], [dt.castScalar(+value, x.dtype)], out);
}

// ---- methods and in-place variants from the table ----

export type PointwiseMethods = { [K in UnaryName]: () => Tensor } & { [K in UnaryName as `${K}_`]: () => Tensor } & {
  [K in BinaryName]: (other: TensorOrScalar) => Tensor;
} & { [K in BinaryName as `${K}_`]: (other: TensorOrScalar) => Tensor };

/** Applies a table op in place: writes into self when no graph is recorded, else rebases self. */
export function inplaceOp(self: Tensor, def: PointwiseDef, xs: Operand[]): Tensor {
  const r = runPointwise(def, xs, [], self);
  return r === self ? self : rebase(self, r);
}

/** Makes `self` hold `r`'s values and take its place in the graph (in-place ops under autograd). */
export function rebase(self: Tensor, r: Tensor): Tensor {
  if (self.is_leaf && self._requiresGrad && is_grad_enabled()) {
    throw new RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (self._base && self._base.is_leaf && self._base._requiresGrad && is_grad_enabled()) {
    throw new RuntimeError('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  }
  if (r === self) return self;
  if (!canCast(r.dtype, self.dtype)) {
    throw new RuntimeError(`result type ${cTypeName(r.dtype)} can't be cast to the desired output type ${cTypeName(self.dtype)}`);
  }
  backendFor(self.device).pointwise(identity, viewOf(self), [broadcastView(r, self._shape)]);
  self._storage.version++;
  if (r.grad_fn) {
    self.grad_fn = r.grad_fn;
    self._outputNr = r._outputNr;
    // writing through a view changes its base too: the base takes the op into its history
    if (self._base) rebaseViewHistory(self, self._base, r.grad_fn);
  }
  return self;
}
const identity: PointwiseFn = { key: 'identity', f: (_A, x) => x };

/** Installs the table's methods on Tensor.prototype (called once, by tensor.ts, after the class exists). */
export function installPointwise(): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const [name, def] of Object.entries(unaryOps)) {
    proto[name] = function (this: Tensor) {
      return runPointwise(def, [this]);
    };
    proto[`${name}_`] = function (this: Tensor) {
      return inplaceOp(this, def, [this]);
    };
  }
  for (const [name, def] of Object.entries(binaryOps)) {
    proto[name] = function (this: Tensor, other: TensorOrScalar) {
      return runPointwise(def, [this, other]);
    };
    proto[`${name}_`] = function (this: Tensor, other: TensorOrScalar) {
      return inplaceOp(this, def, [this, other]);
    };
  }
}

/** For the test that walks the registry. */
export function allPointwiseDefs(): PointwiseDef[] {
  return [...Object.values(unaryOps), ...Object.values(binaryOps), addDef, subDef, divDef, divTruncDef, divFloorDef, whereDef, clampDef, clampTDef, lerpDef, lerpTDef, addcmulDef, addcdivDef, maskedFillDef, thresholdBackward];
}
