/**
 * The lecture's MNIST MLP trains on 'cuda' as on 'cpu': same seed, same initial weights and
 * batches, losses that stay close step by step, and the same test accuracy. Sized for the
 * software adapter (llvmpipe): 2,000 training images, 5 epochs of batch 64 (155 steps), 1,000
 * test images; test/mnist.test.ts trains the full epoch on the CPU.
 */

import { describe, expect, it } from 'vitest';
import torch, { nn, optim, type Tensor } from '../../lib/index.js';
import { datasets } from '../../lib/vision/index.js';
import { hasGpu, requireAdapterInCI, skipReason } from './setup.js';
import { Net, DATA_ROOT as ROOT } from '../helpers/lecture.js';

requireAdapterInCI();


const N_TRAIN = 2000;
const N_TEST = 1000;
const EPOCHS = 5;
const BATCH = 64;

/** MNIST images as [n, 784] floats in [0, 1] (ToTensor's scaling) and their labels. */
function subset(train: boolean, n: number): [Tensor, Tensor] {
  const ds = new datasets.MNIST(ROOT, { train });
  return [ds.data.get(`0:${n}`).reshape([n, 784]).float().div(255), ds.targets.get(`0:${n}`)];
}

interface Run {
  losses: number[];
  accuracy: number;
  ms: number;
}

function train(device: 'cpu' | 'cuda', X: Tensor, y: Tensor, Xt: Tensor, yt: Tensor): Run {
  torch.manual_seed(0);
  const net = new Net().to(device);
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(net.parameters(), { lr: 0.005 });
  const Xd = X.to(device);
  const yd = y.to(device);
  // the batches are drawn on the CPU generator, so both devices see the same ones
  const gen = new torch.Generator().manual_seed(1);
  const losses: number[] = [];
  const t0 = performance.now();
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const perm = torch.randperm(N_TRAIN, { generator: gen }).to(device);
    for (let i = 0; i + BATCH <= N_TRAIN; i += BATCH) {
      const idx = perm.get(`${i}:${i + BATCH}`);
      net.zero_grad();
      const loss = criterion(net(Xd.get(idx)), yd.get(idx));
      loss.backward();
      optimizer.step();
      // one read per step, as the lecture's loop prints its losses
      losses.push(loss.item());
    }
  }
  const ms = performance.now() - t0;
  const correct = torch.no_grad(() => net(Xt.to(device)).argmax(1).eq(yt.to(device)).sum().item());
  return { losses, accuracy: correct / N_TEST, ms };
}

describe.skipIf(!hasGpu)(`the lecture's MNIST MLP on cuda${skipReason}`, () => {
  it('trains to the accuracy it reaches on the cpu, with the same losses', () => {
    const [X, y] = subset(true, N_TRAIN);
    const [Xt, yt] = subset(false, N_TEST);
    const cpu = train('cpu', X, y, Xt, yt);
    const gpu = train('cuda', X, y, Xt, yt);
    const steps = cpu.losses.length;
    console.log(
      `MNIST MLP, ${steps} steps on ${N_TRAIN} images: cpu accuracy ${(cpu.accuracy * 100).toFixed(1)}% (${(steps / (cpu.ms / 1000)).toFixed(0)} steps/s), ` +
        `cuda (${torch.cuda.get_device_name()}) ${(gpu.accuracy * 100).toFixed(1)}% (${(steps / (gpu.ms / 1000)).toFixed(0)} steps/s)`,
    );
    expect(gpu.losses.length).toBe(steps);
    // float32 sums in another order drift apart slowly: the first steps agree closely
    for (let i = 0; i < 20; i++) expect(Math.abs(gpu.losses[i]! - cpu.losses[i]!), `loss at step ${i}`).toBeLessThan(1e-3 * Math.max(1, cpu.losses[i]!));
    const tail = (r: Run) => r.losses.slice(-32).reduce((a, b) => a + b, 0) / 32;
    expect(Math.abs(tail(gpu) - tail(cpu))).toBeLessThan(0.05);
    expect(tail(gpu)).toBeLessThan(cpu.losses[0]! / 4);
    expect(cpu.accuracy).toBeGreaterThan(0.85);
    expect(Math.abs(gpu.accuracy - cpu.accuracy)).toBeLessThanOrEqual(0.015);
  }, 120_000);
});
