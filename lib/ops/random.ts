import type { Tensor } from '../tensor.js';
export class Generator { manual_seed(seed: number): this { return this; } }
export function uniform_(x: Tensor, from: number, to: number, g?: Generator): void { throw new Error('PENDING'); }
export function normal_(x: Tensor, mean: number, std: number, g?: Generator): void { throw new Error('PENDING'); }
export function bernoulli_(x: Tensor, p: number | Tensor, g?: Generator): void { throw new Error('PENDING'); }
export function random_(x: Tensor, from: number, to?: number, g?: Generator): void { throw new Error('PENDING'); }
export function exponential_(x: Tensor, lambd: number, g?: Generator): void { throw new Error('PENDING'); }
export const default_generator = new Generator();
export function manual_seed(seed: number): Generator { throw new Error('PENDING'); }
export function seed(): number { throw new Error('PENDING'); }
export function initial_seed(): number { throw new Error('PENDING'); }
export function get_rng_state(): Tensor { throw new Error('PENDING'); }
export function set_rng_state(state: Tensor): void { throw new Error('PENDING'); }
export function rand(...args: unknown[]): Tensor { throw new Error('PENDING'); }
export function randn(...args: unknown[]): Tensor { throw new Error('PENDING'); }
export function randint(...args: unknown[]): Tensor { throw new Error('PENDING'); }
export function randperm(n: number, opts?: unknown): Tensor { throw new Error('PENDING'); }
export function rand_like(x: Tensor, opts?: unknown): Tensor { throw new Error('PENDING'); }
export function randn_like(x: Tensor, opts?: unknown): Tensor { throw new Error('PENDING'); }
export function randint_like(x: Tensor, ...args: unknown[]): Tensor { throw new Error('PENDING'); }
export function bernoulli(x: Tensor, opts?: unknown): Tensor { throw new Error('PENDING'); }
export function multinomial(x: Tensor, n: number, replacement?: boolean, opts?: unknown): Tensor { throw new Error('PENDING'); }
export function normal(...args: unknown[]): Tensor { throw new Error('PENDING'); }
