/**
 * Differential test of torch.nn on 'cuda' (WebGPU) against 'cpu': every layer, activation and
 * loss, forward and gradients (input, parameters, running buffers), with the same weights
 * (made on the CPU, then module.to('cuda')), plus optimizer steps on both devices.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, nn, optim, type Tensor } from '../../lib/index.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

type Dev = 'cpu' | 'cuda';
const TOL = { rtol: 2e-4, atol: 2e-5 };

/** A seeded normal sample, drawn on the CPU so both devices see the same values. */
function randn(shape: number[], seed: number, scale = 1): Tensor {
  torch.manual_seed(seed);
  return torch.randn(shape).mul(scale);
}

interface LayerCase {
  what: string;
  make: () => nn.Module;
  input: () => Tensor;
  /** How to call the module (default: m(x)); the result's first tensor is differentiated. */
  call?: (m: nn.Module, x: Tensor) => Tensor;
  train?: boolean;
  /** The input takes no gradient (integer inputs). */
  noInputGrad?: boolean;
  tol?: { rtol: number; atol: number };
}

/**
 * Runs one module on both devices: builds it twice from the same seed (weights are drawn on the
 * CPU), moves the second to cuda, and compares output, input and parameter gradients, and buffers.
 */
function checkLayer(c: LayerCase): void {
  const tol = c.tol ?? TOL;
  const run = (dev: Dev) => {
    torch.manual_seed(123);
    const m = c.make();
    m.to(dev);
    m.train(c.train ?? true);
    const x = c.input().to(dev);
    if (!c.noInputGrad) x.requires_grad_();
    const y = c.call ? c.call(m, x) : (m as unknown as (t: Tensor) => Tensor)(x);
    const go = randn([...y.shape], 99).to(dev);
    y.backward(go);
    return { m, x, y };
  };
  const cpu = run('cpu');
  const gpu = run('cuda');
  expectSame(gpu.y, cpu.y, tol.rtol, tol.atol, `${c.what} output`);
  if (!c.noInputGrad) expectSame(gpu.x.grad!, cpu.x.grad!, tol.rtol, tol.atol, `${c.what} input grad`);
  const gp = new Map(gpu.m.named_parameters());
  for (const [name, p] of cpu.m.named_parameters()) {
    const q = gp.get(name)!;
    expect(q.device.type, `${c.what} ${name}`).toBe('cuda');
    // forward may write parameters (Embedding's max_norm renormalises rows)
    expectSame(q.detach(), p.detach(), tol.rtol, tol.atol, `${c.what} ${name}`);
    if (p.grad === null) {
      expect(q.grad, `${c.what} ${name}.grad`).toBeNull();
      continue;
    }
    expectSame(q.grad!, p.grad, tol.rtol, tol.atol, `${c.what} ${name}.grad`);
  }
  const gb = new Map(gpu.m.named_buffers());
  for (const [name, b] of cpu.m.named_buffers()) expectSame(gb.get(name)!, b, tol.rtol, tol.atol, `${c.what} buffer ${name}`);
}

describe.skipIf(!hasGpu)(`nn layers on cuda match cpu, forward and backward${skipReason}`, () => {
  it('Linear, Identity, Flatten, Unflatten, Sequential, Maxout', () => {
    checkLayer({ what: 'Linear', make: () => new nn.Linear(7, 5), input: () => randn([6, 7], 1) });
    checkLayer({ what: 'Linear 3-d no bias', make: () => new nn.Linear(7, 5, false), input: () => randn([2, 3, 7], 2) });
    checkLayer({ what: 'Linear on a strided input', make: () => new nn.Linear(4, 3), input: () => randn([4, 6], 3), call: (m, x) => (m as nn.Linear)(x.T) });
    checkLayer({ what: 'Identity', make: () => new nn.Identity(), input: () => randn([3, 4], 4), call: (m, x) => (m as nn.Identity)(x).mul(2) });
    checkLayer({ what: 'Flatten/Unflatten', make: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(12, 6), new nn.Unflatten(1, [2, 3])), input: () => randn([5, 3, 4], 5) });
    checkLayer({ what: 'Maxout', make: () => new nn.Maxout(6, 4, 3), input: () => randn([5, 6], 6) });
    checkLayer({ what: 'Maxout no bias', make: () => new nn.Maxout(6, 2, { pool_size: 4, bias: false }), input: () => randn([3, 6], 7) });
  });

  it('activations: modules and functional forms', () => {
    const x = () => randn([4, 9], 8, 2).add(torch.tensor([-3, -1, -0.5, 0, 0.3, 1, 2, 5, 25], { dtype: torch.float32 }));
    const mods: [string, () => nn.Module][] = [
      ['ReLU', () => new nn.ReLU()], ['LeakyReLU', () => new nn.LeakyReLU(0.2)], ['ELU', () => new nn.ELU(0.7)],
      ['GELU', () => new nn.GELU()], ['GELU tanh', () => new nn.GELU('tanh')], ['SiLU', () => new nn.SiLU()],
      ['Sigmoid', () => new nn.Sigmoid()], ['Tanh', () => new nn.Tanh()], ['Softplus', () => new nn.Softplus(2, 3)],
      ['Hardtanh', () => new nn.Hardtanh(-1.5, 2)], ['Softmax', () => new nn.Softmax(1)], ['LogSoftmax', () => new nn.LogSoftmax(0)],
    ];
    for (const [what, make] of mods) checkLayer({ what, make, input: x });
    const fns: [string, (t: Tensor) => Tensor][] = [
      ['relu6', (t) => F.relu6(t)], ['elu', (t) => F.elu(t, 1.3)], ['leaky_relu', (t) => F.leaky_relu(t, 0.05)],
      ['softmax dim 0', (t) => F.softmax(t, 0)], ['log_softmax', (t) => F.log_softmax(t, 1)], ['hardtanh', (t) => F.hardtanh(t)],
      ['in-place relu_ on a non-leaf', (t) => F.relu_(t.mul(1))], ['elu_', (t) => F.elu_(t.mul(1))], ['leaky_relu_', (t) => F.leaky_relu_(t.mul(1), 0.1)],
      ['hardtanh_', (t) => F.hardtanh_(t.mul(1))], ['silu', (t) => F.silu(t)], ['softplus', (t) => F.softplus(t)],
    ];
    for (const [what, f] of fns) checkLayer({ what, make: () => new nn.Identity(), input: x, call: (_m, t) => f(t) });
  });

  it('Conv1d and Conv2d: stride, padding (numbers, same, valid, modes), dilation, groups, no bias', () => {
    const c2: [string, () => nn.Module, number[]][] = [
      ['conv2d', () => new nn.Conv2d(3, 4, 3), [2, 3, 7, 6]],
      ['conv2d stride/pad', () => new nn.Conv2d(3, 4, [3, 2], { stride: [2, 1], padding: [1, 2] }), [2, 3, 8, 7]],
      ['conv2d same', () => new nn.Conv2d(2, 3, 4, { padding: 'same' }), [1, 2, 6, 5]],
      ['conv2d valid', () => new nn.Conv2d(2, 3, 2, { padding: 'valid', bias: false }), [2, 2, 5, 5]],
      ['conv2d dilation', () => new nn.Conv2d(2, 2, 3, { dilation: 2, padding: 1 }), [1, 2, 9, 8]],
      ['conv2d groups', () => new nn.Conv2d(4, 6, 3, { groups: 2 }), [2, 4, 6, 6]],
      ['conv2d depthwise', () => new nn.Conv2d(3, 3, 3, { groups: 3, padding: 1 }), [2, 3, 5, 5]],
      ['conv2d reflect', () => new nn.Conv2d(2, 3, 3, { padding: 1, padding_mode: 'reflect' }), [1, 2, 5, 6]],
      ['conv2d replicate', () => new nn.Conv2d(2, 3, 3, { padding: 2, padding_mode: 'replicate' }), [1, 2, 5, 4]],
      ['conv2d circular', () => new nn.Conv2d(2, 3, 3, { padding: 1, padding_mode: 'circular' }), [1, 2, 4, 5]],
      ['conv1d', () => new nn.Conv1d(3, 5, 3), [2, 3, 10]],
      ['conv1d stride dilation groups', () => new nn.Conv1d(4, 6, 2, { stride: 2, dilation: 3, groups: 2, padding: 2 }), [2, 4, 13]],
      ['conv1d same circular', () => new nn.Conv1d(2, 2, 4, { padding: 'same', padding_mode: 'circular' }), [3, 2, 7]],
      ['conv1d unbatched', () => new nn.Conv1d(2, 3, 3), [2, 8]],
      ['conv2d unbatched', () => new nn.Conv2d(2, 3, 3), [2, 5, 5]],
    ];
    for (const [what, make, shape] of c2) checkLayer({ what, make, input: () => randn(shape, 9), tol: { rtol: 1e-3, atol: 1e-4 } });
  });

  it('pooling: MaxPool2d (indices, padding, dilation, ceil_mode), AvgPool2d (options), AdaptiveAvgPool2d', () => {
    const cases: [string, () => nn.Module, number[]][] = [
      ['MaxPool2d', () => new nn.MaxPool2d(2), [2, 3, 6, 7]],
      ['MaxPool2d stride pad dilation', () => new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2 }), [1, 2, 9, 9]],
      ['MaxPool2d ceil_mode', () => new nn.MaxPool2d([2, 3], { stride: 2, ceil_mode: true }), [1, 2, 7, 8]],
      ['AvgPool2d', () => new nn.AvgPool2d(2), [2, 3, 6, 6]],
      ['AvgPool2d pad exclude', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, count_include_pad: false }), [1, 2, 7, 6]],
      ['AvgPool2d ceil divisor', () => new nn.AvgPool2d(2, { ceil_mode: true, divisor_override: 3 }), [1, 2, 5, 5]],
      ['AdaptiveAvgPool2d', () => new nn.AdaptiveAvgPool2d([3, 2]), [2, 3, 7, 5]],
      ['AdaptiveAvgPool2d None', () => new nn.AdaptiveAvgPool2d([null, 4]), [1, 2, 5, 9]],
    ];
    for (const [what, make, shape] of cases) checkLayer({ what, make, input: () => randn(shape, 10) });
    checkLayer({
      what: 'max_pool2d return_indices', make: () => new nn.Identity(), input: () => randn([1, 2, 6, 6], 11),
      call: (_m, x) => {
        const [v, i] = F.max_pool2d(x, 2, { return_indices: true });
        return v.add(i.float().mul(0));
      },
    });
    const [, ci] = F.max_pool2d(randn([1, 2, 6, 6], 11), 2, { return_indices: true });
    const [, gi] = F.max_pool2d(randn([1, 2, 6, 6], 11).cuda(), 2, { return_indices: true });
    expectSame(gi, ci, 0, 0, 'max_pool2d indices');
  });

  it('BatchNorm1d/2d in training and eval, momentum None, no affine, no running stats', () => {
    const cases: [string, () => nn.Module, number[], boolean][] = [
      ['BatchNorm1d train', () => new nn.BatchNorm1d(5), [8, 5], true],
      ['BatchNorm1d 3-d train', () => new nn.BatchNorm1d(3, { momentum: null }), [4, 3, 6], true],
      ['BatchNorm2d train', () => new nn.BatchNorm2d(3), [4, 3, 5, 5], true],
      ['BatchNorm2d no affine', () => new nn.BatchNorm2d(3, { affine: false, momentum: 0.3 }), [2, 3, 4, 4], true],
      ['BatchNorm2d no running stats', () => new nn.BatchNorm2d(2, { track_running_stats: false }), [3, 2, 3, 3], false],
    ];
    for (const [what, make, shape, train] of cases) checkLayer({ what, make, input: () => randn(shape, 12, 2).add(1), train });
    // eval after a few training steps: the running statistics both devices accumulated
    checkLayer({
      what: 'BatchNorm2d eval', make: () => new nn.BatchNorm2d(3), input: () => randn([4, 3, 5, 5], 13), train: false,
      call: (m, x) => {
        m.train();
        torch.no_grad(() => {
          for (let i = 0; i < 3; i++) (m as nn.BatchNorm2d)(x.mul(i + 1).add(i));
        });
        m.eval();
        return (m as nn.BatchNorm2d)(x);
      },
    });
  });

  it('LayerNorm, GroupNorm, Dropout in eval, and dropout in training against its own mask', () => {
    checkLayer({ what: 'LayerNorm', make: () => new nn.LayerNorm(6), input: () => randn([4, 6], 14, 3) });
    checkLayer({ what: 'LayerNorm 2 dims no affine', make: () => new nn.LayerNorm([3, 4], { elementwise_affine: false, eps: 1e-3 }), input: () => randn([2, 3, 4], 15) });
    checkLayer({ what: 'GroupNorm', make: () => new nn.GroupNorm(2, 6), input: () => randn([3, 6, 4], 16) });
    checkLayer({ what: 'GroupNorm 4-d no affine', make: () => new nn.GroupNorm(3, 3, { affine: false }), input: () => randn([2, 3, 2, 3], 17) });
    checkLayer({ what: 'Dropout eval', make: () => new nn.Dropout(0.4), input: () => randn([5, 6], 18), train: false });
    // in training the cuda mask comes from the device generator: check the kept values and their scale
    const x = torch.ones([4000], { device: 'cuda' }).requires_grad_();
    torch.manual_seed(3);
    const y = new nn.Dropout(0.25)(x);
    y.sum().backward();
    const kept = y.ne(0);
    const frac = kept.float().mean().item();
    expect(frac).toBeGreaterThan(0.72);
    expect(frac).toBeLessThan(0.78);
    expectSame(y.get(kept), torch.full([kept.sum().item()], 1 / 0.75), 1e-6, 1e-6, 'dropout scale');
    expectSame(x.grad!, y.detach(), 1e-6, 1e-6, 'dropout grad');
  });

  it('F.pad in every mode, one_hot, embedding-style indexing', () => {
    const fns: [string, (t: Tensor) => Tensor, number[]][] = [
      ['pad constant', (t) => F.pad(t, [1, 2, 0, 1], 'constant', 0.5), [2, 3, 4]],
      ['pad crop', (t) => F.pad(t, [-1, 1]), [2, 5]],
      ['pad reflect', (t) => F.pad(t, [2, 1, 1, 2], 'reflect'), [1, 2, 4, 5]],
      ['pad replicate', (t) => F.pad(t, [2, 3], 'replicate'), [2, 3, 4]],
      ['pad circular', (t) => F.pad(t, [1, 2, 2, 1], 'circular'), [1, 1, 3, 4]],
    ];
    for (const [what, f, shape] of fns) checkLayer({ what, make: () => new nn.Identity(), input: () => randn(shape, 19), call: (_m, t) => f(t) });
    for (const dev of ['cpu', 'cuda'] as const) expect(F.one_hot(torch.tensor([0, 3, 1], { device: dev })).device.type).toBe(dev);
    expectSame(F.one_hot(torch.tensor([0, 3, 1, 3], { device: 'cuda' }), 5), F.one_hot(torch.tensor([0, 3, 1, 3]), 5), 0, 0, 'one_hot');
    expectSame(F.one_hot(torch.tensor([[2, 0]], { device: 'cuda' })), F.one_hot(torch.tensor([[2, 0]])), 0, 0, 'one_hot inferred');
    checkLayer({
      what: 'embedding lookup', make: () => new nn.Identity(), input: () => randn([10, 4], 20),
      call: (_m, w) => w.get(torch.tensor([[1, 9, 1], [0, 4, 4]], { device: w.device })),
    });
  });
});

describe.skipIf(!hasGpu)(`recurrent, transposed-conv, upsampling, embedding and attention layers on cuda match cpu${skipReason}`, () => {
  type Call = (...args: unknown[]) => unknown;
  const callM = (m: nn.Module, ...args: unknown[]) => (m as unknown as Call)(...args);
  const flat = (...ts: Tensor[]) => torch.cat(ts.map((t) => t.reshape(-1)));
  const TOL3 = { rtol: 1e-3, atol: 1e-4 };

  it('RNN, LSTM, GRU (layers, bidirectional, batch_first, initial state) and their cells', () => {
    const seq = () => randn([5, 3, 4], 40);
    checkLayer({ what: 'RNN', make: () => new nn.RNN(4, 6), input: seq, call: (m, x) => flat(...(callM(m, x) as [Tensor, Tensor])), tol: TOL3 });
    checkLayer({ what: 'RNN relu 2 layers', make: () => new nn.RNN(4, 5, { num_layers: 2, nonlinearity: 'relu' }), input: seq, call: (m, x) => flat(...(callM(m, x) as [Tensor, Tensor])), tol: TOL3 });
    checkLayer({
      what: 'LSTM bidirectional batch_first', make: () => new nn.LSTM(4, 5, { bidirectional: true, batch_first: true }), input: () => randn([3, 5, 4], 41), tol: TOL3,
      call: (m, x) => {
        const [o, [h, c]] = callM(m, x) as [Tensor, [Tensor, Tensor]];
        return flat(o, h, c);
      },
    });
    checkLayer({
      what: 'GRU 2 layers with h0', make: () => new nn.GRU(4, 3, 2), input: seq, tol: TOL3,
      call: (m, x) => flat(...(callM(m, x, randn([2, 3, 3], 42).to(x.device)) as [Tensor, Tensor])),
    });
    checkLayer({ what: 'RNNCell', make: () => new nn.RNNCell(4, 6), input: () => randn([3, 4], 43), tol: TOL3 });
    checkLayer({ what: 'LSTMCell', make: () => new nn.LSTMCell(4, 6), input: () => randn([3, 4], 44), call: (m, x) => flat(...(callM(m, x) as [Tensor, Tensor])), tol: TOL3 });
    checkLayer({ what: 'GRUCell', make: () => new nn.GRUCell(4, 6), input: () => randn([3, 4], 45), tol: TOL3 });
  });

  it('ConvTranspose1d/2d, Upsample and F.interpolate', () => {
    const cases: [string, () => nn.Module, number[]][] = [
      ['ConvTranspose2d', () => new nn.ConvTranspose2d(3, 4, 3), [2, 3, 5, 4]],
      ['ConvTranspose2d stride pad output_padding', () => new nn.ConvTranspose2d(2, 3, [3, 2], { stride: 2, padding: 1, output_padding: 1 }), [1, 2, 4, 5]],
      ['ConvTranspose2d groups dilation', () => new nn.ConvTranspose2d(4, 2, 3, { groups: 2, dilation: 2, bias: false }), [2, 4, 3, 3]],
      ['ConvTranspose1d', () => new nn.ConvTranspose1d(3, 2, 4, { stride: 3 }), [2, 3, 6]],
      ['Upsample nearest', () => new nn.Upsample({ scale_factor: 2 }), [1, 2, 3, 4]],
      ['Upsample bilinear', () => new nn.Upsample({ size: [5, 7], mode: 'bilinear' }), [2, 2, 3, 4]],
      ['Upsample bilinear align_corners', () => new nn.Upsample({ scale_factor: 1.5, mode: 'bilinear', align_corners: true }), [1, 2, 4, 4]],
      ['UpsamplingNearest2d', () => new nn.UpsamplingNearest2d({ size: [6, 5] }), [1, 1, 3, 2]],
    ];
    for (const [what, make, shape] of cases) checkLayer({ what, make, input: () => randn(shape, 46), tol: TOL3 });
    checkLayer({ what: 'interpolate linear', make: () => new nn.Identity(), input: () => randn([2, 3, 5], 47), call: (_m, x) => F.interpolate(x, { scale_factor: 2, mode: 'linear' }) });
  });

  it('Embedding (padding_idx, max_norm) and F.embedding', () => {
    const idx = () => torch.tensor([[1, 0, 4], [4, 4, 2]]);
    checkLayer({ what: 'Embedding', make: () => new nn.Embedding(6, 3), input: idx, noInputGrad: true });
    checkLayer({ what: 'Embedding padding_idx', make: () => new nn.Embedding(6, 3, { padding_idx: 4 }), input: idx, noInputGrad: true });
    // max_norm renormalises the looked-up rows of the weight in place: compared as a buffer would be
    checkLayer({ what: 'Embedding max_norm', make: () => new nn.Embedding(6, 3, { max_norm: 0.5 }), input: idx, noInputGrad: true });
    checkLayer({ what: 'F.embedding', make: () => new nn.Identity(), input: () => randn([7, 2], 48), call: (_m, w) => F.embedding(torch.tensor([6, 0, 6], { device: w.device }), w) });
  });

  it('MultiheadAttention, TransformerEncoder(Layer), scaled_dot_product_attention', () => {
    checkLayer({
      what: 'MultiheadAttention self', make: () => new nn.MultiheadAttention(8, 2), input: () => randn([5, 3, 8], 49), tol: TOL3,
      call: (m, x) => {
        const [o, w] = callM(m, x, x, x) as [Tensor, Tensor];
        return flat(o, w);
      },
    });
    checkLayer({
      what: 'MultiheadAttention batch_first masks kdim', make: () => new nn.MultiheadAttention(8, 4, { batch_first: true, kdim: 5, vdim: 6 }), input: () => randn([2, 4, 8], 50), tol: TOL3,
      call: (m, x) => {
        const k = randn([2, 3, 5], 51).to(x.device);
        const v = randn([2, 3, 6], 52).to(x.device);
        const kpm = torch.tensor([[false, false, true], [false, false, false]], { device: x.device });
        const [o] = callM(m, x, k, v, { key_padding_mask: kpm, need_weights: false }) as [Tensor, Tensor | null];
        return o;
      },
    });
    checkLayer({
      what: 'TransformerEncoderLayer', make: () => new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 16, dropout: 0, batch_first: true }), input: () => randn([2, 5, 8], 53), tol: TOL3,
    });
    checkLayer({
      what: 'TransformerEncoder norm_first gelu causal', tol: TOL3,
      make: () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dim_feedforward: 12, dropout: 0, activation: 'gelu', norm_first: true }), 2),
      input: () => randn([4, 2, 8], 54),
      call: (m, x) => callM(m, x, { mask: torch.triu(torch.full([4, 4], -Infinity, { device: x.device }), 1) }) as Tensor,
    });
    checkLayer({
      what: 'scaled_dot_product_attention causal', make: () => new nn.Identity(), input: () => randn([2, 3, 5, 4], 55), tol: TOL3,
      call: (_m, q) => F.scaled_dot_product_attention(q, q.flip(2), q.mul(0.5), { is_causal: true }),
    });
  });

  it('KLDivLoss and F.kl_div (batchmean, log_target)', () => {
    const x = () => randn([4, 5], 56).log_softmax(1);
    for (const [what, f] of [
      ['kl_div batchmean', (a: Tensor, t: Tensor) => F.kl_div(a, t, { reduction: 'batchmean' })],
      ['kl_div log_target sum', (a: Tensor, t: Tensor) => F.kl_div(a, t.log(), { reduction: 'sum', log_target: true })],
      ['KLDivLoss none', (a: Tensor, t: Tensor) => new nn.KLDivLoss({ reduction: 'none' })(a, t)],
    ] as const) {
      checkLayer({ what, make: () => new nn.Identity(), input: x, call: (_m, a) => f(a, randn([4, 5], 57).softmax(1).to(a.device)) });
    }
  });
});

describe.skipIf(!hasGpu)(`losses on cuda match cpu, values and gradients${skipReason}`, () => {
  /** A loss of (input, target) on both devices: value and input gradient (and target's, when floating). */
  function checkLoss(what: string, f: (x: Tensor, t: Tensor, dev: Dev) => Tensor, input: () => Tensor, target: () => Tensor, targetGrad = false): void {
    const run = (dev: Dev) => {
      const x = input().to(dev).requires_grad_();
      const t = target().to(dev);
      if (targetGrad) t.requires_grad_();
      const l = f(x, t, dev);
      const go = l.dim() === 0 ? torch.tensor(1.5, { device: dev }) : randn([...l.shape], 21).to(dev);
      l.backward(go);
      return { l, x, t };
    };
    const cpu = run('cpu');
    const gpu = run('cuda');
    expectSame(gpu.l, cpu.l, TOL.rtol, TOL.atol, `${what} value`);
    expectSame(gpu.x.grad!, cpu.x.grad!, TOL.rtol, TOL.atol, `${what} input grad`);
    if (targetGrad) expectSame(gpu.t.grad!, cpu.t.grad!, TOL.rtol, TOL.atol, `${what} target grad`);
  }
  const logits = () => randn([6, 5], 22, 2);
  const labels = () => torch.tensor([0, 4, 2, 2, 1, 3]);
  const w = (dev: Dev) => torch.tensor([0.5, 1, 2, 1.5, 0.2], { dtype: torch.float32, device: dev });

  it('cross_entropy and nll_loss: reductions, weights, ignore_index, label_smoothing, probabilities, k-d, unbatched', () => {
    checkLoss('cross_entropy', (x, t) => F.cross_entropy(x, t), logits, labels);
    checkLoss('cross_entropy sum', (x, t) => F.cross_entropy(x, t, { reduction: 'sum' }), logits, labels);
    checkLoss('cross_entropy none', (x, t) => F.cross_entropy(x, t, { reduction: 'none' }), logits, labels);
    checkLoss('cross_entropy weight', (x, t, d) => F.cross_entropy(x, t, w(d)), logits, labels);
    checkLoss('cross_entropy ignore_index', (x, t) => F.cross_entropy(x, t, { ignore_index: 2 }), logits, labels);
    checkLoss('cross_entropy label_smoothing', (x, t, d) => F.cross_entropy(x, t, { label_smoothing: 0.2, weight: w(d) }), logits, labels);
    checkLoss('cross_entropy smoothing ignore', (x, t) => F.cross_entropy(x, t, { label_smoothing: 0.1, ignore_index: 4, reduction: 'sum' }), logits, labels);
    checkLoss('cross_entropy probabilities', (x, t) => F.cross_entropy(x, t), logits, () => randn([6, 5], 23).softmax(1), true);
    checkLoss('cross_entropy probabilities smoothing', (x, t) => F.cross_entropy(x, t, { label_smoothing: 0.3 }), logits, () => randn([6, 5], 23).softmax(1));
    checkLoss('cross_entropy k-d', (x, t) => F.cross_entropy(x, t), () => randn([2, 5, 3, 2], 24), () => torch.tensor([[[0, 4], [1, 1], [3, 2]], [[2, 2], [0, 1], [4, 4]]]));
    checkLoss('cross_entropy unbatched', (x, t) => F.cross_entropy(x, t), () => randn([5], 25), () => torch.tensor(3));
    checkLoss('nll_loss', (x, t) => F.nll_loss(x.log_softmax(1), t), logits, labels);
    checkLoss('nll_loss weight none', (x, t, d) => F.nll_loss(x, t, w(d), { reduction: 'none' }), logits, labels);
    checkLoss('CrossEntropyLoss module', (x, t) => new nn.CrossEntropyLoss({ label_smoothing: 0.05 })(x, t), logits, labels);
    checkLoss('NLLLoss module', (x, t) => new nn.NLLLoss({ ignore_index: 0 })(x, t), logits, labels);
  });

  it('regression and binary losses, modules and functional', () => {
    const a = () => randn([4, 5], 26, 2);
    const b = () => randn([4, 5], 27, 2);
    checkLoss('mse_loss', (x, t) => F.mse_loss(x, t), a, b, true);
    checkLoss('mse_loss sum', (x, t) => F.mse_loss(x, t, { reduction: 'sum' }), a, b);
    checkLoss('l1_loss', (x, t) => F.l1_loss(x, t), a, b, true);
    checkLoss('l1_loss none', (x, t) => F.l1_loss(x, t, { reduction: 'none' }), a, b);
    checkLoss('smooth_l1_loss', (x, t) => F.smooth_l1_loss(x, t, { beta: 0.7 }), a, b, true);
    checkLoss('huber_loss', (x, t) => F.huber_loss(x, t, { delta: 1.3, reduction: 'sum' }), a, b, true);
    const p = () => randn([4, 5], 28).sigmoid();
    const y = () => randn([4, 5], 29).gt(0).float();
    checkLoss('binary_cross_entropy', (x, t) => F.binary_cross_entropy(x, t), p, y);
    checkLoss('binary_cross_entropy weight', (x, t, d) => F.binary_cross_entropy(x, t, randn([5], 30).abs().to(d)), p, () => randn([4, 5], 31).sigmoid(), true);
    checkLoss('bce at 0 and 1', (x, t) => F.binary_cross_entropy(x, t, { reduction: 'none' }), () => torch.tensor([0, 1, 0.5, 1e-9], { dtype: torch.float32 }), () => torch.tensor([1, 0, 0.3, 0], { dtype: torch.float32 }));
    checkLoss('bce_with_logits', (x, t) => F.binary_cross_entropy_with_logits(x, t), a, y, true);
    checkLoss('bce_with_logits pos_weight', (x, t, d) => F.binary_cross_entropy_with_logits(x, t, { pos_weight: torch.tensor([1, 2, 3, 0.5, 1], { dtype: torch.float32, device: d }), weight: torch.tensor([2], { dtype: torch.float32, device: d }) }), a, y);
    const mods: [string, () => nn.Module][] = [
      ['MSELoss', () => new nn.MSELoss()], ['L1Loss', () => new nn.L1Loss({ reduction: 'sum' })], ['SmoothL1Loss', () => new nn.SmoothL1Loss()],
      ['HuberLoss', () => new nn.HuberLoss({ delta: 0.5 })], ['BCEWithLogitsLoss', () => new nn.BCEWithLogitsLoss()],
    ];
    for (const [what, make] of mods) checkLoss(what, (x, t) => (make() as unknown as (u: Tensor, v: Tensor) => Tensor)(x, t), a, y);
    checkLoss('BCELoss', (x, t) => new nn.BCELoss()(x, t), p, y);
  });
});

describe.skipIf(!hasGpu)(`optimizers step the same on cuda as on cpu${skipReason}`, () => {
  it('SGD (momentum, nesterov, weight decay, maximize), Adam (amsgrad), AdamW, RMSprop, Adagrad, Adadelta, with a scheduler', () => {
    const makers: [string, (ps: Tensor[]) => optim.Optimizer][] = [
      ['SGD', (ps) => new optim.SGD(ps, { lr: 0.1 })],
      ['SGD momentum', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, dampening: 0.1, weight_decay: 0.01 })],
      ['SGD nesterov maximize', (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true, maximize: true })],
      ['Adam', (ps) => new optim.Adam(ps, { lr: 0.01 })],
      ['Adam amsgrad weight decay', (ps) => new optim.Adam(ps, { lr: 0.02, amsgrad: true, weight_decay: 0.1, betas: [0.8, 0.99] })],
      ['AdamW', (ps) => new optim.AdamW(ps, { lr: 0.01 })],
      ['AdamW amsgrad maximize', (ps) => new optim.AdamW(ps, { lr: 0.01, amsgrad: true, maximize: true, eps: 1e-6 })],
      ['RMSprop', (ps) => new optim.RMSprop(ps, { lr: 0.01 })],
      ['RMSprop centered momentum', (ps) => new optim.RMSprop(ps, { lr: 0.01, centered: true, momentum: 0.5, weight_decay: 0.01 })],
      ['Adagrad', (ps) => new optim.Adagrad(ps, { lr: 0.05, lr_decay: 0.01, initial_accumulator_value: 0.1 })],
      ['Adadelta', (ps) => new optim.Adadelta(ps, { lr: 0.5, rho: 0.8, weight_decay: 0.01 })],
    ];
    for (const [what, make] of makers) {
      const run = (dev: Dev) => {
        torch.manual_seed(5);
        const net = new nn.Sequential(new nn.Linear(6, 8), new nn.Tanh(), new nn.Linear(8, 3)).to(dev);
        const X = randn([10, 6], 32).to(dev);
        const Y = torch.tensor([0, 1, 2, 0, 1, 2, 2, 1, 0, 0]).to(dev);
        const opt = make([...net.parameters()]);
        const sched = new optim.lr_scheduler.StepLR(opt, 2, { gamma: 0.5 });
        for (let i = 0; i < 4; i++) {
          opt.zero_grad();
          F.cross_entropy(net(X), Y).backward();
          opt.step();
          sched.step();
        }
        return net;
      };
      const cpu = [...run('cpu').named_parameters()];
      const gpu = new Map(run('cuda').named_parameters());
      for (const [name, p] of cpu) expectSame(gpu.get(name)!, p, 1e-4, 1e-5, `${what} ${name}`);
    }
  });
});
