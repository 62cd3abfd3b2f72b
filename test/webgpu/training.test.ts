/**
 * The lecture's training loop on 'cuda', as the device sees it: a step sends the batch and
 * nothing else, and reads nothing back (the loss checks its targets on the device); and GPU
 * memory holds steady over epochs: memory_allocated() comes back to the same level at every epoch
 * end and memory_reserved() stops growing, because the pool collects garbage when it runs dry.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import torch, { nn, optim, type Tensor } from '../../lib/index.js';
import { datasets } from '../../lib/vision/index.js';
import { DataLoader, TensorDataset } from '../../lib/utils/data/index.js';
import { _canReclaim, _deviceStats, _setReclaimBytes } from '../../lib/backends/webgpu/client.js';
import { hasGpu, requireAdapterInCI, skipReason } from './setup.js';
import { Net, DATA_ROOT as ROOT } from '../helpers/lecture.js';

requireAdapterInCI();


/** The first `n` MNIST training images as [n, 28, 28] floats in [0, 1] and their labels (random ones without the files). */
function mnist(n: number): [Tensor, Tensor] {
  if (existsSync(join(ROOT, 'mnist', 'train-images-idx3-ubyte.gz'))) {
    const ds = new datasets.MNIST(ROOT, { train: true });
    return [ds.data.get(`0:${n}`).float().div(255), ds.targets.get(`0:${n}`)];
  }
  torch.manual_seed(0);
  return [torch.rand([n, 28, 28]), torch.randint(0, 10, [n])];
}

/** The lecture's loop: CPU batches from a DataLoader, moved to the device in the step. */
function setup(n: number, makeOpt: (net: Net) => optim.Optimizer) {
  const [X, y] = mnist(n);
  torch.manual_seed(0);
  const trainset = new DataLoader(new TensorDataset(X, y), { batch_size: 64, shuffle: true });
  const net = new Net().to('cuda');
  const optimizer = makeOpt(net);
  const loss_criterion = new nn.CrossEntropyLoss();
  const step = (X: Tensor, y: Tensor): Tensor => {
    X = X.to('cuda');
    y = y.to('cuda');
    net.zero_grad();
    const output = net(X.view(-1, 784));
    const loss = loss_criterion(output, y);
    loss.backward();
    optimizer.step();
    return loss;
  };
  return { trainset, net, step };
}

describe.skipIf(!hasGpu)(`a cuda training step${skipReason}`, () => {
  const optimizers: [string, (net: Net) => optim.Optimizer][] = [
    ['Adam', (net) => new optim.Adam(net.parameters(), { lr: 0.005 })],
    ['SGD with momentum', (net) => new optim.SGD(net.parameters(), { lr: 0.01, momentum: 0.9 })],
  ];
  for (const [name, makeOpt] of optimizers) {
    it(`uploads only its batch and reads nothing back (${name})`, () => {
      const { trainset, step } = setup(320, makeOpt);
      const losses: Tensor[] = [];
      // the first step too: it creates the optimizer's state
      for (const [X, y] of trainset) {
        const s0 = _deviceStats();
        losses.push(step(X, y));
        const s1 = _deviceStats();
        expect(s1.reads - s0.reads, `reads back in step ${losses.length}`).toBe(0);
        expect(s1.uploads - s0.uploads, `uploads in step ${losses.length} (X and y)`).toBe(2);
        expect(s1.dispatches - s0.dispatches).toBeGreaterThan(20);
      }
      expect(losses.length).toBe(5);
      // the queue ran: one read at the end sees every loss
      const values = torch.stack(losses).tolist() as number[];
      expect(values.every(Number.isFinite)).toBe(true);
      expect(values.every((v) => v > 0 && v < 5)).toBe(true);
    });
  }
});

describe.skipIf(!hasGpu)(`GPU memory over epochs${skipReason}`, () => {
  const prev = _setReclaimBytes(1 << 20);
  afterAll(() => {
    _setReclaimBytes(prev);
  });

  it('memory_allocated() returns to the same level at each epoch end, memory_reserved() stops growing', () => {
    // a 1 MiB reclaim threshold (64 MiB normally): the pool collects garbage several times an
    // epoch here, as it does on the full data set with the default
    expect(_canReclaim(), 'V8 gc and FinalizationRegistry.cleanupSome are available to the pool').toBe(true);
    const EPOCHS = 6;
    const { trainset, step } = setup(512, (net) => new optim.Adam(net.parameters(), { lr: 0.005 }));
    const allocated: number[] = [];
    const reserved: number[] = [];
    let last = 0;
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      let loss: Tensor | null = null;
      for (const [X, y] of trainset) loss = step(X, y);
      last = loss!.item();
      allocated.push(torch.cuda.memory_allocated());
      reserved.push(torch.cuda.memory_reserved());
    }
    console.log(`epoch ends: memory_allocated ${allocated.join(', ')}; memory_reserved ${reserved.join(', ')}`);
    expect(Number.isFinite(last)).toBe(true);
    for (let e = 1; e < EPOCHS; e++) expect(allocated[e], `memory_allocated() at the end of epoch ${e}`).toBe(allocated[0]);
    // the first epoch creates the optimizer's state and runs without reuse until the first
    // collection; after it the pool may still add a bucket or two, depending on where collections
    // fall in an epoch, but it levels off: no epoch reserves more than 15% over the second
    for (let e = 2; e < EPOCHS; e++) expect(reserved[e]!, `memory_reserved() at the end of epoch ${e}`).toBeLessThanOrEqual(reserved[1]! * 1.15);
    expect(reserved[1]!).toBeLessThanOrEqual(reserved[0]! * 1.5);
    // recycled within an epoch: an epoch allocates several times this much
    expect(reserved[EPOCHS - 1]!).toBeLessThan(allocated[0]! + (4 << 20));
  }, 60_000);
});
