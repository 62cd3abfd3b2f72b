/** `nn.utils.clip_grad_norm_` and `nn.utils.clip_grad_value_`: in-place gradient clipping. */

import { RuntimeError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { stack } from '../../ops/cat.js';
import { scalar_tensor } from '../../ops/creation.js';
import { no_grad } from '../../autograd/grad_mode.js';
import { floatRepr } from '../../display/pyformat.js';
import { warnOnce } from '../warnings.js';
import { pyArgs } from '../_args.js';

/** What the clipping functions take: one tensor or any iterable of them (`net.parameters()`). */
export type Parameters = Tensor | Iterable<Tensor>;
export type NormType = number | 'inf';
export interface ClipGradNormOptions {
  norm_type?: NormType;
  error_if_nonfinite?: boolean;
  foreach?: boolean | null;
}

/** The gradients to clip, as `_grad`: clipping scales them in place and keeps none, so zero_grad may still give them back. */
const gradsOf = (parameters: Parameters): Tensor[] => {
  const ps = parameters instanceof Tensor ? [parameters] : [...parameters];
  return ps.flatMap((p) => (p._grad ? [p._grad] : []));
};

/**
 * `nn.utils.clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False)`:
 * scales all gradients in place by max_norm / (total_norm + 1e-6) when that is below 1, where
 * total_norm is the norm_type-norm of all gradients together ('inf' or Infinity for the max
 * norm). Returns total_norm as a tensor (float32 0 when no parameter has a gradient).
 * `foreach` is accepted and ignored.
 * @example loss.backward(); nn.utils.clip_grad_norm_(net.parameters(), 1.0); opt.step();
 */
export function clip_grad_norm_(
  parameters: Parameters,
  max_norm: number,
  norm_type?: NormType | ClipGradNormOptions,
  error_if_nonfinite?: boolean | ClipGradNormOptions,
  opts?: ClipGradNormOptions,
): Tensor {
  const o = pyArgs<ClipGradNormOptions>(['norm_type', 'error_if_nonfinite'], [norm_type, error_if_nonfinite, opts]);
  const grads = gradsOf(parameters);
  const p = o.norm_type === 'inf' ? Infinity : Number(o.norm_type ?? 2);
  if (grads.length === 0) return scalar_tensor(0);
  return no_grad(() => {
    const device = grads[0]!.device;
    let total: Tensor;
    if (p === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max().to(device));
      total = norms.length === 1 ? norms[0]! : stack(norms).max();
    } else {
      total = stack(grads.map((g) => g.detach().norm(p).to(device))).norm(p);
    }
    if (o.error_if_nonfinite && total.isnan().logical_or(total.isinf()).item()) {
      throw new RuntimeError(
        `The total norm of order ${floatRepr(p)} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
      );
    }
    const coef = total.add(1e-6).reciprocal().mul(max_norm).clamp_max(1);
    for (const g of grads) g.detach().mul_(coef.to(g.device));
    return total;
  });
}

/**
 * `nn.utils.clip_grad_norm(...)`: the deprecated name of clip_grad_norm_ (warns once).
 * @example nn.utils.clip_grad_norm(net.parameters(), 1) // prefer clip_grad_norm_
 */
export function clip_grad_norm(
  parameters: Parameters,
  max_norm: number,
  norm_type?: NormType | ClipGradNormOptions,
  error_if_nonfinite?: boolean | ClipGradNormOptions,
  opts?: ClipGradNormOptions,
): Tensor {
  warnOnce('torch.nn.utils.clip_grad_norm is now deprecated in favor of torch.nn.utils.clip_grad_norm_.');
  return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, opts);
}

/**
 * `nn.utils.clip_grad_value_(parameters, clip_value)`: clamps every gradient in place to
 * [-clip_value, clip_value].
 * @example nn.utils.clip_grad_value_(net.parameters(), 0.5)
 */
export function clip_grad_value_(parameters: Parameters, clip_value: number): void {
  no_grad(() => {
    for (const g of gradsOf(parameters)) g.clamp_(-clip_value, clip_value);
  });
}
