/** `torch.autograd`: `grad`, `backward`, `Function`, `gradcheck`, grad-mode and anomaly helpers. */

import { Tensor } from '../tensor.js';
import { RuntimeError } from '../errors.js';
import { runBackward } from './engine.js';
import { onesLike } from '../ops/copy.js';

export { Function, FunctionCtx } from './function.js';
export { gradcheck, gradgradcheck, GradcheckError, type GradcheckOptions } from './gradcheck.js';
export {
  no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode,
  set_detect_anomaly, detect_anomaly, is_anomaly_enabled, is_anomaly_check_nan_enabled,
} from './grad_mode.js';

function seedsFor(outputs: readonly Tensor[], grads: readonly (Tensor | null)[] | undefined): Tensor[] {
  if (grads && grads.length !== outputs.length) {
    throw new RuntimeError(`got ${outputs.length} tensors and ${grads.length} gradients`);
  }
  return outputs.map((o, i) => {
    const g = grads?.[i];
    if (g) return g;
    if (o.requires_grad && o.numel() !== 1) throw new RuntimeError('grad can be implicitly created only for scalar outputs');
    return onesLike(o);
  });
}

function list(t: Tensor | readonly Tensor[]): Tensor[] {
  return t instanceof Tensor ? [t] : t.slice();
}

function gradList(g: Tensor | readonly (Tensor | null)[] | null | undefined): readonly (Tensor | null)[] | undefined {
  return g instanceof Tensor ? [g] : (g ?? undefined);
}

/**
 * `torch.autograd.grad(outputs, inputs, {grad_outputs, retain_graph, create_graph, allow_unused})`:
 * the gradients of `outputs` w.r.t. `inputs`, without touching any `.grad`. Only the part of the
 * graph leading to `inputs` runs.
 * @example const [dx] = torch.autograd.grad(y, x, {create_graph: true});
 */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  opts: {
    grad_outputs?: Tensor | readonly (Tensor | null)[] | null;
    retain_graph?: boolean | null;
    create_graph?: boolean;
    allow_unused?: boolean;
  } = {},
): (Tensor | null)[] {
  const outs = list(outputs);
  const ins = list(inputs);
  outs.forEach((o, i) => {
    if (!o.requires_grad) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  for (const i of ins) {
    if (!i.requires_grad) throw new RuntimeError('One of the differentiated Tensors does not require grad');
  }
  const create = opts.create_graph ?? false;
  return runBackward(outs, seedsFor(outs, gradList(opts.grad_outputs)), {
    retain_graph: opts.retain_graph ?? create,
    create_graph: create,
    inputs: ins,
    allow_unused: opts.allow_unused ?? false,
  });
}

/**
 * `torch.autograd.backward(tensors, grad_tensors, {retain_graph, create_graph, inputs})`:
 * accumulates the gradients of `tensors` into the leaves' `.grad` (or only into `inputs`'s).
 * @example torch.autograd.backward([loss1, loss2]);
 */
export function backward(
  tensors: Tensor | readonly Tensor[],
  grad_tensors?: Tensor | readonly (Tensor | null)[] | null,
  opts: { retain_graph?: boolean | null; create_graph?: boolean; inputs?: Tensor | readonly Tensor[] | null } = {},
): void {
  const outs = list(tensors);
  outs.forEach((o, i) => {
    if (!o.requires_grad) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  });
  const create = opts.create_graph ?? false;
  const inputs = opts.inputs ? list(opts.inputs) : null;
  if (inputs && inputs.length === 0) throw new RuntimeError("'inputs' argument to backward() cannot be empty.");
  runBackward(outs, seedsFor(outs, gradList(grad_tensors)), {
    retain_graph: opts.retain_graph ?? create,
    create_graph: create,
    ...(inputs ? { accumulate_into: inputs } : {}),
  });
}
