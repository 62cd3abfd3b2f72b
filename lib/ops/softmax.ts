import type { DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
export function softmax(x: Tensor, dim: number, dtype?: DType): Tensor { throw new Error('PENDING'); }
export function log_softmax(x: Tensor, dim: number, dtype?: DType): Tensor { throw new Error('PENDING'); }
