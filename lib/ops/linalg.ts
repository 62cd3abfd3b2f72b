import type { Tensor } from '../tensor.js';
export function matmul(a: Tensor, b: Tensor): Tensor { throw new Error('PENDING'); }
export function mm(a: Tensor, b: Tensor): Tensor { throw new Error('PENDING'); }
export function bmm(a: Tensor, b: Tensor): Tensor { throw new Error('PENDING'); }
export function mv(a: Tensor, b: Tensor): Tensor { throw new Error('PENDING'); }
export function dot(a: Tensor, b: Tensor): Tensor { throw new Error('PENDING'); }
export function outer(a: Tensor, b: Tensor): Tensor { throw new Error('PENDING'); }
export function addmm(self: Tensor, m1: Tensor, m2: Tensor, beta: number, alpha: number): Tensor { throw new Error('PENDING'); }
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor { throw new Error('PENDING'); }
