/**
 * Differential test of nn.RNN / nn.LSTM / nn.GRU and the cells on 'cuda' (WebGPU) against
 * 'cpu': same weights (made on the CPU, then module.to('cuda')), outputs, final states, and the
 * gradients of input, initial state and every parameter.
 */

import { describe, expect, it } from 'vitest';
import torch, { nn, type Tensor } from '../../lib/index.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

const TOL = [2e-4, 2e-5] as const;

function randn(shape: number[], seed: number): Tensor {
  torch.manual_seed(seed);
  return torch.randn(shape);
}

function flat(res: unknown): Tensor[] {
  return Array.isArray(res) ? res.flatMap(flat) : [res as Tensor];
}

/** Runs `make()` on both devices with the same weights and inputs and compares everything. */
function check(what: string, make: () => nn.Module, input: number[], hx: number[][] = []): void {
  const run = (dev: 'cpu' | 'cuda') => {
    torch.manual_seed(7);
    const m = make().to(dev);
    const x = randn(input, 1).to(dev).requires_grad_();
    const hs = hx.map((s, i) => randn(s, 2 + i).to(dev).requires_grad_());
    const call = m as unknown as (...a: unknown[]) => unknown;
    const outs = flat(hs.length === 0 ? call(x) : call(x, hs.length === 1 ? hs[0] : hs));
    let loss = outs[0]!.mul(randn([...outs[0]!.shape], 10).to(dev)).sum();
    outs.slice(1).forEach((o, i) => (loss = loss.add(o.mul(randn([...o.shape], 11 + i).to(dev)).sum())));
    loss.backward();
    return { m, x, hs, outs };
  };
  const cpu = run('cpu');
  const gpu = run('cuda');
  cpu.outs.forEach((o, i) => expectSame(gpu.outs[i]!, o, ...TOL, `${what} output ${i}`));
  expectSame(gpu.x.grad!, cpu.x.grad!, ...TOL, `${what} input grad`);
  cpu.hs.forEach((h, i) => expectSame(gpu.hs[i]!.grad!, h.grad!, ...TOL, `${what} hx[${i}] grad`));
  const gp = new Map(gpu.m.named_parameters());
  for (const [name, p] of cpu.m.named_parameters()) {
    expect(gp.get(name)!.device.type).toBe('cuda');
    expectSame(gp.get(name)!.grad!, p.grad!, ...TOL, `${what} ${name}.grad`);
  }
}

describe.skipIf(!hasGpu)(`RNN modules on cuda match cpu, forward and backward${skipReason}`, () => {
  it('RNN, LSTM (bidirectional, projections, batch_first, unbatched), GRU', () => {
    check('RNN relu 2 layers', () => new nn.RNN(3, 4, 2, 'relu'), [5, 2, 3], [[2, 2, 4]]);
    check('LSTM bidir proj batch_first', () => new nn.LSTM(3, 5, 2, { bidirectional: true, proj_size: 2, batch_first: true }), [2, 4, 3]);
    check('LSTM unbatched with state', () => new nn.LSTM(3, 4), [6, 3], [[1, 4], [1, 4]]);
    check('GRU bidir', () => new nn.GRU(3, 4, 2, { bidirectional: true }), [4, 2, 3], [[4, 2, 4]]);
  });

  it('cells', () => {
    check('RNNCell', () => new nn.RNNCell(3, 4), [2, 3], [[2, 4]]);
    check('LSTMCell', () => new nn.LSTMCell(3, 4), [2, 3], [[2, 4], [2, 4]]);
    check('GRUCell unbatched', () => new nn.GRUCell(3, 4), [3]);
  });
});
