import type { Tensor } from '../tensor.js';
export function tensorRepr(t: Tensor): string { return `tensor(${JSON.stringify(t.tolist())})`; }
export function set_printoptions(opts: { precision?: number; threshold?: number; edgeitems?: number; linewidth?: number; sci_mode?: boolean | null; profile?: string }): void {}
