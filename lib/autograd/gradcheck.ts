/** `torch.autograd.gradcheck`: compares autograd's gradients with central finite differences. */

import { Tensor } from '../tensor.js';
import { RuntimeError } from '../errors.js';
import { no_grad } from './grad_mode.js';
import { runBackward } from './engine.js';
import { readValues } from '../ops/copy.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  raise_exception?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function flatOutputs(r: Tensor | Tensor[]): Tensor[] {
  return r instanceof Tensor ? [r] : r;
}

/**
 * Checks the gradients of `fn` at `inputs` (use float64 inputs with requires_grad) against
 * numerical ones; throws with the mismatching Jacobians unless `raise_exception` is false.
 * @example torch.autograd.gradcheck((x) => x.exp(), [torch.randn(3, {dtype: torch.float64, requires_grad: true})])
 */
export function gradcheck(fn: Fn, inputs: Tensor | Tensor[], opts: GradcheckOptions = {}): boolean {
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  const raise = opts.raise_exception ?? true;
  const outs0 = no_grad(() => flatOutputs(fn(...ins)));
  const outSizes = outs0.map((o) => o.numel());
  const totalOut = outSizes.reduce((a, b) => a + b, 0);

  for (let k = 0; k < ins.length; k++) {
    const x = ins[k]!;
    if (!x.requires_grad) continue;
    const n = x.numel();
    // numerical Jacobian: column i = (f(x + eps e_i) - f(x - eps e_i)) / 2eps
    const numerical: Float64Array[] = [];
    const flat = x.detach().view(-1);
    for (let i = 0; i < n; i++) {
      const orig = flat.get(i).item();
      const eval_ = (v: number) =>
        no_grad(() => {
          flat.set(i, v);
          return flatOutputs(fn(...ins)).flatMap((o) => Array.from(readValues(o.to(x.dtype))));
        });
      const plus = eval_(orig + eps);
      const minus = eval_(orig - eps);
      no_grad(() => flat.set(i, orig));
      numerical.push(Float64Array.from(plus, (p, j) => (p - minus[j]!) / (2 * eps)));
    }
    // analytical Jacobian: row j from a backward pass seeded with e_j
    const analytical: Float64Array[] = Array.from({ length: n }, () => new Float64Array(totalOut));
    let row = 0;
    const outs = flatOutputs(fn(...ins));
    for (let o = 0; o < outs.length; o++) {
      const out = outs[o]!;
      for (let j = 0; j < outSizes[o]!; j++, row++) {
        if (!out.requires_grad) continue;
        const seed = out.detach().mul(0).view(-1);
        no_grad(() => seed.set(j, 1));
        const [g] = runBackward([out], [seed.view(out._shape)], { retain_graph: true, create_graph: false, inputs: [x], allow_unused: true });
        if (!g) continue;
        const gv = readValues(g.to(x.dtype));
        for (let i = 0; i < n; i++) analytical[i]![row] = gv[i]!;
      }
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < totalOut; j++) {
        const a = analytical[i]![j]!;
        const b = numerical[i]![j]!;
        if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
          if (!raise) return false;
          throw new RuntimeError(
            `Jacobian mismatch for output ${j} with respect to input ${k},\nnumerical:${b}\nanalytical:${a}\n(element ${i})`,
          );
        }
      }
    }
  }
  return true;
}

/** Second-order check: gradcheck of the gradient function (create_graph). */
export function gradgradcheck(fn: Fn, inputs: Tensor | Tensor[], opts: GradcheckOptions = {}): boolean {
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  const gradFn = (...xs: Tensor[]): Tensor[] => {
    const outs = flatOutputs(fn(...xs));
    const seeds = outs.map((o) => o.detach().mul(0).add(1));
    const wrt = xs.filter((x) => x.requires_grad);
    const gs = runBackward(outs, seeds, { retain_graph: true, create_graph: true, inputs: wrt, allow_unused: true });
    return gs.filter((g): g is Tensor => g !== null && g.requires_grad);
  };
  return gradcheck(gradFn, ins, opts);
}
