/**
 * `torch.autograd.gradcheck` / `gradgradcheck`: compare autograd's Jacobians with central
 * finite differences, as PyTorch's slow mode does.
 */

import { Tensor } from '../tensor.js';
import { RuntimeError, ValueError } from '../errors.js';
import { runBackward } from './engine.js';
import { readValues } from '../ops/copy.js';
import { fromValues } from '../ops/creation.js';
import { viewOf } from '../ops/dispatch.js';
import { backendFor } from '../device.js';

/**
 * What gradcheck raises when a check fails (a RuntimeError, as in PyTorch).
 * @example try { torch.autograd.gradcheck(f, [x]); } catch (e) { if (e instanceof torch.autograd.GradcheckError) console.log(e.message); }
 */
export class GradcheckError extends RuntimeError {
  override name = 'GradcheckError';
}

export interface GradcheckOptions {
  /** Finite-difference step (1e-6). */
  eps?: number;
  /** Absolute tolerance (1e-5). */
  atol?: number;
  /** Relative tolerance (1e-3). */
  rtol?: number;
  /** Throw a GradcheckError on failure (true), or return false. */
  raise_exception?: boolean;
  /** How far two backward passes with the same inputs may disagree (0). */
  nondet_tol?: number;
}

type Outputs = Tensor | readonly Tensor[];
type Fn = (...inputs: Tensor[]) => Outputs;

function flatOutputs(r: Outputs): readonly Tensor[] {
  return r instanceof Tensor ? [r] : r;
}

/** The storage offset of `t`'s i-th element in row-major order. */
function elementOffset(t: Tensor, i: number): number {
  let off = t._offset;
  for (let d = t._shape.length - 1; d >= 0; d--) {
    const n = t._shape[d]!;
    off += (i % n) * t._strides[d]!;
    i = Math.floor(i / n);
  }
  return off;
}

/** Sets one element without bumping the version counter: gradcheck restores every value it perturbs. */
function poke(t: Tensor, i: number, v: number): void {
  const elem = { ...viewOf(t), shape: [], strides: [], offset: elementOffset(t, i) };
  backendFor(t.device).write(elem, Float64Array.of(v));
}

function matrix(rows: Float64Array[], cols: number, like: Tensor): Tensor {
  const flat = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => flat.set(r, i * cols));
  const vals = new like.dtype.array(flat.length);
  vals.set(flat);
  return fromValues(vals, [rows.length, cols], like.dtype, like.device);
}

/** Rows indexed by input element, columns by output element: PyTorch's Jacobian layout. */
function jacobians(n: number, outSizes: readonly number[]): Float64Array[][] {
  return outSizes.map((m) => Array.from({ length: n }, () => new Float64Array(m)));
}

/**
 * Checks the gradients of `fn` at `inputs` (float64 inputs with requires_grad) against central
 * finite differences; throws a GradcheckError showing both Jacobians, unless `raise_exception`
 * is false, when it returns false.
 * Differs from PyTorch: only the slow (full Jacobian) mode; no forward-mode or batched checks.
 * @example torch.autograd.gradcheck((x) => x.exp(), [torch.tensor([0.5, 1.5], {dtype: torch.float64, requires_grad: true})])
 */
export function gradcheck(fn: Fn, inputs: Tensor | readonly Tensor[], opts: GradcheckOptions = {}): boolean {
  const ins = inputs instanceof Tensor ? [inputs] : inputs.slice();
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const raise = opts.raise_exception ?? true;
  const nondetTol = opts.nondet_tol ?? 0;
  const diffIns = ins.filter((x) => x.requires_grad);
  if (diffIns.length === 0) {
    throw new ValueError(
      'gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.',
    );
  }
  const fail = (message: string): false => {
    if (raise) throw new GradcheckError(message);
    return false;
  };

  // numerical Jacobians first, so no graph built for the analytical pass sees perturbed inputs;
  // fn runs in the caller's grad mode, as gradgradcheck's function needs autograd inside it
  const outSizes = flatOutputs(fn(...ins)).map((o) => o.numel());
  const evalOutputs = () => flatOutputs(fn(...ins)).map((o) => Float64Array.from(readValues(o)));
  const numerical = diffIns.map((x) => {
    const jac = jacobians(x.numel(), outSizes);
    const orig = readValues(x);
    for (let i = 0; i < x.numel(); i++) {
      const v = orig[i]!;
      poke(x, i, v + eps);
      const plus = evalOutputs();
      poke(x, i, v - eps);
      const minus = evalOutputs();
      poke(x, i, v);
      plus.forEach((p, o) => {
        const row = jac[o]![i]!;
        for (let j = 0; j < p.length; j++) row[j] = (p[j]! - minus[o]![j]!) / (2 * eps);
      });
    }
    return jac;
  });

  // analytical Jacobians: one backward per output element, seeded with a one-hot gradient
  const outs = flatOutputs(fn(...ins));
  const analytical = diffIns.map((x) => jacobians(x.numel(), outSizes));
  for (let o = 0; o < outs.length; o++) {
    const out = outs[o]!;
    if (!out.requires_grad) {
      for (let k = 0; k < diffIns.length; k++) {
        if (numerical[k]![o]!.some((row) => row.some((v) => Math.abs(v) > atol))) {
          return fail('Numerical gradient for function expected to be zero');
        }
      }
      continue;
    }
    for (let j = 0; j < outSizes[o]!; j++) {
      const hot = new out.dtype.array(outSizes[o]!);
      hot[j] = 1;
      const seed = fromValues(hot, out._shape.slice(), out.dtype, out.device);
      const pass = () =>
        runBackward([out], [seed], { retain_graph: true, create_graph: false, inputs: diffIns, allow_unused: true }).map((g) =>
          g ? readValues(g) : null,
        );
      const first = pass();
      const second = pass();
      for (let k = 0; k < diffIns.length; k++) {
        const a = first[k];
        const b = second[k];
        const n = diffIns[k]!.numel();
        for (let i = 0; i < n; i++) {
          const va = a ? a[i]! : 0;
          const vb = b ? b[i]! : 0;
          if (!(Math.abs(va - vb) <= nondetTol)) {
            return fail(
              `Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient.The tolerance for nondeterminism was ${nondetTol}.`,
            );
          }
          analytical[k]![o]![i]![j] = va;
        }
      }
    }
  }

  for (let o = 0; o < outs.length; o++) {
    if (!outs[o]!.requires_grad) continue;
    for (let k = 0; k < diffIns.length; k++) {
      const ana = analytical[k]![o]!;
      const num = numerical[k]![o]!;
      const close = ana.every((row, i) => row.every((a, j) => Math.abs(a - num[i]![j]!) <= atol + rtol * Math.abs(num[i]![j]!)));
      if (!close) {
        const x = diffIns[k]!;
        return fail(
          `Jacobian mismatch for output ${o} with respect to input ${k},\n` +
            `numerical:${matrix(num, outSizes[o]!, x)}\nanalytical:${matrix(ana, outSizes[o]!, x)}\n`,
        );
      }
    }
  }
  return true;
}

/** Deterministic values in [-1, 1) for the grad_outputs gradgradcheck makes up. */
function spread(n: number, salt: number): number[] {
  let s = (0x9e3779b9 ^ (salt * 0x85ebca6b)) >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

/**
 * Second-order check: gradcheck of the function mapping (inputs, grad_outputs) to the gradients
 * of `fn`'s outputs w.r.t. its inputs (built with create_graph), so it checks the backward's own
 * backward. Without `grad_outputs`, fixed pseudo-random ones are used (PyTorch draws random ones).
 * @example torch.autograd.gradgradcheck((x) => x.pow(3), [x])
 */
export function gradgradcheck(
  fn: Fn,
  inputs: Tensor | readonly Tensor[],
  grad_outputs?: Tensor | readonly Tensor[] | GradcheckOptions | null,
  opts: GradcheckOptions = {},
): boolean {
  let gradOutputs: readonly Tensor[] | null = null;
  if (grad_outputs instanceof Tensor) gradOutputs = [grad_outputs];
  else if (Array.isArray(grad_outputs)) gradOutputs = grad_outputs as readonly Tensor[];
  else if (grad_outputs) opts = grad_outputs as GradcheckOptions;
  const ins = inputs instanceof Tensor ? [inputs] : inputs.slice();
  if (!gradOutputs) {
    const outs = flatOutputs(fn(...ins)).filter((o) => o.requires_grad);
    gradOutputs = outs.map((o, i) => {
      const vals = new o.dtype.array(o.numel());
      vals.set(spread(o.numel(), i));
      return fromValues(vals, o._shape.slice(), o.dtype, o.device).requires_grad_();
    });
  }
  const n = ins.length;
  const gradFn = (...xs: Tensor[]): Tensor[] => {
    const xsIn = xs.slice(0, n);
    const outs = flatOutputs(fn(...xsIn)).filter((o) => o.requires_grad);
    const wrt = xsIn.filter((x) => x.requires_grad);
    const gs = runBackward(outs.slice(), xs.slice(n), { retain_graph: true, create_graph: true, inputs: wrt, allow_unused: true });
    return gs.filter((g): g is Tensor => g !== null);
  };
  return gradcheck(gradFn, [...ins, ...gradOutputs], opts);
}
