/**
 * Activation functions of `nn.functional`. The ones the tensor op table lacks are elementwise
 * op definitions of their own (one kernel, one graph node named as PyTorch's, backward written
 * with tensor ops so double backward works), run by the same pointwise runner as the table.
 */

import type { DType } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import { needsGrad } from '../../ops/dispatch.js';
import { rebase, runPointwise, where, type PointwiseDef } from '../../ops/pointwise.js';
import { pyArgs } from '../_args.js';

const nonFloat = ['bool', 'uint8', 'int32', 'int64'] as const;
const floatOnly = (kernel: string): Pick<PointwiseDef, 'unsupported'> => ({ unsupported: [kernel, nonFloat] });
const selfOnly = (): number[] => [0];
const SQRT1_2 = Math.SQRT1_2;
const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

const leakyReluDef: PointwiseDef = {
  name: 'leaky_relu', node: 'LeakyReluBackward0', kind: 'promote',
  f: (A, x, slope) => A.where(A.gt(x, A.c(0)), x, A.mul(x, slope)),
  saves: selfOnly,
  grad: (g, [x], _y, [slope]) => [where((x as Tensor).gt(0), g, g.mul(slope!))],
  ...floatOnly('leaky_relu_cpu'),
};

const eluDef: PointwiseDef = {
  name: 'elu', node: 'EluBackward0', kind: 'promote',
  f: (A, x, alpha) => A.where(A.gt(x, A.c(0)), x, A.mul(alpha, A.expm1(x))),
  saves: selfOnly,
  grad: (g, [x], _y, [alpha]) => {
    const xt = x as Tensor;
    return [where(xt.gt(0), g, g.mul(xt.exp().mul(alpha!)))];
  },
  ...floatOnly('elu_cpu'),
};

const geluDef: PointwiseDef = {
  name: 'gelu', node: 'GeluBackward0', kind: 'promote',
  f: (A, x) => A.mul(A.mul(x, A.c(0.5)), A.add(A.c(1), A.erf(A.mul(x, A.c(SQRT1_2))))),
  saves: selfOnly,
  grad: (g, [x]) => {
    const xt = x as Tensor;
    const cdf = xt.mul(SQRT1_2).erf().add(1).mul(0.5);
    const pdf = xt.mul(xt).mul(-0.5).exp().mul(INV_SQRT_2PI);
    return [g.mul(cdf.add(xt.mul(pdf)))];
  },
  ...floatOnly('GeluKernelImpl'),
};

const geluTanhDef: PointwiseDef = {
  name: 'gelu', node: 'GeluBackward0', kind: 'promote',
  f: (A, x) => {
    const inner = A.mul(A.c(GELU_K), A.add(x, A.mul(A.c(GELU_C), A.mul(x, A.mul(x, x)))));
    return A.mul(A.mul(A.c(0.5), x), A.add(A.c(1), A.tanh(inner)));
  },
  saves: selfOnly,
  grad: (g, [x]) => {
    const xt = x as Tensor;
    const x2 = xt.mul(xt);
    const t = xt.add(x2.mul(xt).mul(GELU_C)).mul(GELU_K).tanh();
    const dInner = x2.mul(3 * GELU_C).add(1).mul(GELU_K);
    const d = t.add(1).mul(0.5).add(xt.mul(0.5).mul(t.mul(t).neg().add(1)).mul(dInner));
    return [g.mul(d)];
  },
  ...floatOnly('GeluKernelImpl'),
};

const siluDef: PointwiseDef = {
  name: 'silu', node: 'SiluBackward0', kind: 'promote',
  f: (A, x) => A.div(x, A.add(A.c(1), A.exp(A.neg(x)))),
  saves: selfOnly,
  grad: (g, [x]) => {
    const xt = x as Tensor;
    const s = xt.sigmoid();
    return [g.mul(s.mul(xt.mul(s.neg().add(1)).add(1)))];
  },
  ...floatOnly('silu_cpu'),
};

const softplusDef: PointwiseDef = {
  name: 'softplus', node: 'SoftplusBackward0', kind: 'promote',
  f: (A, x, beta, threshold) => {
    const bx = A.mul(x, beta);
    return A.where(A.gt(bx, threshold), x, A.div(A.log1p(A.exp(bx)), beta));
  },
  saves: selfOnly,
  grad: (g, [x], _y, [beta, threshold]) => {
    const bx = (x as Tensor).mul(beta!);
    return [where(bx.gt(threshold!), g, g.mul(bx.sigmoid()))];
  },
  ...floatOnly('softplus_cpu'),
};

const hardtanhDef: PointwiseDef = {
  name: 'hardtanh', node: 'HardtanhBackward0', kind: 'promote',
  // max/min propagate NaN, as clamp does
  f: (A, x, lo, hi) => A.min(A.max(x, lo), hi),
  saves: selfOnly,
  grad: (g, [x], _y, [lo, hi]) => {
    const xt = x as Tensor;
    return [g.mul(xt.gt(lo!).logical_and(xt.lt(hi!)))];
  },
};

/**
 * Runs an activation out of place, or in place: written straight into `x` when no graph is
 * recorded, else computed on a copy (so the node's saved input is not overwritten) and made x's.
 */
function activate(def: PointwiseDef, x: Tensor, params: number[], inplace: boolean): Tensor {
  if (!inplace) return runPointwise(def, [x], params);
  if (needsGrad([x])) return rebase(x, runPointwise(def, [x.clone()], params));
  const r = runPointwise(def, [x], params, x);
  return r === x ? x : rebase(x, r);
}

type InplaceOpts = { inplace?: boolean };
type LeakyOpts = { negative_slope?: number; inplace?: boolean };
type EluOpts = { alpha?: number; inplace?: boolean };
type GeluOpts = { approximate?: 'none' | 'tanh' };
type SoftplusOpts = { beta?: number; threshold?: number };
type HardtanhOpts = { min_val?: number; max_val?: number; inplace?: boolean };

const inplaceOf = (v: boolean | InplaceOpts | undefined): boolean => pyArgs<InplaceOpts>(['inplace'], [v]).inplace ?? false;

/**
 * `F.relu(input, inplace=False)`: max(0, x) (ReluBackward0).
 * @example F.relu(torch.tensor([-1, 2])) // tensor([0, 2])
 */
export function relu(input: Tensor, inplace?: boolean | InplaceOpts): Tensor {
  return inplaceOf(inplace) ? input.relu_() : input.relu();
}

/** `F.relu_(input)`: relu in place. @example F.relu_(h) // h changed in place and returned */
export function relu_(input: Tensor): Tensor {
  return input.relu_();
}

/**
 * `F.leaky_relu(input, negative_slope=0.01, inplace=False)`: x for x > 0, else slope * x.
 * @example F.leaky_relu(x, 0.2); F.leaky_relu(x, {negative_slope: 0.2})
 */
export function leaky_relu(input: Tensor, negative_slope?: number | LeakyOpts, inplace?: boolean | LeakyOpts): Tensor {
  const o = pyArgs<LeakyOpts>(['negative_slope', 'inplace'], [negative_slope, inplace]);
  return activate(leakyReluDef, input, [o.negative_slope ?? 0.01], o.inplace ?? false);
}

/** `F.leaky_relu_(input, negative_slope=0.01)`. @example F.leaky_relu_(h, 0.2) */
export function leaky_relu_(input: Tensor, negative_slope: number | LeakyOpts = 0.01): Tensor {
  const o = pyArgs<LeakyOpts>(['negative_slope'], [negative_slope]);
  return activate(leakyReluDef, input, [o.negative_slope ?? 0.01], true);
}

/**
 * `F.elu(input, alpha=1.0, inplace=False)`: x for x > 0, else alpha * (exp(x) - 1).
 * @example F.elu(x); F.elu(x, {alpha: 0.5})
 */
export function elu(input: Tensor, alpha?: number | EluOpts, inplace?: boolean | EluOpts): Tensor {
  const o = pyArgs<EluOpts>(['alpha', 'inplace'], [alpha, inplace]);
  return activate(eluDef, input, [o.alpha ?? 1], o.inplace ?? false);
}

/** `F.elu_(input, alpha=1.0)`. @example F.elu_(h, {alpha: 0.5}) */
export function elu_(input: Tensor, alpha: number | EluOpts = 1): Tensor {
  const o = pyArgs<EluOpts>(['alpha'], [alpha]);
  return activate(eluDef, input, [o.alpha ?? 1], true);
}

/**
 * `F.gelu(input, approximate='none')`: x * Φ(x) (exact, with erf) or its tanh approximation.
 * @example F.gelu(x); F.gelu(x, {approximate: 'tanh'})
 */
export function gelu(input: Tensor, approximate?: 'none' | 'tanh' | GeluOpts): Tensor {
  const mode = pyArgs<GeluOpts>(['approximate'], [approximate]).approximate ?? 'none';
  if (mode !== 'none' && mode !== 'tanh') throw new RuntimeError('approximate argument must be either none or tanh.');
  return runPointwise(mode === 'tanh' ? geluTanhDef : geluDef, [input]);
}

/**
 * `F.silu(input, inplace=False)`: x * sigmoid(x) (also called swish).
 * @example F.silu(x)
 */
export function silu(input: Tensor, inplace?: boolean | InplaceOpts): Tensor {
  return activate(siluDef, input, [], inplaceOf(inplace));
}

/** `F.sigmoid(input)`: 1 / (1 + exp(-x)). @example F.sigmoid(torch.tensor([0])) // tensor([0.5000]) */
export function sigmoid(input: Tensor): Tensor {
  return input.sigmoid();
}

/** `F.tanh(input)`. @example F.tanh(torch.tensor([0])) // tensor([0.]) */
export function tanh(input: Tensor): Tensor {
  return input.tanh();
}

/**
 * `F.softplus(input, beta=1, threshold=20)`: log(1 + exp(beta * x)) / beta, and x itself where
 * beta * x > threshold (for numerical stability).
 * @example F.softplus(x); F.softplus(x, 2, {threshold: 10})
 */
export function softplus(input: Tensor, beta?: number | SoftplusOpts, threshold?: number | SoftplusOpts): Tensor {
  const o = pyArgs<SoftplusOpts>(['beta', 'threshold'], [beta, threshold]);
  return runPointwise(softplusDef, [input], [o.beta ?? 1, o.threshold ?? 20]);
}

/**
 * `F.hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False)`: x clamped to [min_val, max_val].
 * @example F.hardtanh(x); F.hardtanh(x, -2, 2); F.hardtanh(x, {min_val: 0, max_val: 6})
 */
export function hardtanh(
  input: Tensor,
  min_val?: number | HardtanhOpts,
  max_val?: number | HardtanhOpts,
  inplace?: boolean | HardtanhOpts,
): Tensor {
  const o = pyArgs<HardtanhOpts>(['min_val', 'max_val', 'inplace'], [min_val, max_val, inplace]);
  return activate(hardtanhDef, input, [o.min_val ?? -1, o.max_val ?? 1], o.inplace ?? false);
}

/** `F.hardtanh_(input, min_val=-1.0, max_val=1.0)`. @example F.hardtanh_(h, -2, 2) */
export function hardtanh_(input: Tensor, min_val?: number | HardtanhOpts, max_val?: number | HardtanhOpts): Tensor {
  const o = pyArgs<HardtanhOpts>(['min_val', 'max_val'], [min_val, max_val]);
  return activate(hardtanhDef, input, [o.min_val ?? -1, o.max_val ?? 1], true);
}

/**
 * `F.relu6(input, inplace=False)`: hardtanh(x, 0, 6), as PyTorch computes it (HardtanhBackward0).
 * @example F.relu6(torch.tensor([-1, 3, 8])) // tensor([0, 3, 6])
 */
export function relu6(input: Tensor, inplace?: boolean | InplaceOpts): Tensor {
  return activate(hardtanhDef, input, [0, 6], inplaceOf(inplace));
}

type SoftmaxOpts = { dim?: number; dtype?: DType };

function softmaxArgs(name: string, dim: number | SoftmaxOpts, dtype: DType | SoftmaxOpts | undefined): [number, DType | undefined] {
  const o = pyArgs<SoftmaxOpts>(['dim', 'dtype'], [dim, dtype]);
  if (o.dim === undefined || o.dim === null) throw new TypeError(`${name}() missing required argument 'dim'`);
  return [o.dim, o.dtype];
}

/**
 * `F.softmax(input, dim, dtype=None)`: exp(x) / Σ exp(x) along `dim`.
 * Differs from PyTorch: `dim` is required (PyTorch's implicit choice is deprecated there).
 * @example F.softmax(logits, 1); F.softmax(logits, {dim: -1})
 */
export function softmax(input: Tensor, dim: number | SoftmaxOpts, dtype?: DType | SoftmaxOpts): Tensor {
  const [d, t] = softmaxArgs('softmax', dim, dtype);
  return input.softmax(d, t ? { dtype: t } : {});
}

/**
 * `F.log_softmax(input, dim, dtype=None)`: log of softmax, computed stably.
 * Differs from PyTorch: `dim` is required.
 * @example F.log_softmax(x, 1); F.log_softmax(x, {dim: 1})
 */
export function log_softmax(input: Tensor, dim: number | SoftmaxOpts, dtype?: DType | SoftmaxOpts): Tensor {
  const [d, t] = softmaxArgs('log_softmax', dim, dtype);
  return input.log_softmax(d, t ? { dtype: t } : {});
}
