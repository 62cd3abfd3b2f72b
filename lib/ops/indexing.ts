import type { Tensor, Scalar } from '../tensor.js';
export type IndexItem = number | string | null | Tensor | readonly number[] | readonly boolean[];
export function getitem(x: Tensor, index: readonly IndexItem[]): Tensor { throw new Error('PENDING'); }
export function setitem(x: Tensor, index: readonly IndexItem[], value: Tensor | Scalar): void { throw new Error('PENDING'); }
export function index_put_(x: Tensor, indices: readonly (Tensor | null)[], values: Tensor | Scalar, accumulate: boolean): void { throw new Error('PENDING'); }
export function gather(x: Tensor, dim: number, index: Tensor): Tensor { throw new Error('PENDING'); }
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, reduce?: 'add' | 'multiply'): Tensor { throw new Error('PENDING'); }
export function scatter_(x: Tensor, dim: number, index: Tensor, src: Tensor | Scalar, reduce?: 'add' | 'multiply'): void { throw new Error('PENDING'); }
export function scatter_add(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor { throw new Error('PENDING'); }
export function scatter_add_(x: Tensor, dim: number, index: Tensor, src: Tensor): void { throw new Error('PENDING'); }
export function index_select(x: Tensor, dim: number, index: Tensor): Tensor { throw new Error('PENDING'); }
export function index_add_(x: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number): void { throw new Error('PENDING'); }
export function masked_select(x: Tensor, mask: Tensor): Tensor { throw new Error('PENDING'); }
export function nonzero(x: Tensor): Tensor { throw new Error('PENDING'); }
export function take(x: Tensor, index: Tensor): Tensor { throw new Error('PENDING'); }
