/**
 * Loss functions of `nn.functional`. Losses PyTorch computes as one op (nll_loss, mse_loss,
 * smooth_l1_loss, huber_loss, the binary cross entropies) are one graph node here too, with
 * PyTorch's grad_fn name: the forward runs under no_grad with tensor ops and the backward is
 * written with tensor ops (so double backward works). cross_entropy and l1_loss are composites,
 * as in PyTorch.
 *
 * nll_loss (and so cross_entropy) never reads back from an accelerator: on backends with a fused
 * nll kernel (Backend.nllLoss: 'cuda') the target range is checked on the device, and a bad target
 * is raised at the next read or torch.cuda.synchronize() as "CUDA error: device-side assert
 * triggered: Target 12 is out of bounds.", as CUDA's asserts are; on the CPU it is raised at once
 * with PyTorch's IndexError.
 */

import type { View } from '../../backend.js';
import { backendFor, type Device } from '../../device.js';
import * as dt from '../../dtype.js';
import { IndexError, RuntimeError, ValueError } from '../../errors.js';
import { sameShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { broadcastView, emptyTensor, needsGrad, record, sameDevice, viewOf } from '../../ops/dispatch.js';
import { arange, full } from '../../ops/creation.js';
import { cTypeName, where } from '../../ops/pointwise.js';
import { sumTo } from '../../ops/reduction.js';
import { warnOnce } from '../warnings.js';
import { pyArgs } from '../_args.js';

export type Reduction = 'none' | 'mean' | 'sum';

function reductionOf(r: string | undefined): Reduction {
  const v = r ?? 'mean';
  if (v !== 'none' && v !== 'mean' && v !== 'sum') throw new ValueError(`${v} is not a valid value for reduction`);
  return v;
}

function reduce(loss: Tensor, r: Reduction): Tensor {
  return r === 'none' ? loss : r === 'sum' ? loss.sum() : loss.mean();
}
/** `reduce` under a name that PyTorch's `reduce` argument of kl_div does not shadow. */
const applyReduction = reduce;

/** The gradient of a reduced elementwise loss, back to the elementwise shape. */
function unreduce(g: Tensor, r: Reduction, numel: number): Tensor {
  return r === 'mean' ? g.div(numel) : g;
}

function warnShape(input: Tensor, target: Tensor): void {
  if (sameShape(input._shape, target._shape)) return;
  warnOnce(
    `Using a target size (${target.shape}) that is different to the input size (${input.shape}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`,
  );
}

/** PyTorch's refusal of integer inputs to its loss kernels, in its words ("mse_cpu" not implemented for 'Long'). */
function requireFloat(kernel: string, x: Tensor): void {
  if (!x.dtype.is_floating_point) throw new RuntimeError(`"${kernel}" not implemented for '${cTypeName(x.dtype)}'`);
}

/** Shape `[1, ..., C, ..., 1]` with C at `dim` of an `ndim`-d tensor, to broadcast per-class values. */
function classShape(ndim: number, dim: number, C: number): number[] {
  const s = new Array<number>(Math.max(ndim, 1)).fill(1);
  s[dim] = C;
  return s;
}

// ---- negative log likelihood and cross entropy ----

export interface NllOptions {
  weight?: Tensor | null;
  ignore_index?: number;
  reduction?: Reduction;
}

/** Per-element pieces shared by nll_loss and label-smoothed cross_entropy. */
interface Picked {
  /** bool (N, C, ...): the target class of each non-ignored element */
  mask: Tensor;
  /** (N, ...): the weight of each element's target class, 0 where ignored */
  w: Tensor;
  /** bool (N, ...): the element is not ignored */
  valid: Tensor;
  cdim: number;
  C: number;
}

function checkTargets(input: Tensor, target: Tensor, weight: Tensor | null | undefined): number {
  if (input.dim() < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.dim()})`);
  if (input.dim() !== 1 && input._shape[0] !== target._shape[0]) {
    throw new ValueError(`Expected input batch_size (${input._shape[0]}) to match target batch_size (${target._shape[0] ?? 1}).`);
  }
  const cdim = input.dim() === 1 ? 0 : 1;
  const C = input._shape[cdim]!;
  if (input.dim() <= 2) {
    if (target.dim() > 1) throw new RuntimeError('0D or 1D target tensor expected, multi-target not supported');
    if (input.dim() === 1 && target.dim() !== 0) {
      throw new ValueError(`Expected input batch_size (1) to match target batch_size (${target._shape[0]}).`);
    }
  } else {
    const expected = [input._shape[0]!, ...input._shape.slice(2)];
    if (!sameShape(target._shape, expected)) {
      throw new RuntimeError(`Expected target size [${expected.join(', ')}], got [${target._shape.join(', ')}]`);
    }
  }
  if (weight && (weight.dim() !== 1 || weight.numel() !== C)) {
    throw new RuntimeError(
      `weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight._shape.join(', ')}]`,
    );
  }
  if (target.dtype !== dt.int64) throw new RuntimeError(`expected scalar type Long but found ${cTypeName(target.dtype)}`);
  return cdim;
}

/**
 * int64 0..C-1 on `device`, made there: an accelerator gets it from a fill and a cumsum rather
 * than an upload (a training step then sends the device nothing but its batch).
 */
function classIndices(C: number, device: Device): Tensor {
  if (device.type === 'cpu') return arange(C);
  return full([C], 1, { dtype: dt.int64, device }).cumsum(0).sub(1);
}

/** bool (N, C, ...): the element is its row's target class (and not ignored). */
function targetMask(target: Tensor, cdim: number, C: number, ndim: number, ignore_index: number): Tensor {
  const cls = classIndices(C, target.device).view(classShape(ndim, cdim, C));
  const mask = target.unsqueeze(cdim).eq(cls);
  return ignore_index >= 0 && ignore_index < C ? mask.logical_and(target.ne(ignore_index).unsqueeze(cdim)) : mask;
}

/** `check`: raise PyTorch's IndexError for targets out of range (reads the targets back). */
function pick(input: Tensor, target: Tensor, weight: Tensor | null | undefined, ignore_index: number, check = true): Picked {
  const cdim = checkTargets(input, target, weight);
  const C = input._shape[cdim]!;
  return no_grad(() => {
    const valid = target.ne(ignore_index);
    if (check) {
      const bad = valid.logical_and(target.lt(0).logical_or(target.ge(C)));
      if (bad.any().item()) {
        const t = target.reshape(-1).numpy();
        const b = bad.reshape(-1).numpy();
        const i = b.findIndex((v) => v !== 0);
        throw new IndexError(`Target ${t[i]} is out of bounds.`);
      }
    }
    const mask = targetMask(target, cdim, C, input.dim(), ignore_index);
    const w = weight
      ? where(mask, weight.to(input.dtype).view(classShape(input.dim(), cdim, C)), 0).sum(cdim)
      : valid.to(input.dtype);
    return { mask, w, valid, cdim, C };
  });
}

/**
 * `F.nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean')`: the negative
 * log likelihood of the target classes, given log-probabilities `input` (N, C) or (N, C, d...)
 * and int64 class indices `target` (N) or (N, d...). 'mean' divides by the summed weights.
 * A target outside [0, C) raises `IndexError: Target 12 is out of bounds.` on the CPU; on 'cuda'
 * it is checked on the device, without waiting, and raised as `RuntimeError: CUDA error:
 * device-side assert triggered: Target 12 is out of bounds. ...` by the next read (item, tolist,
 * print, cpu) or torch.cuda.synchronize(), as in PyTorch (CUDA_LAUNCH_BLOCKING=1: by the op).
 * @example F.nll_loss(F.log_softmax(logits, 1), labels); F.nll_loss(logp, labels, classWeights, {reduction: 'sum'})
 */
export function nll_loss(input: Tensor, target: Tensor, weight?: Tensor | null | NllOptions, kwargs?: NllOptions): Tensor {
  const opts = pyArgs<NllOptions>(['weight'], [weight, kwargs]);
  const reduction = reductionOf(opts.reduction);
  const be = backendFor(input.device);
  if (be.nllLoss && input.dtype.is_floating_point) return nllFused(input, target, opts.weight ?? null, opts.ignore_index ?? -100, reduction);
  const p = pick(input, target, opts.weight, opts.ignore_index ?? -100);
  const { mask, w, cdim } = p;
  const total = reduction === 'mean' ? no_grad(() => w.sum()) : null;
  // PyTorch runs 3-d and 5-d+ inputs through its 4-d kernel and views 'none' results back
  const viewBack = reduction === 'none' && (input.dim() === 3 || input.dim() > 4);
  const out = no_grad(() => {
    const elem = where(mask, input, 0).sum(cdim).mul(w).neg();
    if (reduction === 'none') return viewBack ? elem.unsqueeze(-1) : elem;
    if (reduction === 'sum') return elem.sum();
    return elem.sum().div(total!);
  });
  const name = input.dim() <= 2 ? 'NllLossBackward0' : 'NllLoss2DBackward0';
  record(name, [input], [out], [], ([g]) => {
    const gw = reduction === 'none' ? g!.reshape(w._shape) : g!;
    const coef = total ? w.mul(gw.div(total)) : w.mul(gw);
    return [where(mask, coef.unsqueeze(cdim).neg(), 0)];
  });
  return viewBack ? out.view(target._shape) : out;
}

/** `t`'s view with dim `cdim` moved last (the fused kernel's rows); a 1-d input is one row. */
function classLastView(t: Tensor, cdim: number): View {
  const v = viewOf(t);
  if (v.shape.length <= 1) return v;
  const shape = v.shape.slice();
  const strides = v.strides.slice();
  const [n] = shape.splice(cdim, 1);
  const [s] = strides.splice(cdim, 1);
  return { ...v, shape: [...shape, n!], strides: [...strides, s!] };
}

/**
 * nll_loss on a backend with the fused kernels: one kernel picks each row's term and weight and
 * checks its target on the device (no read back), one writes the gradient (composed from tensor
 * ops instead when the backward itself is recorded, for double backward).
 */
function nllFused(input: Tensor, target: Tensor, weight: Tensor | null, ignore_index: number, reduction: Reduction): Tensor {
  const cdim = checkTargets(input, target, weight);
  const C = input._shape[cdim]!;
  const device = sameDevice(weight ? [input, target, weight] : [input, target]);
  const be = backendFor(device);
  const loss = emptyTensor(target._shape, input.dtype, device);
  const w = emptyTensor(target._shape, input.dtype, device);
  const wv = weight ? no_grad(() => weight.to(input.dtype)) : null;
  be.nllLoss!(classLastView(input, cdim), viewOf(target), wv ? viewOf(wv) : null, ignore_index, viewOf(loss), viewOf(w));
  const total = reduction === 'mean' ? no_grad(() => w.sum()) : null;
  const viewBack = reduction === 'none' && (input.dim() === 3 || input.dim() > 4);
  const out = no_grad(() => {
    if (reduction === 'none') return viewBack ? loss.unsqueeze(-1) : loss;
    if (reduction === 'sum') return loss.sum();
    return loss.sum().div(total!);
  });
  const name = input.dim() <= 2 ? 'NllLossBackward0' : 'NllLoss2DBackward0';
  const ndim = input.dim();
  record(name, [input], [out], [], ([g]) => {
    const gw = reduction === 'none' ? g!.reshape(w._shape) : g!;
    if (be.nllLossBackward && !needsGrad([gw])) {
      // one kernel writes the whole gradient; with create_graph the composed form below records
      const scale = total ? gw.div(total) : gw;
      const gi = emptyTensor(input._shape, input.dtype, device);
      be.nllLossBackward(viewOf(target), viewOf(w), broadcastView(scale, w._shape), ignore_index, classLastView(gi, cdim));
      return [gi];
    }
    const coef = total ? w.mul(gw.div(total)) : w.mul(gw);
    return [where(targetMask(target, cdim, C, ndim, ignore_index), coef.unsqueeze(cdim).neg(), 0)];
  });
  return viewBack ? out.view(target._shape) : out;
}

export interface CrossEntropyOptions extends NllOptions {
  label_smoothing?: number;
}

/**
 * `F.cross_entropy(input, target, weight=None, ignore_index=-100, reduction='mean',
 * label_smoothing=0.0)`: log_softmax over the class dim followed by nll_loss for class indices;
 * for a float `target` of input's shape, the cross entropy with those class probabilities.
 * Targets out of range raise as in nll_loss (on 'cuda' at the next read).
 * @example F.cross_entropy(logits, labels); F.cross_entropy(logits, labels, {label_smoothing: 0.1})
 */
export function cross_entropy(
  input: Tensor,
  target: Tensor,
  weight?: Tensor | null | CrossEntropyOptions,
  kwargs?: CrossEntropyOptions,
): Tensor {
  const opts = pyArgs<CrossEntropyOptions>(['weight'], [weight, kwargs]);
  const reduction = reductionOf(opts.reduction);
  const ls = opts.label_smoothing ?? 0;
  const ignore = opts.ignore_index ?? -100;
  const w = opts.weight ?? null;
  const cdim = input.dim() === 1 ? 0 : 1;
  if (input.dim() >= 1 && sameShape(input._shape, target._shape)) {
    if (!target.dtype.is_floating_point) {
      throw new RuntimeError(`Expected floating point type for target with class probabilities, got ${cTypeName(target.dtype)}`);
    }
    if (ignore >= 0) throw new RuntimeError('ignore_index is not supported for floating point target');
    return crossEntropyProbs(input, target, w, reduction, ls, cdim);
  }
  if (ls > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
  if (input.dim() < 1) throw new ValueError(`Expected 1 or more dimensions (got ${input.dim()})`);
  const logp = input.log_softmax(cdim);
  const nll = nll_loss(logp, target, { weight: w, ignore_index: ignore, reduction });
  if (!(ls > 0)) return nll;
  const C = input._shape[cdim]!;
  // nll_loss has checked the targets (on the device where it can)
  const p = pick(logp, target, w, ignore, false);
  const wc = w ? w.to(logp.dtype).view(classShape(logp.dim(), cdim, C)) : null;
  const smooth = (wc ? logp.mul(wc) : logp).sum(cdim).neg().masked_fill(p.valid.logical_not(), 0);
  let ret: Tensor;
  if (reduction === 'none') ret = smooth;
  else if (reduction === 'sum') ret = smooth.sum();
  else ret = smooth.sum().div(wc ? p.w.sum() : p.valid.sum());
  return nll.mul(1 - ls).add(ret.mul(ls / C));
}

function crossEntropyProbs(input: Tensor, target: Tensor, weight: Tensor | null, reduction: Reduction, ls: number, cdim: number): Tensor {
  const C = input._shape[cdim]!;
  if (weight && (weight.dim() !== 1 || weight.numel() !== C)) {
    throw new RuntimeError(
      `cross_entropy: weight tensor should be defined either for all ${C} classes or no classes but got weight tensor of shape: [${weight._shape.join(', ')}]`,
    );
  }
  const logp = input.log_softmax(cdim);
  let t = target;
  if (ls > 0) {
    if (ls > 1) throw new RuntimeError(`label_smoothing must be between 0.0 and 1.0. Got: ${ls}`);
    t = target.mul(1 - ls).add(ls / C);
  }
  let prod = logp.mul(t);
  if (weight) prod = prod.mul(input.dim() > 1 ? weight.view(classShape(input.dim(), cdim, C)) : weight);
  if (reduction === 'none') return prod.sum(cdim).neg();
  if (reduction === 'sum') return prod.sum().neg();
  // PyTorch divides by an integer count, a Scalar overload: DivBackward1
  const total = prod.sum().neg();
  const n = input.numel() / C;
  const out = no_grad(() => total.div(n));
  record('DivBackward1', [total], [out], [], ([g]) => [g!.div(n)]);
  return out;
}

// ---- regression losses ----

export interface ReductionOptions {
  reduction?: Reduction;
}

/**
 * One node for an elementwise loss of d = input - target: `value(d)` per element and
 * `slope(d)` its derivative, both tensor functions.
 */
function elementwiseLoss(
  name: string,
  input: Tensor,
  target: Tensor,
  reduction: Reduction,
  value: (d: Tensor) => Tensor,
  slope: (d: Tensor) => Tensor,
): Tensor {
  let n = 1;
  const out = no_grad(() => {
    const elem = value(input.sub(target));
    n = elem.numel();
    return reduce(elem, reduction);
  });
  const inShape = input._shape.slice();
  const tShape = target._shape.slice();
  record(name, [input, target], [out], [input, target], ([g], [x, y]) => {
    const gd = slope(x!.sub(y!)).mul(unreduce(g!, reduction, n));
    return [
      input.requires_grad ? sumTo(gd, inShape) : null,
      target.requires_grad ? sumTo(gd.neg(), tShape) : null,
    ];
  });
  return out;
}

/**
 * `F.mse_loss(input, target, reduction='mean')`: (input - target)², broadcast with a warning
 * when the shapes differ (as PyTorch).
 * @example F.mse_loss(pred, y)
 */
export function mse_loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = reductionOf(opts.reduction);
  warnShape(input, target);
  requireFloat('mse_cpu', input);
  return elementwiseLoss('MseLossBackward0', input, target, reduction, (d) => d.mul(d), (d) => d.mul(2));
}

/**
 * `F.l1_loss(input, target, reduction='mean')`: |input - target| (a composite, as in PyTorch).
 * @example F.l1_loss(pred, y, {reduction: 'sum'})
 */
export function l1_loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = reductionOf(opts.reduction);
  warnShape(input, target);
  return reduce(input.sub(target).abs(), reduction);
}

/**
 * `F.smooth_l1_loss(input, target, reduction='mean', beta=1.0)`: 0.5 d² / beta where |d| < beta,
 * else |d| - 0.5 beta. With beta = 0 it is l1_loss.
 * @example F.smooth_l1_loss(pred, y, {beta: 0.5})
 */
export function smooth_l1_loss(input: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  const reduction = reductionOf(opts.reduction);
  const beta = opts.beta ?? 1;
  warnShape(input, target);
  if (beta < 0) throw new RuntimeError('smooth_l1_loss does not support negative values for beta.');
  if (beta === 0) return l1_loss(input, target, { reduction });
  requireFloat('smooth_l1_cpu', input);
  return elementwiseLoss(
    'SmoothL1LossBackward0', input, target, reduction,
    (d) => {
      const z = d.abs();
      return where(z.lt(beta), z.mul(z).mul(0.5 / beta), z.sub(0.5 * beta));
    },
    (d) => d.div(beta).clamp(-1, 1),
  );
}

/**
 * `F.huber_loss(input, target, reduction='mean', delta=1.0)`: 0.5 d² where |d| < delta, else
 * delta (|d| - 0.5 delta).
 * @example F.huber_loss(pred, y, {delta: 2})
 */
export function huber_loss(input: Tensor, target: Tensor, opts: ReductionOptions & { delta?: number } = {}): Tensor {
  const reduction = reductionOf(opts.reduction);
  const delta = opts.delta ?? 1;
  warnShape(input, target);
  if (!(delta > 0)) throw new RuntimeError('huber_loss does not support non-positive values for delta.');
  requireFloat('huber_cpu', input);
  return elementwiseLoss(
    'HuberLossBackward0', input, target, reduction,
    (d) => {
      const z = d.abs();
      return where(z.lt(delta), z.mul(z).mul(0.5), z.sub(0.5 * delta).mul(delta));
    },
    (d) => d.clamp(-delta, delta),
  );
}

// ---- binary cross entropy ----

export interface BceOptions extends ReductionOptions {
  weight?: Tensor | null;
}

/**
 * `F.binary_cross_entropy(input, target, weight=None, reduction='mean')`: -(t log p +
 * (1 - t) log(1 - p)) for probabilities `input`, with the logs clamped at -100 as PyTorch does.
 * @example F.binary_cross_entropy(torch.sigmoid(logits), y)
 */
export function binary_cross_entropy(input: Tensor, target: Tensor, weight?: Tensor | null | BceOptions, kwargs?: BceOptions): Tensor {
  const opts = pyArgs<BceOptions>(['weight'], [weight, kwargs]);
  const reduction = reductionOf(opts.reduction);
  if (!sameShape(input._shape, target._shape)) {
    throw new ValueError(
      `Using a target size (${target.shape}) that is different to the input size (${input.shape}) is deprecated. Please ensure they have the same size.`,
    );
  }
  requireFloat('binary_cross_entropy', input);
  const w = opts.weight ?? null;
  const out = no_grad(() => {
    if (input.lt(0).logical_or(input.gt(1)).any().item()) {
      throw new RuntimeError('all elements of input should be between 0 and 1');
    }
    const logP = input.log().clamp_min(-100);
    const log1mP = input.neg().add(1).log().clamp_min(-100);
    let elem = target.mul(logP).add(target.neg().add(1).mul(log1mP)).neg();
    if (w) elem = elem.mul(w);
    return reduce(elem, reduction);
  });
  const n = input.numel();
  record('BinaryCrossEntropyBackward0', [input, target], [out], [input, target], ([g], [x, t]) => {
    let scale = unreduce(g!, reduction, n);
    if (w) scale = scale.mul(w);
    const gx = input.requires_grad
      ? x!.sub(t!).div(x!.neg().add(1).mul(x!).clamp_min(1e-12)).mul(scale)
      : null;
    const gt = target.requires_grad
      ? x!.neg().add(1).log().clamp_min(-100).sub(x!.log().clamp_min(-100)).mul(scale)
      : null;
    return [gx, gt];
  });
  return out;
}

/** log(sigmoid(z)), stable for large |z|. */
function logSigmoid(z: Tensor): Tensor {
  return z.neg().clamp_min(0).add(z.abs().neg().exp().log1p()).neg();
}

/**
 * `F.binary_cross_entropy_with_logits(input, target, weight=None, reduction='mean',
 * pos_weight=None)`: sigmoid and binary cross entropy in one stable formula.
 * @example F.binary_cross_entropy_with_logits(logits, y, {pos_weight: torch.tensor([3.0])})
 */
export function binary_cross_entropy_with_logits(
  input: Tensor,
  target: Tensor,
  opts: BceOptions & { pos_weight?: Tensor | null } = {},
): Tensor {
  const reduction = reductionOf(opts.reduction);
  if (!sameShape(input._shape, target._shape)) {
    throw new ValueError(`Target size (${target.shape}) must be the same as input size (${input.shape})`);
  }
  const weight = opts.weight ?? null;
  const pw = opts.pos_weight ?? null;
  const out = no_grad(() => {
    const maxVal = input.neg().clamp_min(0);
    const softTerm = maxVal.neg().exp().add(input.neg().sub(maxVal).exp()).log().add(maxVal);
    let elem: Tensor;
    if (pw) {
      const logWeight = pw.sub(1).mul(target).add(1);
      elem = target.neg().add(1).mul(input).add(logWeight.mul(softTerm));
    } else {
      elem = target.neg().add(1).mul(input).add(softTerm);
    }
    if (weight) elem = elem.mul(weight);
    return reduce(elem, reduction);
  });
  const n = input.numel();
  record('BinaryCrossEntropyWithLogitsBackward0', [input, target], [out], [input, target], ([g], [x, t]) => {
    let scale = unreduce(g!, reduction, n);
    if (weight) scale = scale.mul(weight);
    let gx: Tensor | null = null;
    let gt: Tensor | null = null;
    if (input.requires_grad) {
      if (pw) {
        const pt = pw.mul(t!);
        gx = pt.add(1).sub(t!).mul(x!.sigmoid()).sub(pt).mul(scale);
      } else {
        gx = x!.sigmoid().sub(t!).mul(scale);
      }
      gx = sumTo(gx, x!._shape);
    }
    if (target.requires_grad) {
      gt = pw ? logSigmoid(x!.neg()).sub(logSigmoid(x!).mul(pw)).mul(scale) : x!.neg().mul(scale);
      gt = sumTo(gt, t!._shape);
    }
    return [gx, gt];
  });
  return out;
}

// ---- Kullback-Leibler divergence ----

export type KlDivReduction = Reduction | 'batchmean';

export interface KlDivOptions {
  size_average?: boolean | null;
  reduce?: boolean | null;
  reduction?: KlDivReduction;
  log_target?: boolean;
}

/**
 * PyTorch's `_Reduction.legacy_get_string`: the reduction that the deprecated `size_average` and
 * `reduce` flags stand for (each defaults to true), with PyTorch's deprecation warning.
 */
export function legacyReduction(size_average: boolean | null | undefined, reduce: boolean | null | undefined): Reduction {
  const sa = size_average ?? true;
  const r = reduce ?? true;
  const ret: Reduction = sa && r ? 'mean' : r ? 'sum' : 'none';
  warnOnce(`size_average and reduce args will be deprecated, please use reduction='${ret}' instead.`);
  return ret;
}

/**
 * x·log(y), 0 where x = 0 (NaN where y is NaN), as `torch.xlogy`: one XlogyBackward0 node whose
 * gradients are log(y) (0 where x = 0) and x / y.
 */
function xlogy(x: Tensor, y: Tensor): Tensor {
  const out = no_grad(() => where(y.isnan(), NaN, where(x.eq(0), 0, x.mul(y.log()))));
  const xShape = x._shape.slice();
  const yShape = y._shape.slice();
  record('XlogyBackward0', [x, y], [out], [x, y], ([g], [xs, ys]) => [
    x.requires_grad ? sumTo(g!.mul(xlogy(xs!.ne(0).to(ys!.dtype), ys!)), xShape) : null,
    y.requires_grad ? sumTo(g!.mul(xs!).div(ys!), yShape) : null,
  ]);
  return out;
}

/**
 * `F.kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False)`:
 * the pointwise Kullback-Leibler divergence target·(log target - input) of log-probabilities
 * `input` from probabilities `target` (log-probabilities when log_target), composed as in
 * PyTorch (0·log 0 counts as 0). 'batchmean' divides the sum by the batch size (the true KL
 * divergence); 'mean', the default, divides by the number of elements and warns once, as
 * PyTorch does.
 * @example F.kl_div(F.log_softmax(logits, 1), targetProbs, {reduction: 'batchmean'})
 */
export function kl_div(
  input: Tensor,
  target: Tensor,
  size_average?: boolean | null | KlDivOptions,
  reduce?: boolean | null | KlDivOptions,
  reduction?: KlDivReduction | KlDivOptions,
  log_target?: boolean | KlDivOptions,
): Tensor {
  const o = pyArgs<KlDivOptions>(['size_average', 'reduce', 'reduction', 'log_target'], [size_average, reduce, reduction, log_target]);
  const asked = o.reduction ?? 'mean';
  let r: Reduction;
  if (o.size_average !== undefined && o.size_average !== null || o.reduce !== undefined && o.reduce !== null) {
    r = legacyReduction(o.size_average, o.reduce);
  } else {
    if (asked === 'mean') {
      warnOnce(
        "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to behave the same as 'batchmean' in the next major release.",
      );
    }
    r = asked === 'batchmean' ? 'sum' : reductionOf(asked);
  }
  if (!input.dtype.is_floating_point && !target.dtype.is_floating_point) {
    throw new RuntimeError('kl_div: Integral inputs not supported.');
  }
  const elem = o.log_target ? target.exp().mul(target.sub(input)) : xlogy(target, target).sub(target.mul(input));
  const out = applyReduction(elem, r);
  return asked === 'batchmean' && input.dim() !== 0 ? out.div(input._shape[0]!) : out;
}
