/**
 * `torch.autograd.Function`: custom ops with a hand-written backward.
 * Subclasses define static `forward(ctx, ...args)` and `backward(ctx, ...grads)` as in PyTorch,
 * and are called with `MyFn.apply(...args)`.
 */

import { Tensor } from '../tensor.js';
import { is_grad_enabled, no_grad } from './grad_mode.js';
import { record } from '../ops/dispatch.js';
import { sumTo } from '../ops/reduction.js';
import { RuntimeError } from '../errors.js';
import { rebaseViewHistory } from './node.js';

/**
 * The `ctx` a custom Function's forward and backward share; extra fields may be set on it.
 * @example static override forward(ctx: FunctionCtx, x: Tensor) { ctx.save_for_backward(x); ctx.scale = 2; return x.mul(2); }
 */
export class FunctionCtx {
  /** The tensors given to `save_for_backward`, checked against in-place changes before backward. */
  saved_tensors: Tensor[] = [];
  /** Per forward argument: whether it is a tensor that requires grad (when grad mode is on). */
  needs_input_grad: boolean[] = [];
  /** @internal */ _nonDifferentiable: Set<Tensor> | null = null;
  /** @internal */ _dirty: Set<Tensor> | null = null;
  /** @internal */ _materializeGrads = true;
  [key: string]: unknown;

  /**
   * Saves tensors for backward (read them back from `ctx.saved_tensors`).
   * @example ctx.save_for_backward(x, y) // in forward; in backward: const [x, y] = ctx.saved_tensors
   */
  save_for_backward(...tensors: Tensor[]): void {
    this.saved_tensors = tensors;
  }
  /**
   * Marks outputs that have no gradient (they do not require grad).
   * @example const idx = x.argmax(); ctx.mark_non_differentiable(idx); return [x.max(), idx]
   */
  mark_non_differentiable(...tensors: Tensor[]): void {
    this._nonDifferentiable = new Set(tensors);
  }
  /**
   * Marks inputs that forward modified in place (they are returned as outputs).
   * @example x.mul_(2); ctx.mark_dirty(x); return x
   */
  mark_dirty(...tensors: Tensor[]): void {
    this._dirty = new Set(tensors);
  }
  /**
   * With false, backward gets null instead of zeros for outputs that received no gradient.
   * @example ctx.set_materialize_grads(false) // backward then sees null for unused outputs
   */
  set_materialize_grads(value: boolean): void {
    this._materializeGrads = value;
  }
}

type Out = Tensor | readonly Tensor[];
type GradOut = Tensor | null | undefined;
type ForwardArgs<T> = T extends { forward(ctx: FunctionCtx, ...args: infer A): unknown } ? A : never;
type ForwardResult<T> = T extends { forward(ctx: FunctionCtx, ...args: never[]): infer R } ? R : never;

function isExpandableTo(shape: readonly number[], to: readonly number[]): boolean {
  if (shape.length > to.length) return false;
  for (let i = 1; i <= shape.length; i++) {
    const s = shape[shape.length - i]!;
    if (s !== 1 && s !== to[to.length - i]) return false;
  }
  return true;
}

/**
 * Base class of custom autograd functions. `MyFn.apply` takes forward's arguments (after ctx)
 * and returns what forward returns, with a `MyFnBackward` node recorded for its outputs.
 * Differs from PyTorch: `MyFn.apply` is not bound to its class, so a callback is written
 * `(x) => MyFn.apply(x)` (as in `gradcheck((x) => MyFn.apply(x), [x])`).
 * @example
 * class Exp extends torch.autograd.Function {
 *   static override forward(ctx: FunctionCtx, x: Tensor) { const y = x.exp(); ctx.save_for_backward(y); return y; }
 *   static override backward(ctx: FunctionCtx, g: Tensor) { const [y] = ctx.saved_tensors; return g.mul(y!); }
 * }
 * const y = Exp.apply(x);
 */
export class Function {
  /**
   * `static forward(ctx, ...args)`: the computation, run without recording; save what backward needs on
   * `ctx`. Override it.
   * @example static override forward(ctx: FunctionCtx, x: Tensor) { ctx.save_for_backward(x); return x.clamp(0); }
   */
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Out {
    throw new RuntimeError('You must implement the forward function for custom autograd.Function.');
  }
  /**
   * `static backward(ctx, ...grad_outputs)`: one gradient per forward argument (null where there is
   * none). Override it.
   * @example static override backward(ctx: FunctionCtx, g: Tensor) { const [x] = ctx.saved_tensors; return g.mul(x!.gt(0)); }
   */
  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): GradOut | readonly GradOut[] {
    throw new RuntimeError(
      'You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.',
    );
  }

  /**
   * `MyFn.apply(...args)`: runs forward and records a `MyFnBackward` node for its outputs. Differs from
   * PyTorch: not bound to its class, so pass `(x) => MyFn.apply(x)` as a callback.
   * @example const y = MyRelu.apply(x); y.sum().backward()
   */
  static apply<T extends typeof Function>(this: T, ...args: ForwardArgs<T>): ForwardResult<T>;
  static apply(this: typeof Function | undefined, ...args: unknown[]): Out {
    if (this === undefined) {
      throw new TypeError(
        'Function.apply was called without its class: write MyFn.apply(x), or (...xs) => MyFn.apply(...xs) where a callback is wanted',
      );
    }
    const cls = this;
    const ctx = new FunctionCtx();
    const gradMode = is_grad_enabled();
    ctx.needs_input_grad = args.map((a) => gradMode && a instanceof Tensor && a.requires_grad);
    const raw = no_grad(() => cls.forward(ctx, ...args));
    const outs: readonly Tensor[] = raw instanceof Tensor ? [raw] : raw;
    const dirty = ctx._dirty;
    for (const t of dirty ?? []) {
      if (gradMode && t.is_leaf && t._requiresGrad) {
        throw new RuntimeError('a leaf Variable that requires grad has been used in an in-place operation.');
      }
    }
    // an input returned as-is gets its own tensor to carry the new history, unless it was modified in place
    const results = outs.map((o) => (args.includes(o) && !dirty?.has(o) ? o.detach() : o));
    const nd = ctx._nonDifferentiable;
    const diffIdx = results.flatMap((o, i) => (!nd?.has(outs[i]!) && o.dtype.is_floating_point ? [i] : []));
    const diff = diffIdx.map((i) => results[i]!);
    const name = `${cls.name}Backward`;
    const inputShapes = args.map((a) => (a instanceof Tensor ? a._shape.slice() : null));
    const inputDtypes = args.map((a) => (a instanceof Tensor ? a.dtype : null));
    const node = record(name, args, diff, ctx.saved_tensors.slice(), (grads) => {
      const gs = results.map((o, j) => {
        const k = diffIdx.indexOf(j);
        const g = k >= 0 ? grads[k] : null;
        return g ?? (ctx._materializeGrads ? o.new_zeros(o._shape) : null);
      });
      const r = cls.backward(ctx, ...(gs as Tensor[]));
      const list: readonly GradOut[] = Array.isArray(r) ? r : [r as GradOut];
      if (list.length < args.length || list.slice(args.length).some((g) => g)) {
        throw new RuntimeError(
          `function ${name} returned an incorrect number of gradients (expected ${args.length}, got ${list.length})`,
        );
      }
      return args.map((a, i) => {
        const g = list[i] ?? null;
        if (!g) return null;
        if (!(a instanceof Tensor)) {
          throw new RuntimeError(
            `function ${name} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`,
          );
        }
        if (!a.requires_grad) return null;
        const shape = inputShapes[i]!;
        let out = g;
        if (out._shape.length !== shape.length || out._shape.some((n, d) => n !== shape[d])) {
          if (!isExpandableTo(shape, out._shape)) {
            throw new RuntimeError(
              `Function ${name} returned an invalid gradient at index ${i} - got [${out._shape.join(', ')}] but expected shape compatible with [${shape.join(', ')}]`,
            );
          }
          out = sumTo(out, shape);
        }
        return out.dtype === inputDtypes[i] ? out : out.to(inputDtypes[i]!);
      });
    });
    if (node) node.opaque = true;
    // a view modified in place hands its new history on to its base; CopySlices reads the view's
    // gradient from the node's first input and first output, which is where such a view sits
    const first = results[0];
    if (first && dirty?.has(first) && args[0] === first && first._base && first.grad_fn) {
      rebaseViewHistory(first, first._base, first.grad_fn);
    }
    return raw instanceof Tensor ? results[0]! : results;
  }
}
