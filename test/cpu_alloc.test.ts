/**
 * CPU outputs allocated without clearing (Backend.alloc's `overwritten`: pointwise results,
 * products, convolutions, pooling, index_select) must be written whole by their kernels. With
 * `cpuAllocConfig.poisonOverwritten` those allocations start as 0x7f bytes instead of zeros, so an
 * element a kernel skips would come out as garbage: every result here must equal the unpoisoned
 * one bit for bit.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { F, type Tensor } from '../lib/index.js';
import { cpuAllocConfig } from '../lib/backends/cpu/index.js';
import { wasmGemmConfig } from '../lib/backends/cpu/wasm/gemm.js';

/** The results of `fn` (tensors, flattened to their values and dtypes) with and without poison. */
function both(fn: () => Tensor[]): [unknown[], unknown[]] {
  const run = (poison: boolean) => {
    cpuAllocConfig.poisonOverwritten = poison;
    torch.manual_seed(0);
    return fn().map((t) => [t.dtype.name, t.shape, t.tolist()]);
  };
  return [run(false), run(true)];
}

afterEach(() => {
  cpuAllocConfig.poisonOverwritten = false;
  wasmGemmConfig.enabled = true;
});

describe('outputs allocated without clearing are written whole', () => {
  it('pointwise ops of every dtype, broadcasting, and products on both kernels', () => {
    const [plain, poisoned] = both(() => {
      const a = torch.randn(37, 53);
      const b = torch.randn(53);
      const i = torch.randint(-5, 5, [37, 53]);
      const out = [a.add(b), a.mul(2).relu(), a.gt(0), i.mul(3), i.to(torch.uint8), a.exp().log1p(), a.lt(b).logical_not()];
      for (const wasm of [true, false]) {
        wasmGemmConfig.enabled = wasm;
        out.push(a.matmul(a.t()), torch.addmm(b.narrow(0, 0, 37), a, a.t()), a.t().matmul(a), torch.randn(3, 4, 5).matmul(torch.randn(5, 6)));
      }
      out.push(i.double().matmul(i.t().double()), torch.randn(64, 784).index_select(0, torch.tensor([5, 0, 63, 5])));
      return out;
    });
    expect(poisoned).toEqual(plain);
  });

  it('convolution, pooling and their gradients (direct and strided kernels)', () => {
    const [plain, poisoned] = both(() => {
      const out: Tensor[] = [];
      for (const [stride, padding] of [[1, 2], [2, 1]] as const) {
        const x = torch.randn(3, 2, 11, 13, { requires_grad: true });
        const w = torch.randn(4, 2, 3, 5, { requires_grad: true });
        const bias = torch.randn(4, { requires_grad: true });
        const y = F.conv2d(x, w, bias, stride, padding);
        const [p, idx] = F.max_pool2d(y, 2, { return_indices: true }) as unknown as [Tensor, Tensor];
        p.pow(2).sum().backward();
        out.push(y, p, idx, x.grad!, w.grad!, bias.grad!);
      }
      return out;
    });
    expect(poisoned).toEqual(plain);
  });
});
