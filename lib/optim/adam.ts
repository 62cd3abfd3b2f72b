/** `optim.Adam` (and the shared Adam step that AdamW reuses). */

import { ValueError } from '../errors.js';
import { floatRepr } from '../display/pyformat.js';
import type { Tensor } from '../tensor.js';
import { get_default_dtype } from '../dtype.js';
import { scalar_tensor } from '../ops/creation.js';
import type { Algebra } from '../ops/algebra.js';
import { runPointwise, type PointwiseDef } from '../ops/pointwise.js';
import { viewOf } from '../ops/dispatch.js';
import type { AdamStepScalars } from '../backend.js';
import { adoptParam, fusedKernels, stateLike } from './_fused.js';
import { Optimizer, incrementStep, optionsOf, type ParamGroup, type ParamsInput, type ParamState } from './optimizer.js';

export type AdamOptions = {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
};

/** Fills in Adam's defaults (weight decay given) and checks them with PyTorch's messages. */
export function adamDefaults(o: Partial<AdamOptions>, weightDecay: number): AdamOptions {
  const d: AdamOptions = {
    lr: o.lr ?? 1e-3,
    betas: o.betas ? [o.betas[0], o.betas[1]] : [0.9, 0.999],
    eps: o.eps ?? 1e-8,
    weight_decay: o.weight_decay ?? weightDecay,
    amsgrad: o.amsgrad ?? false,
    maximize: o.maximize ?? false,
  };
  if (!(d.lr >= 0)) throw new ValueError(`Invalid learning rate: ${d.lr}`);
  if (!(d.eps >= 0)) throw new ValueError(`Invalid epsilon value: ${d.eps}`);
  // betas are floats in Python, so they print as 1.0
  if (!(d.betas[0] >= 0 && d.betas[0] < 1)) throw new ValueError(`Invalid beta parameter at index 0: ${floatRepr(d.betas[0])}`);
  if (!(d.betas[1] >= 0 && d.betas[1] < 1)) throw new ValueError(`Invalid beta parameter at index 1: ${floatRepr(d.betas[1])}`);
  if (!(d.weight_decay >= 0)) throw new ValueError(`Invalid weight_decay value: ${d.weight_decay}`);
  return d;
}

// Adam's updates as single elementwise kernels written into their tensors: PyTorch's sequence of
// neg/add/mul_/add_/addcmul_/sqrt/div/add_/addcdiv_ computes the same values (each of its ops
// rounds to the parameter's dtype, these round each stored tensor once), as up to eleven passes
// over memory where these take three. The gradient's sign (maximize) and L2 weight decay are
// folded into the moment kernels: d = sign·∇ (+ wd·θ). A backend with fused optimizer kernels
// (the CPU, for float32: one WebAssembly SIMD pass, see _fused.ts) runs the whole update instead.
const kernel = (name: string, f: PointwiseDef['f']): PointwiseDef => ({ name, node: name, kind: 'promote', f });

/** The moment kernels, with the L2 term or without it (θ·0 would turn an infinite θ into NaN). */
function momentKernels(decay: boolean) {
  const tag = decay ? '_wd' : '';
  const dir = <V>(A: Algebra<V>, g: V, p: V, sign: V, wd: V): V => (decay ? A.add(A.mul(g, sign), A.mul(p, wd)) : A.mul(g, sign));
  return {
    /** m ← β₁·m + (1-β₁)·d */
    expAvg: kernel(`adam_exp_avg${tag}`, (A, m, g, p, sign, wd, b1, omb1) => A.add(A.mul(m, b1), A.mul(dir(A, g, p, sign, wd), omb1))),
    /** v ← β₂·v + (1-β₂)·d² */
    expAvgSq: kernel(`adam_exp_avg_sq${tag}`, (A, v, g, p, sign, wd, b2, omb2) => {
      const d = dir(A, g, p, sign, wd);
      return A.add(A.mul(v, b2), A.mul(A.mul(d, d), omb2));
    }),
  };
}
const plainMoments = momentKernels(false);
const decayMoments = momentKernels(true);
/**
 * θ ← decay·θ - step_size · m / (√v / √(1-β₂ᵗ) + ε), the first division as a product with the
 * float64 reciprocal (one division less per element; the difference is far below float32's).
 */
const paramDef = kernel('adam_param', (A, p, m, v, decay, stepSize, invBc2Sqrt, eps) =>
  A.sub(A.mul(p, decay), A.mul(stepSize, A.div(m, A.add(A.mul(A.sqrt(v), invBc2Sqrt), eps)))),
);

/**
 * The whole update of one parameter in the backend's fused kernel (one pass over θ, ∇, m, v),
 * or false when the backend has none or declines these operands.
 */
function fusedStep(p: Tensor, grad: Tensor, state: ParamState, amsgrad: boolean, s: AdamStepScalars): boolean {
  const fused = fusedKernels(p);
  if (!fused) return false;
  const m = state.exp_avg as Tensor;
  const v = state.exp_avg_sq as Tensor;
  let vmax: Tensor | null = null;
  if (amsgrad) vmax = (state.max_exp_avg_sq as Tensor | undefined) ?? (state.max_exp_avg_sq = stateLike(p));
  if (!fused.adam(viewOf(p), viewOf(grad), viewOf(m), viewOf(v), vmax && viewOf(vmax), s)) return false;
  for (const t of [p, m, v, vmax]) if (t) t._storage.version++;
  return true;
}

/**
 * One Adam update of every parameter with a gradient, as PyTorch's single-tensor Adam:
 * m ← β₁m + (1-β₁)g; v ← β₂v + (1-β₂)g²; θ ← θ - lr/(1-β₁ᵗ) · m / (√v̂/√(1-β₂ᵗ) + ε),
 * with v̂ = v or its running maximum (amsgrad). `decoupled` applies weight decay as AdamW.
 */
export function adamUpdate(groups: ParamGroup<AdamOptions>[], stateOf: (p: Tensor) => ParamState, decoupled: boolean): void {
  for (const g of groups) {
    const { lr, eps, weight_decay, amsgrad, maximize } = g;
    const [beta1, beta2] = g.betas;
    const sign = maximize ? -1 : 1;
    const l2 = !decoupled && weight_decay !== 0;
    const moments = l2 ? decayMoments : plainMoments;
    const decay = decoupled ? 1 - lr * weight_decay : 1;
    for (const p of g.params) {
      // `_grad`: the update keeps no reference to it, so zero_grad may give its memory back
      const grad = p._grad;
      if (!grad) continue;
      const state = stateOf(p);
      if (state.step === undefined) {
        // a float tensor, as PyTorch keeps it (so state dicts load in either direction)
        adoptParam(p);
        state.step = scalar_tensor(0, { dtype: get_default_dtype() });
        state.exp_avg = stateLike(p);
        state.exp_avg_sq = stateLike(p);
        if (amsgrad) state.max_exp_avg_sq = stateLike(p);
      }
      const stepT = state.step as Tensor;
      const expAvg = state.exp_avg as Tensor;
      const expAvgSq = state.exp_avg_sq as Tensor;
      const step = incrementStep(stepT);
      const bc1 = 1 - beta1 ** step;
      const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      if (fusedStep(p, grad, state, amsgrad, { sign, wd: l2 ? weight_decay : 0, beta1, beta2, decay, stepSize: lr / bc1, bc2Sqrt, eps })) continue;
      runPointwise(moments.expAvg, [expAvg, grad, p], [sign, weight_decay, beta1, 1 - beta1], expAvg);
      runPointwise(moments.expAvgSq, [expAvgSq, grad, p], [sign, weight_decay, beta2, 1 - beta2], expAvgSq);
      let denomSq = expAvgSq;
      if (amsgrad) {
        let maxSq = state.max_exp_avg_sq as Tensor | undefined;
        if (!maxSq) state.max_exp_avg_sq = maxSq = stateLike(p);
        denomSq = maxSq.maximum_(expAvgSq);
      }
      runPointwise(paramDef, [p, expAvg, denomSq], [decay, lr / bc1, 1 / bc2Sqrt, eps], p);
    }
  }
}

/**
 * `optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
 * maximize=False)`: PyTorch's update rule step for step (weight decay added to the gradient).
 * @example const opt = new optim.Adam(net.parameters(), {lr: 0.005})
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsInput<AdamOptions>, lr?: number | Partial<AdamOptions>, opts?: Partial<AdamOptions>) {
    super(params, adamDefaults(optionsOf<AdamOptions>(lr, opts), 0));
  }

  protected update(): void {
    adamUpdate(this.param_groups, (p) => this.stateOf(p), false);
  }
}
