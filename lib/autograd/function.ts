/**
 * `torch.autograd.Function`: custom ops with a hand-written backward.
 * Differs from PyTorch: subclasses define static `forward(ctx, ...args)` and
 * `backward(ctx, ...grads)` as in PyTorch, and are called with `MyFn.apply(...args)`.
 */

import { Tensor } from '../tensor.js';
import { no_grad } from './grad_mode.js';
import { record } from '../ops/dispatch.js';
import { RuntimeError } from '../errors.js';

/** The `ctx` a custom Function's forward and backward share. */
export class FunctionCtx {
  saved_tensors: Tensor[] = [];
  needs_input_grad: boolean[] = [];
  [key: string]: unknown;
  save_for_backward(...tensors: Tensor[]): void {
    this.saved_tensors = tensors;
  }
  mark_non_differentiable(..._tensors: Tensor[]): void {
    this.nonDifferentiable = new Set(_tensors);
  }
}

type Out = Tensor | Tensor[];

/**
 * Base class of custom autograd functions.
 * @example
 * class Exp extends torch.autograd.Function {
 *   static forward(ctx, x) { const y = x.exp(); ctx.save_for_backward(y); return y; }
 *   static backward(ctx, g) { const [y] = ctx.saved_tensors; return g.mul(y); }
 * }
 * const y = Exp.apply(x);
 */
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Out {
    throw new RuntimeError('You must implement the forward function for custom autograd.Function.');
  }
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): (Tensor | null | undefined) | (Tensor | null | undefined)[] {
    throw new RuntimeError('You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.');
  }

  static apply<T extends typeof Function>(this: T, ...args: unknown[]): Tensor;
  static apply<T extends typeof Function>(this: T, ...args: unknown[]): Out {
    const ctx = new FunctionCtx();
    ctx.needs_input_grad = args.map((a) => a instanceof Tensor && a.requires_grad);
    const raw = no_grad(() => this.forward(ctx, ...args));
    const outs = raw instanceof Tensor ? [raw] : raw;
    const inputs = args.filter((a) => a instanceof Tensor);
    const nd = ctx.nonDifferentiable as Set<Tensor> | undefined;
    // an output that is an input as-is must become a new tensor to carry its own grad_fn
    const results = outs.map((o) => (inputs.includes(o) ? o.detach() : o));
    const diff = results.filter((o) => !nd?.has(o) && o.dtype.is_floating_point);
    const name = `${this.name}Backward`;
    record(name, args, diff, [], (grads) => {
      const gs = diff.map((o, i) => grads[i] ?? o.new_zeros(o._shape));
      const r = this.backward(ctx, ...gs);
      const list = Array.isArray(r) ? r : [r];
      if (list.length < args.length && list.length !== inputs.length) {
        throw new RuntimeError(
          `function ${name} returned an incorrect number of gradients (expected ${args.length}, got ${list.length})`,
        );
      }
      return args.map((_, i) => list[i] ?? null);
    });
    return raw instanceof Tensor ? results[0]! : results;
  }
}
