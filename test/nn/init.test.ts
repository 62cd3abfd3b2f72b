/**
 * nn.init and the default initialisation of layers. torchlab's generator is PyTorch's, bit for
 * bit, so after the same manual_seed the initialisers give PyTorch's exact values
 * (test/golden/nn.json, made by test/golden/make_nn.py); a statistical test checks the
 * distributions of the default Linear init independently of the generator.
 */

import { describe, expect, it } from 'vitest';
import torch, { nn, Tensor } from '../../lib/index.js';
import { expectClose } from '../helpers/golden.js';
import { expectPyError, nnGolden, type Nested, type PyError } from './helpers.js';

interface G {
  init: {
    linear: { seed: number; weight: Nested; bias: Nested };
    linear_big: { seed: number; weight_row0: Nested; bias: Nested };
    gains: Record<string, number>;
    fans: number[][];
    errors: Record<string, PyError>;
  } & Record<string, Nested>;
}
const g = nnGolden<G>().init;

describe('nn.init', () => {
  it('nn.Linear draws PyTorch\'s exact weights after the same seed', () => {
    torch.manual_seed(g.linear.seed);
    const l = new nn.Linear(5, 3);
    expectClose(l.weight.tolist(), g.linear.weight, 0, 0);
    expectClose(l.bias!.tolist(), g.linear.bias, 0, 0);
    torch.manual_seed(g.linear_big.seed);
    const big = new nn.Linear(784, 64);
    expectClose(big.weight.get(0).tolist(), g.linear_big.weight_row0, 0, 0);
    expectClose(big.bias!.tolist(), g.linear_big.bias, 0, 0);
  });

  const inits: Record<string, (t: Tensor) => Tensor> = {
    kaiming_uniform_: (t) => nn.init.kaiming_uniform_(t),
    kaiming_uniform_relu_fan_out: (t) => nn.init.kaiming_uniform_(t, { mode: 'fan_out', nonlinearity: 'relu' }),
    kaiming_normal_: (t) => nn.init.kaiming_normal_(t),
    kaiming_normal_a: (t) => nn.init.kaiming_normal_(t, 0.2),
    xavier_uniform_: (t) => nn.init.xavier_uniform_(t),
    xavier_uniform_gain: (t) => nn.init.xavier_uniform_(t, nn.init.calculate_gain('tanh')),
    xavier_normal_: (t) => nn.init.xavier_normal_(t),
    uniform_: (t) => nn.init.uniform_(t, -2, 3),
    normal_: (t) => nn.init.normal_(t, 1, { std: 0.5 }),
  };
  for (const [name, f] of Object.entries(inits)) {
    it(`${name} gives PyTorch's values after the same seed`, () => {
      torch.manual_seed(7);
      const t = torch.empty(4, 6, 2);
      expect(f(t)).toBe(t);
      expectClose(t.tolist(), g[name], 1e-6, 1e-7);
    });
  }

  it('initialisers run under no_grad, so they apply to parameters', () => {
    const p = new nn.Parameter(torch.zeros([3, 3]));
    nn.init.constant_(p, 0.5);
    expect(p.grad_fn).toBeNull();
    expect(p.tolist()).toEqual([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
    nn.init.ones_(p);
    nn.init.zeros_(p);
    expect(p.sum().item()).toBe(0);
    const gen = new torch.Generator().manual_seed(3);
    const a = nn.init.uniform_(torch.empty(5), { generator: gen }).tolist();
    const b = nn.init.uniform_(torch.empty(5), 0, 1, { generator: new torch.Generator().manual_seed(3) }).tolist();
    expect(a).toEqual(b);
  });

  it('gains, fans and errors as PyTorch', () => {
    const args: Record<string, [string, number?]> = {
      linear: ['linear'], sigmoid: ['sigmoid'], tanh: ['tanh'], relu: ['relu'], leaky_relu: ['leaky_relu'],
      leaky_relu_02: ['leaky_relu', 0.2], selu: ['selu'], conv2d: ['conv2d'],
    };
    for (const [k, a] of Object.entries(args)) expect(nn.init.calculate_gain(...a)).toBeCloseTo(g.gains[k]!, 14);
    const shapes = [[64, 784], [16, 3, 5, 5], [7, 2]];
    expect(shapes.map((s) => nn.init._calculate_fan_in_and_fan_out(torch.empty(s)))).toEqual(g.fans);
    expectPyError(() => nn.init.calculate_gain('foo'), g.errors.gain!);
    expectPyError(() => nn.init.calculate_gain('leaky_relu', 'x' as unknown as number), g.errors.gain_param!);
    expectPyError(() => nn.init.kaiming_uniform_(torch.empty(3)), g.errors.fan_1d!);
    expectPyError(() => nn.init.kaiming_uniform_(torch.empty(3, 3), { mode: 'fan_avg' as 'fan_in' }), g.errors.mode!);
  });

  it('the default Linear init has PyTorch\'s distribution (statistical check)', () => {
    torch.manual_seed(123);
    const fanIn = 400;
    const l = new nn.Linear(fanIn, 500);
    const w = l.weight.reshape(-1).tolist() as number[];
    // kaiming_uniform_(a=√5): U(-1/√fan_in, 1/√fan_in), whose variance is 1 / (3 fan_in)
    const bound = 1 / Math.sqrt(fanIn);
    expect(w.reduce((a, v) => Math.max(a, v), -Infinity)).toBeLessThanOrEqual(bound);
    expect(w.reduce((a, v) => Math.min(a, v), Infinity)).toBeGreaterThanOrEqual(-bound);
    const mean = w.reduce((a, b) => a + b, 0) / w.length;
    const variance = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(4 * bound / Math.sqrt(3 * w.length));
    expect(Math.abs(variance / (bound * bound / 3) - 1)).toBeLessThan(0.02);
    // the bias is U(-1/√fan_in, 1/√fan_in) too
    const b = l.bias!.tolist() as number[];
    expect(b.every((v) => Math.abs(v) <= bound)).toBe(true);
    // a histogram of ten bins is flat within 5 standard errors
    const counts = new Array<number>(10).fill(0);
    for (const v of w) counts[Math.min(9, Math.floor(((v + bound) / (2 * bound)) * 10))]! += 1;
    const expected = w.length / 10;
    for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(5 * Math.sqrt(expected));
  });
});
