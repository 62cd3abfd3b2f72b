import type { Tensor } from '../tensor.js';
export function cat(tensors: readonly Tensor[], dim = 0): Tensor { throw new Error('PENDING'); }
export function stack(tensors: readonly Tensor[], dim = 0): Tensor { throw new Error('PENDING'); }
export function split(x: Tensor, s: number | readonly number[], dim = 0): Tensor[] { throw new Error('PENDING'); }
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] { throw new Error('PENDING'); }
export function unbind(x: Tensor, dim = 0): Tensor[] { throw new Error('PENDING'); }
export function flip(x: Tensor, dims: readonly (number | readonly number[])[]): Tensor { throw new Error('PENDING'); }
export function roll(x: Tensor, shifts: number | readonly number[], dims: number | readonly number[] | null): Tensor { throw new Error('PENDING'); }
export function repeat(x: Tensor, sizes: readonly (number | readonly number[])[]): Tensor { throw new Error('PENDING'); }
export function tile(x: Tensor, dims: readonly (number | readonly number[])[]): Tensor { throw new Error('PENDING'); }
export function repeat_interleave(x: Tensor, repeats: number | Tensor, dim: number | null): Tensor { throw new Error('PENDING'); }
export function tril(x: Tensor, diagonal = 0): Tensor { throw new Error('PENDING'); }
export function triu(x: Tensor, diagonal = 0): Tensor { throw new Error('PENDING'); }
