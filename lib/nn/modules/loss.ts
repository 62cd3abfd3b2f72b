/**
 * Loss modules: each holds its options (class weights as buffers, as PyTorch's `_WeightedLoss`)
 * and calls the `F` function in forward(input, target).
 */

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import * as F from '../functional.js';
import type { Reduction } from '../functional.js';
import { legacyReduction, type KlDivReduction } from '../functional/loss.js';
import { pyArgs } from '../_args.js';

type NllLossOptions = { weight?: Tensor | null; ignore_index?: number; reduction?: Reduction };
type BceOptions = { weight?: Tensor | null; reduction?: Reduction };

/** Options, after PyTorch's first positional argument (the class weight) when given. */
function optsOf<O extends { weight?: Tensor | null }>(arg: Tensor | O | undefined, rest?: O): O {
  return pyArgs<O>(['weight' as keyof O & string], [arg, rest]) as O;
}

/**
 * Base of the losses: `reduction` is 'mean' (default), 'sum' or 'none' (R widens it for a loss
 * with more, as KLDivLoss's 'batchmean').
 */
export class _Loss<R extends string = Reduction> extends Module {
  declare reduction: R;
  constructor(opts: { reduction?: R } = {}) {
    super();
    this.reduction = opts.reduction ?? ('mean' as R);
  }
}

/** Base of the losses with per-class weights, registered as the buffer `weight`. */
export class _WeightedLoss extends _Loss {
  declare weight: Tensor | null;
  constructor(opts: { weight?: Tensor | null; reduction?: Reduction } = {}) {
    super(opts);
    this.register_buffer('weight', opts.weight ?? null);
  }
}

export interface CrossEntropyLossOptions {
  weight?: Tensor | null;
  ignore_index?: number;
  reduction?: Reduction;
  label_smoothing?: number;
}

/**
 * `nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)`:
 * log_softmax + nll_loss over raw scores (N, C); targets are class indices or probabilities.
 * @example const criterion = new nn.CrossEntropyLoss(); const loss = criterion(net(X), y)
 */
export class CrossEntropyLoss extends _WeightedLoss {
  declare ignore_index: number;
  declare label_smoothing: number;
  constructor(weight?: Tensor | CrossEntropyLossOptions, opts?: CrossEntropyLossOptions) {
    const o = optsOf<CrossEntropyLossOptions>(weight, opts);
    super(o);
    this.ignore_index = o.ignore_index ?? -100;
    this.label_smoothing = o.label_smoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, {
      weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction, label_smoothing: this.label_smoothing,
    });
  }
}

/**
 * `nn.NLLLoss(weight=None, ignore_index=-100, reduction='mean')`: negative log likelihood of
 * log-probabilities (pair it with LogSoftmax).
 * @example new nn.NLLLoss()(F.log_softmax(logits, 1), y)
 */
export class NLLLoss extends _WeightedLoss {
  declare ignore_index: number;
  constructor(weight?: Tensor | NllLossOptions, opts?: NllLossOptions) {
    const o = optsOf<NllLossOptions>(weight, opts);
    super(o);
    this.ignore_index = o.ignore_index ?? -100;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, { weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction });
  }
}

/**
 * `nn.MSELoss(reduction='mean')`.
 * @example new nn.MSELoss()(pred, y)
 */
export class MSELoss extends _Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mse_loss(input, target, { reduction: this.reduction });
  }
}

/**
 * `nn.L1Loss(reduction='mean')`: mean absolute error.
 * @example new nn.L1Loss()(torch.tensor([1, 3], {dtype: torch.float32}), torch.tensor([2, 2], {dtype: torch.float32})) // tensor(1.)
 */
export class L1Loss extends _Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1_loss(input, target, { reduction: this.reduction });
  }
}

/** `nn.SmoothL1Loss(reduction='mean', beta=1.0)`. @example new nn.SmoothL1Loss({beta: 0.5})(pred, target) */
export class SmoothL1Loss extends _Loss {
  declare beta: number;
  constructor(opts: { reduction?: Reduction; beta?: number } = {}) {
    super(opts);
    this.beta = opts.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smooth_l1_loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** `nn.HuberLoss(reduction='mean', delta=1.0)`. @example new nn.HuberLoss({delta: 2})(pred, target) */
export class HuberLoss extends _Loss {
  declare delta: number;
  constructor(opts: { reduction?: Reduction; delta?: number } = {}) {
    super(opts);
    this.delta = opts.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huber_loss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/**
 * `nn.BCELoss(weight=None, reduction='mean')`: binary cross entropy of probabilities.
 * @example new nn.BCELoss()(torch.sigmoid(logits), y)
 */
export class BCELoss extends _WeightedLoss {
  constructor(weight?: Tensor | BceOptions, opts?: BceOptions) {
    super(optsOf<BceOptions>(weight, opts));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * `nn.BCEWithLogitsLoss(weight=None, reduction='mean', pos_weight=None)`: sigmoid + BCE, stably.
 * @example new nn.BCEWithLogitsLoss({pos_weight: torch.tensor([3.0])})(logits, y)
 */
export class BCEWithLogitsLoss extends _Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor(weight?: Tensor | BceOptions & { pos_weight?: Tensor | null }, opts?: BceOptions & { pos_weight?: Tensor | null }) {
    const o = optsOf<BceOptions & { pos_weight?: Tensor | null }>(weight, opts);
    super(o);
    this.register_buffer('weight', o.weight ?? null);
    this.register_buffer('pos_weight', o.pos_weight ?? null);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy_with_logits(input, target, { weight: this.weight, reduction: this.reduction, pos_weight: this.pos_weight });
  }
}

export interface KLDivLossOptions {
  size_average?: boolean | null;
  reduce?: boolean | null;
  reduction?: KlDivReduction;
  log_target?: boolean;
}

/**
 * `nn.KLDivLoss(size_average=None, reduce=None, reduction='mean', log_target=False)`: F.kl_div
 * of log-probabilities `input` from `target`; use reduction 'batchmean' for the true KL
 * divergence. The deprecated size_average / reduce set the reduction, as in PyTorch.
 * @example new nn.KLDivLoss({reduction: 'batchmean'})(F.log_softmax(logits, 1), probs)
 */
export class KLDivLoss extends _Loss<KlDivReduction> {
  declare log_target: boolean;
  constructor(
    size_average?: boolean | null | KLDivLossOptions, reduce?: boolean | null | KLDivLossOptions,
    reduction?: KlDivReduction | KLDivLossOptions, log_target?: boolean | KLDivLossOptions,
  ) {
    const o = pyArgs<KLDivLossOptions>(['size_average', 'reduce', 'reduction', 'log_target'], [size_average, reduce, reduction, log_target]);
    const legacy = o.size_average !== undefined && o.size_average !== null || o.reduce !== undefined && o.reduce !== null;
    super({ reduction: legacy ? legacyReduction(o.size_average, o.reduce) : o.reduction ?? 'mean' });
    this.log_target = o.log_target ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.kl_div(input, target, { reduction: this.reduction, log_target: this.log_target });
  }
}
