/**
 * Tensor's in-place random fills (`uniform_`, `normal_`, `bernoulli_`, `random_`,
 * `exponential_`), drawing PyTorch's stream for a given seed. They delegate to ops/random.ts.
 */

import type { Tensor } from '../tensor.js';
import * as rnd from '../ops/random.js';
import { installMethods } from './install.js';

/** The Tensor methods that fill x with random draws, installed by `installRandomFills()`. */
// declared on Tensor itself, so hovers and errors name `Tensor.method`
declare module '../tensor.js' {
  interface Tensor {
    /**
     * `x.uniform_(from=0, to=1, *, generator=None)`: fills x with U(from, to) draws, PyTorch's stream for
     * a given seed.
     * @example torch.empty(3, 5).uniform_(-0.1, 0.1)
     */
    uniform_(from?: number, to?: number, opts?: { generator?: rnd.Generator }): this;
    /**
     * `x.normal_(mean=0, std=1, *, generator=None)`: fills x with N(mean, std²) draws, PyTorch's stream
     * for a given seed.
     * @example torch.empty(784, 10).normal_(0, 0.01)
     */
    normal_(mean?: number, std?: number, opts?: { generator?: rnd.Generator }): this;
    /**
     * `x.bernoulli_(p=0.5, *, generator=None)`: fills x with 0/1 draws that are 1 with probability p (a
     * number or a tensor).
     * @example torch.empty(4).bernoulli_(0.8) // a dropout keep-mask
     */
    bernoulli_(p?: number | Tensor, opts?: { generator?: rnd.Generator }): this;
    /**
     * `x.random_(from=0, to=None, *, generator=None)`: fills x with integers drawn uniformly from [from,
     * to) (`x.random_(to)` is [0, to); to None: up to the dtype's limit).
     * @example torch.empty(5, {dtype: torch.int64}).random_(10)
     */
    random_(from?: number, to?: number | null, opts?: { generator?: rnd.Generator }): this;
    /** `x.exponential_(lambd=1, *, generator=None)`: fills x with Exp(lambd) draws. @example torch.empty(3).exponential_(2) */
    exponential_(lambd?: number, opts?: { generator?: rnd.Generator }): this;
  }
}

const methods: Partial<Tensor> & ThisType<Tensor> = {
  uniform_(from = 0, to = 1, opts?) { rnd.uniform_(this, from, to, opts?.generator); return this; },
  normal_(mean = 0, std = 1, opts?) { rnd.normal_(this, mean, std, opts?.generator); return this; },
  bernoulli_(p = 0.5, opts?) { rnd.bernoulli_(this, p, opts?.generator); return this; },
  random_(from?, to?, opts?) { rnd.random_(this, from, to, opts?.generator); return this; },
  exponential_(lambd = 1, opts?) { rnd.exponential_(this, lambd, opts?.generator); return this; },
};

/** Installs the methods on Tensor.prototype (called once, by tensor.ts, right after the class). */
export function installRandomFills(): void {
  installMethods(methods);
}
