/**
 * torchlab/vision on the real MNIST files (../shared/data, read-only) and the acceptance test
 * of the training stack: the lecture's Net trained for one epoch with a DataLoader.
 *
 * About the 95% bar: with this exact recipe (784-64-64-64-10, log_softmax output fed to
 * CrossEntropyLoss, Adam lr=0.005, batch 64, ToTensor only, one epoch) PyTorch 1.13 itself
 * scores 94.7%-95.7% over seeds 0-6, so the bar sits at the recipe's median. torchlab draws
 * PyTorch's exact initial weights and shuffle order for a seed (checked below against PyTorch's
 * first steps); float rounding then lets the two runs drift apart, as any two BLAS builds do.
 * Seed 0 is used as is (PyTorch: 95.74%; torchlab: 95.2%).
 */

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import torch, { DataLoader, nn, optim, type Tensor } from '../lib/index.js';
import { datasets, transforms } from '../lib/vision/index.js';
import { expectClose } from './helpers/golden.js';
import { nnGolden } from './nn/helpers.js';
import { Net, DATA_ROOT as ROOT } from './helpers/lecture.js';

const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const tmp = mkdtempSync(join(tmpdir(), 'torchlab-mnist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface MnistGolden { mnist: { seed: number; steps: { labels: number[]; loss: number; fc4_w00: number; fc1_b0: number }[] } }

describe('datasets.MNIST and FashionMNIST', () => {
  it('loads the real files fast, without per-pixel objects', () => {
    const t0 = performance.now();
    const train = new datasets.MNIST(ROOT, { train: true });
    const ms = performance.now() - t0;
    console.log(`MNIST: 60,000 training images loaded in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1500);
    expect(train.length).toBe(60000);
    expect(train.data.shape).toEqual([60000, 28, 28]);
    expect(train.data.dtype).toBe(torch.uint8);
    expect(train.targets.dtype).toBe(torch.int64);
    // the label histogram published in ../shared/data/SOURCES.md
    const hist = [...Array(10).keys()].map((c) => train.targets.eq(c).sum().item());
    expect(hist).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    const test = new datasets.MNIST(ROOT, { train: false });
    expect(test.length).toBe(10000);
    expect([...Array(10).keys()].map((c) => test.targets.eq(c).sum().item())).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const [img, label] = train.__getitem__(0);
    expect(img.shape).toEqual([28, 28]);
    expect(label).toBe(5);
    expect(img.sum().item()).toBe(27525);
    expect(train.classes[5]).toBe('5 - five');
  });

  it('reads torchvision\'s layout root/<Name>/raw/ (and FashionMNIST from it)', () => {
    mkdirSync(join(tmp, 'tv', 'FashionMNIST', 'raw'), { recursive: true });
    for (const f of FILES) symlinkSync(join(ROOT, 'fashion-mnist', f), join(tmp, 'tv', 'FashionMNIST', 'raw', f));
    const fm = new datasets.FashionMNIST(join(tmp, 'tv'), { train: false, transform: new transforms.ToTensor() });
    expect(fm.length).toBe(10000);
    expect([...Array(10).keys()].map((c) => fm.targets.eq(c).sum().item())).toEqual(new Array(10).fill(1000));
    expect(fm.classes[9]).toBe('Ankle boot');
    const [x] = fm.__getitem__(0);
    expect(x.shape).toEqual([1, 28, 28]);
    expect(String(fm)).toBe(
      `Dataset FashionMNIST\n    Number of datapoints: 10000\n    Root location: ${join(tmp, 'tv')}\n    Split: Test\n    StandardTransform\n    Transform: ToTensor()`,
    );
  });

  it('a missing file says where to put the files; a corrupt one names the file', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(() => new datasets.MNIST(empty)).toThrow(
      `Dataset not found: train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz missing. Put the MNIST files (${FILES.join(', ')}) in ${join(empty, 'MNIST', 'raw')}.`,
    );
    const bad = join(tmp, 'bad', 'MNIST', 'raw');
    mkdirSync(bad, { recursive: true });
    const gz = readFileSync(join(ROOT, 'mnist', 't10k-images-idx3-ubyte.gz'));
    writeFileSync(join(bad, 't10k-images-idx3-ubyte.gz'), gz.subarray(0, gz.length >> 1));
    copyFileSync(join(ROOT, 'mnist', 't10k-labels-idx1-ubyte.gz'), join(bad, 't10k-labels-idx1-ubyte.gz'));
    expect(() => new datasets.MNIST(join(tmp, 'bad'), { train: false })).toThrow(`${join(bad, 't10k-images-idx3-ubyte.gz')}: cannot be read as a gzip file`);
    writeFileSync(join(bad, 't10k-images-idx3-ubyte'), Buffer.from([0, 0, 8, 1, 0, 0, 0, 1, 0]));
    expect(() => new datasets.MNIST(join(tmp, 'bad'), { train: false })).toThrow('not an IDX image file (magic number 2049, expected 2051)');
  });
});

describe('transforms', () => {
  it('ToTensor, Normalize, Compose and Lambda compute and print as torchvision', () => {
    const img = torch.tensor([[0, 255], [51, 102]], { dtype: torch.uint8 });
    const t = new transforms.ToTensor()(img);
    expect(t.shape).toEqual([1, 2, 2]);
    expect(t.dtype).toBe(torch.float32);
    expectClose(t.tolist(), [[[0, 1], [0.2, 0.4]]]);
    const hwc = torch.zeros([4, 5, 3], { dtype: torch.uint8 });
    expect(new transforms.ToTensor()(hwc).shape).toEqual([3, 4, 5]);
    const norm = new transforms.Normalize([0.1307], [0.3081]);
    expectClose(norm(t).tolist(), [[[(0 - 0.1307) / 0.3081, (1 - 0.1307) / 0.3081], [(0.2 - 0.1307) / 0.3081, (0.4 - 0.1307) / 0.3081]]]);
    expect(t.tolist()).toEqual(new transforms.ToTensor()(img).tolist());
    const pipeline = new transforms.Compose([new transforms.ToTensor(), norm, new transforms.Lambda((x: Tensor) => x.flatten())]);
    expect(pipeline(img).shape).toEqual([4]);
    expect(String(pipeline)).toBe('Compose(\n    ToTensor()\n    Normalize(mean=[0.1307], std=[0.3081])\n    Lambda()\n)');
    expect(() => norm(torch.zeros([2, 2]))).toThrow('Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size([2, 2])');
    expect(() => norm(torch.zeros([1, 2, 2], { dtype: torch.uint8 }))).toThrow('Input tensor should be a float tensor. Got torch.uint8.');
    expect(() => new transforms.Normalize([0], [0])(t)).toThrow('std evaluated to zero after conversion to torch.float32, leading to division by zero.');
  });
});

describe('the lecture\'s MNIST MLP', () => {
  const golden = nnGolden<MnistGolden>().mnist;

  it('takes PyTorch\'s first steps: same initial weights, same shuffled batches, same losses', () => {
    torch.manual_seed(golden.seed);
    const train = new datasets.MNIST(ROOT, { train: true, transform: new transforms.ToTensor() });
    const loader = new DataLoader(train, { batch_size: 64, shuffle: true });
    const net = new Net();
    const criterion = new nn.CrossEntropyLoss();
    const optimizer = new optim.Adam(net.parameters(), { lr: 0.005 });
    let i = 0;
    for (const [X, y] of loader) {
      const step = golden.steps[i]!;
      expect((y.tolist() as number[]).slice(0, 8)).toEqual(step.labels);
      net.zero_grad();
      const loss = criterion(net(X.view(-1, 784)), y);
      loss.backward();
      optimizer.step();
      expectClose(loss.item(), step.loss, 1e-5, 1e-6, `loss at step ${i}`);
      expectClose(net.fc4.weight.get(0, 0).item(), step.fc4_w00, 1e-4, 1e-6, `fc4.weight[0, 0] after step ${i}`);
      expectClose(net.fc1.bias!.get(0).item(), step.fc1_b0, 1e-4, 1e-6, `fc1.bias[0] after step ${i}`);
      if (++i === golden.steps.length) break;
    }
  });

  it('reaches at least 95% test accuracy after one epoch (batch 64, Adam lr=0.005)', () => {
    torch.manual_seed(0);
    const t0 = performance.now();
    const train = new datasets.MNIST(ROOT, { train: true, download: false, transform: new transforms.Compose([new transforms.ToTensor()]) });
    const test = new datasets.MNIST(ROOT, { train: false, download: false, transform: new transforms.Compose([new transforms.ToTensor()]) });
    const trainset = new DataLoader(train, { batch_size: 64, shuffle: true });
    const testset = new DataLoader(test, { batch_size: 64, shuffle: false });
    const net = new Net().to('cpu');
    const loss_criterion = new nn.CrossEntropyLoss();
    const optimizer = new optim.Adam(net.parameters(), { lr: 0.005 });
    const t1 = performance.now();
    let loss: Tensor | null = null;
    for (const [X, y] of trainset) {
      net.zero_grad();
      const output = net(X.view(-1, 784));
      loss = loss_criterion(output, y);
      loss.backward();
      optimizer.step();
    }
    const t2 = performance.now();
    let correct = 0;
    let total = 0;
    torch.no_grad(() => {
      for (const [X, y] of testset) {
        const output = net(X.view(-1, 784));
        correct += output.argmax(1).eq(y).sum().item();
        total += y.size(0);
      }
    });
    const t3 = performance.now();
    const accuracy = correct / total;
    console.log(
      `MNIST MLP: accuracy ${(accuracy * 100).toFixed(2)}% after one epoch (final batch loss ${loss!.item().toFixed(4)}); ` +
        `load ${(t1 - t0).toFixed(0)} ms, train ${((t2 - t1) / 1000).toFixed(1)} s (${trainset.length} steps), test ${(t3 - t2).toFixed(0)} ms`,
    );
    expect(total).toBe(10000);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
