import type { Tensor, ValuesIndices } from '../tensor.js';
export function sort(x: Tensor, dim?: number | { dim?: number; descending?: boolean; stable?: boolean }, descending?: boolean): ValuesIndices { throw new Error('PENDING sort'); }
export function topk(x: Tensor, k: number, dim?: number | { dim?: number; largest?: boolean; sorted?: boolean }, largest?: boolean, sorted?: boolean): ValuesIndices { throw new Error('PENDING topk'); }
