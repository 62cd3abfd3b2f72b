/** `optim.SGD`: stochastic gradient descent with momentum, dampening, Nesterov and weight decay. */

import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Algebra } from '../ops/algebra.js';
import { runPointwise, type PointwiseDef } from '../ops/pointwise.js';
import { viewOf } from '../ops/dispatch.js';
import type { SgdStepScalars } from '../backend.js';
import { adoptParam, fusedKernels, stateLike } from './_fused.js';
import { Optimizer, optionsOf, type ParamsInput } from './optimizer.js';

export type SGDOptions = {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
};

/**
 * `optim.SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
 * maximize=False)`: PyTorch's update, step for step — g ← ∇ + wd·θ; b ← μb + (1 - τ)g (b = g
 * at the first step); g ← g + μb (Nesterov) or b; θ ← θ - lr·g.
 * @example const opt = new optim.SGD(net.parameters(), {lr: 0.1, momentum: 0.9}); // or new optim.SGD(params, 0.1)
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, lr?: number | Partial<SGDOptions>, opts?: Partial<SGDOptions>) {
    const o = optionsOf<SGDOptions>(lr, opts);
    const defaults: SGDOptions = {
      lr: o.lr ?? 1e-3,
      momentum: o.momentum ?? 0,
      dampening: o.dampening ?? 0,
      weight_decay: o.weight_decay ?? 0,
      nesterov: o.nesterov ?? false,
      maximize: o.maximize ?? false,
    };
    if (defaults.lr < 0) throw new ValueError(`Invalid learning rate: ${defaults.lr}`);
    if (defaults.momentum < 0) throw new ValueError(`Invalid momentum value: ${defaults.momentum}`);
    if (defaults.weight_decay < 0) throw new ValueError(`Invalid weight_decay value: ${defaults.weight_decay}`);
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
    }
    super(params, defaults);
  }

  protected update(): void {
    for (const g of this.param_groups) {
      const { lr, momentum, dampening, weight_decay, nesterov, maximize } = g;
      // the gradient's sign and the weight decay go into the kernels: d = sign·∇ + wd·θ
      const sign = maximize ? -1 : 1;
      const k = weight_decay === 0 ? plainKernels : decayKernels;
      const scalars = { sign, wd: weight_decay, momentum, dampening, nesterov, lr };
      for (const p of g.params) {
        // `_grad`: the update keeps no reference to it, so zero_grad may give its memory back
        const grad = p._grad;
        if (!grad) continue;
        if (this.fusedStep(p, grad, scalars)) continue;
        if (momentum === 0) {
          runPointwise(k.param, [p, grad], [sign, weight_decay, lr], p);
          continue;
        }
        const state = this.stateOf(p);
        let buf = state.momentum_buffer as Tensor | undefined;
        if (!buf) {
          buf = runPointwise(k.first, [grad, p], [sign, weight_decay]);
          state.momentum_buffer = buf;
        } else {
          runPointwise(k.buffer, [buf, grad, p], [sign, weight_decay, momentum, 1 - dampening], buf);
        }
        if (nesterov) runPointwise(k.nesterov, [p, grad, buf], [sign, weight_decay, momentum, lr], p);
        else runPointwise(sgdStepDef, [p, buf], [lr], p);
      }
    }
  }

  /**
   * The whole update of one parameter in the backend's fused kernel (one pass over θ, ∇ and the
   * buffer), or false when the backend has none or declines these operands.
   */
  private fusedStep(p: Tensor, grad: Tensor, s: SgdStepScalars): boolean {
    const fused = fusedKernels(p);
    if (!fused) return false;
    if (s.momentum === 0) {
      // no state to make the parameter's once: a parameter already moved is checked in O(1)
      adoptParam(p);
      if (!fused.sgd(viewOf(p), viewOf(grad), null, false, s)) return false;
      p._storage.version++;
      return true;
    }
    const state = this.stateOf(p);
    const old = state.momentum_buffer as Tensor | undefined;
    if (old === undefined) adoptParam(p);
    const buf = old ?? stateLike(p, 'empty');
    if (!fused.sgd(viewOf(p), viewOf(grad), viewOf(buf), old === undefined, s)) return false;
    if (old === undefined) state.momentum_buffer = buf;
    p._storage.version++;
    buf._storage.version++;
    return true;
  }
}

// SGD as fused elementwise kernels written into their tensors: PyTorch's neg/add/mul_/add_/add_
// sequence computes the same values (each of its ops rounds to the parameter's dtype, these round
// once), in up to five passes over memory where these take two (one without momentum). A backend
// with fused optimizer kernels (the CPU, for float32: one WebAssembly SIMD pass, see _fused.ts)
// runs the whole update instead.
const kernel = (name: string, f: PointwiseDef['f']): PointwiseDef => ({ name, node: name, kind: 'promote', f });

/** The kernels, with the weight decay term or without it (θ·0 would turn an infinite θ into NaN). */
function sgdKernels(decay: boolean) {
  const tag = decay ? '_wd' : '';
  /** d = sign·∇ (+ wd·θ) */
  const dir = <V>(A: Algebra<V>, g: V, p: V, sign: V, wd: V): V => (decay ? A.add(A.mul(g, sign), A.mul(p, wd)) : A.mul(g, sign));
  return {
    /** θ ← θ - lr·d (no momentum) */
    param: kernel(`sgd_param${tag}`, (A, p, g, sign, wd, lr) => A.sub(p, A.mul(lr, dir(A, g, p, sign, wd)))),
    /** b ← d (the first step) */
    first: kernel(`sgd_first${tag}`, (A, g, p, sign, wd) => dir(A, g, p, sign, wd)),
    /** b ← μ·b + (1-τ)·d */
    buffer: kernel(`sgd_buffer${tag}`, (A, b, g, p, sign, wd, mu, damp) => A.add(A.mul(b, mu), A.mul(dir(A, g, p, sign, wd), damp))),
    /** θ ← θ - lr·(d + μ·b) (Nesterov; θ is read before it is written, so d is this step's) */
    nesterov: kernel(`sgd_nesterov${tag}`, (A, p, g, b, sign, wd, mu, lr) => A.sub(p, A.mul(lr, A.add(dir(A, g, p, sign, wd), A.mul(b, mu))))),
  };
}
const plainKernels = sgdKernels(false);
const decayKernels = sgdKernels(true);
/** θ ← θ - lr·b */
const sgdStepDef = kernel('sgd_step', (A, p, b, lr) => A.sub(p, A.mul(lr, b)));
