/** `torch.autograd`: `grad`, `backward`, `Function`, `gradcheck`, grad-mode helpers. */

import { Tensor } from '../tensor.js';
import { RuntimeError } from '../errors.js';
import { runBackward } from './engine.js';
import { onesLike } from '../ops/copy.js';

export { Function, type FunctionCtx } from './function.js';
export { gradcheck, gradgradcheck } from './gradcheck.js';
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from './grad_mode.js';

function seedsFor(outputs: Tensor[], grads: (Tensor | null)[] | undefined): Tensor[] {
  return outputs.map((o, i) => {
    const g = grads?.[i];
    if (g) return g;
    if (o.numel() !== 1) throw new RuntimeError('grad can be implicitly created only for scalar outputs');
    return onesLike(o);
  });
}

/**
 * `torch.autograd.grad(outputs, inputs, {grad_outputs, retain_graph, create_graph, allow_unused})`:
 * returns the gradients of `outputs` w.r.t. `inputs` without touching `.grad`.
 * @example const [dx] = torch.autograd.grad(y, x, {create_graph: true});
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  opts: { grad_outputs?: Tensor | (Tensor | null)[] | null; retain_graph?: boolean; create_graph?: boolean; allow_unused?: boolean } = {},
): (Tensor | null)[] {
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  for (const i of ins) {
    if (!i.requires_grad) throw new RuntimeError('One of the differentiated Tensors does not require grad');
  }
  for (const o of outs) {
    if (!o.requires_grad) throw new RuntimeError('element 0 of tensors does not require grad and does not have a grad_fn');
  }
  const go = opts.grad_outputs instanceof Tensor ? [opts.grad_outputs] : (opts.grad_outputs ?? undefined);
  const create = opts.create_graph ?? false;
  return runBackward(outs, seedsFor(outs, go), {
    retain_graph: opts.retain_graph ?? create,
    create_graph: create,
    inputs: ins,
    allow_unused: opts.allow_unused ?? false,
  });
}

/** `torch.autograd.backward(tensors, grad_tensors)`. */
export function backward(
  tensors: Tensor | Tensor[],
  grad_tensors?: Tensor | (Tensor | null)[] | null,
  opts: { retain_graph?: boolean; create_graph?: boolean } = {},
): void {
  const outs = tensors instanceof Tensor ? [tensors] : tensors;
  const gs = grad_tensors instanceof Tensor ? [grad_tensors] : (grad_tensors ?? undefined);
  const create = opts.create_graph ?? false;
  runBackward(outs, seedsFor(outs, gs), { retain_graph: opts.retain_graph ?? create, create_graph: create });
}
