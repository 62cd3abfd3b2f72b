import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
export function cumsum(x: Tensor, dim: number, dtype?: DType): Tensor { throw new Error('PENDING'); }
export function cumprod(x: Tensor, dim: number, dtype?: DType): Tensor { throw new Error('PENDING'); }
