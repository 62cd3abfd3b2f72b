/**
 * Gradients a backward pass hands from node to node, kept in the WebAssembly kernels' memory
 * (lib/backends/cpu/allocator.ts, Backend.donate's `'pass'`): from the second pass on, the
 * pooling, convolution, relu and product gradients of a training step are written in place there
 * and read in place by the next node. These tests check that training gives the same bits with and
 * without those blocks, that the blocks are really used, and that a block never reaches a tensor
 * that outlives the pass (a forward activation, a gradient autograd.grad returns).
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { F, nn, optim, type Tensor } from '../lib/index.js';
import { cpuDonateConfig, type CpuStorage } from '../lib/backends/cpu/index.js';
import { inWasmMemory } from '../lib/backends/cpu/wasm/gemm.js';
import { wasmConvConfig } from '../lib/backends/cpu/wasm/conv.js';
import type { OpNode } from '../lib/autograd/node.js';
import { BnLeNet } from './helpers/bn_lenet.js';

const inWasm = (t: Tensor): boolean => inWasmMemory((t._storage as CpuStorage).data);

// LeNet's layers with notebook 03's batch norm, at batch 16 of 16 x 16 images: the first layer's activations and gradients are 64 KB, the second's
// 18 KB, above the 8 KiB of the slabs
const Net = (): BnLeNet => new BnLeNet(4, 3, 1, 8, 3, 3);

function train(resident: boolean, steps: number, pass = true): { params: Tensor[]; grads: Tensor[]; reused: number[] } {
  cpuDonateConfig.resident = resident;
  cpuDonateConfig.pass = pass;
  try {
    torch.manual_seed(11);
    const net = Net();
    const opt = new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = torch.randn([16, 1, 16, 16]);
    const y = torch.randint(0, 10, [16]);
    const reused: number[] = [];
    for (let s = 0; s < steps; s++) {
      const before = cpuDonateConfig.reused;
      opt.zero_grad();
      F.cross_entropy(net(x), y).backward();
      opt.step();
      reused.push(cpuDonateConfig.reused - before);
    }
    const params = [...net.parameters()];
    return { params: params.map((p) => p.detach().clone()), grads: params.map((p) => p.grad!.clone()), reused };
  } finally {
    cpuDonateConfig.resident = true;
    cpuDonateConfig.pass = true;
  }
}

describe("gradients from node to node in the kernels' memory", () => {
  afterEach(() => {
    wasmConvConfig.threadMinMacs = 1 << 21;
  });

  for (const threads of [false, true]) {
    it(`trains a small CNN to the same bits with and without them${threads ? ', convolutions split over threads' : ''}`, () => {
      if (threads) wasmConvConfig.threadMinMacs = 0;
      const js = train(false, 5);
      const resident = train(true, 5);
      expect(js.reused.slice(1).every((n) => n === 0)).toBe(true);
      // from the third step, every gradient above the slabs' size takes a block: pooling's, relu's
      // and batch norm's of the first layer (64 KB), the second convolution's and relu's (18 KB)
      expect(resident.reused[3]).toBeGreaterThanOrEqual(5);
      expect(resident.reused[4]).toBe(resident.reused[3]);
      // without them (`pass: false`), only the weight gradients that zero_grad gives back take one
      const stepOnly = train(true, 5, false);
      expect(stepOnly.reused[3]).toBeLessThan(resident.reused[3]!);
      for (const r of [resident, stepOnly]) {
        for (let i = 0; i < js.params.length; i++) {
          expect(torch.equal(r.params[i]!, js.params[i]!)).toBe(true);
          expect(torch.equal(r.grads[i]!, js.grads[i]!)).toBe(true);
        }
      }
    });
  }

  it('at the bound makes no block, and lets go of the sizes no allocation asked for lately', () => {
    const model = (n: number) => {
      const fc = new nn.Linear(n, 40);
      const x = torch.randn([16, n]);
      const opt = new optim.SGD(fc.parameters(), { lr: 0.01 });
      return () => {
        opt.zero_grad();
        fc(x).square().sum().backward();
        opt.step();
        return inWasm(fc.weight._grad!);
      };
    };
    const a = model(300);
    expect([a(), a(), a()]).toEqual([false, true, true]);
    const { residentMax, idle } = cpuDonateConfig;
    try {
      cpuDonateConfig.residentMax = 0;
      cpuDonateConfig.idle = 8;
      // a second model's weight gradient finds the bound reached: no block of its size, while
      // model a's, asked for a moment ago, keeps going round
      const b = model(200);
      expect([b(), b()]).toEqual([false, false]);
      expect(a()).toBe(true);
      // once more than `idle` allocations have asked for blocks since a's last did, a's size is
      // let go at the bound (for the model trained next), and a's gradients are JavaScript arrays
      for (let i = 0; i < 10; i++) b();
      expect([a(), a()]).toEqual([false, false]);
    } finally {
      Object.assign(cpuDonateConfig, { residentMax, idle });
    }
  });

  it('keeps the blocks going round when each step also evaluates the model with gradients on', () => {
    // the evaluation's pooling indices take a block and never give it back (no backward pass):
    // one block lost a step until the bound, where letting go of every other size stopped all reuse
    torch.manual_seed(2);
    const net = Net();
    const opt = new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = torch.randn([16, 1, 16, 16]);
    const y = torch.randint(0, 10, [16]);
    const residentMax = cpuDonateConfig.residentMax;
    const reused: number[] = [];
    try {
      cpuDonateConfig.residentMax = 2 << 20;
      for (let s = 0; s < 80; s++) {
        const r = cpuDonateConfig.reused;
        opt.zero_grad();
        F.cross_entropy(net(x), y).backward();
        opt.step();
        net(x);
        reused.push(cpuDonateConfig.reused - r);
      }
    } finally {
      cpuDonateConfig.residentMax = residentMax;
    }
    // the bound (2 MiB) is reached within the first 70 steps (32 KB of indices lost a step)
    expect(cpuDonateConfig.made).toBeGreaterThan(0);
    expect(Math.min(...reused.slice(70))).toBeGreaterThanOrEqual(4);
  });

  it('keeps them out of the forward pass', () => {
    train(true, 3);
    // the first layer's activations are its gradients' size, and live as long as user code keeps them
    const a = F.relu(torch.randn([16, 4, 16, 16]));
    const b = F.max_pool2d(torch.randn([16, 4, 16, 16]), 2);
    expect(inWasm(a)).toBe(false);
    expect(inWasm(b)).toBe(false);
  });

  it("keeps a weight gradient's block from an activation of its size, step after step", () => {
    // the MNIST MLP at batch 64: 64 x 64 activations are the size of the 64 x 64 weight gradients;
    // an activation handed such a block kept it until collected, and each step made one more
    torch.manual_seed(3);
    const first = new nn.Linear(32, 64);
    const net = new nn.Sequential(first, new nn.ReLU(), new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const opt = new optim.Adam(net.parameters(), { lr: 0.01 });
    const x = torch.randn([64, 32]);
    const y = torch.randint(0, 10, [64]);
    const made: number[] = [];
    const reused: number[] = [];
    let activation: Tensor | null = null;
    for (let s = 0; s < 12; s++) {
      const [m, r] = [cpuDonateConfig.made, cpuDonateConfig.reused];
      opt.zero_grad();
      activation = F.relu(first(x));
      F.cross_entropy(net(x), y).backward();
      opt.step();
      made.push(cpuDonateConfig.made - m);
      reused.push(cpuDonateConfig.reused - r);
    }
    expect(made.slice(4).every((n) => n === 0)).toBe(true);
    expect(reused[11]).toBeGreaterThan(0);
    expect(reused.slice(4).every((n) => n === reused[11])).toBe(true);
    expect(inWasm(activation!)).toBe(false);
  });

  it("gives pooling's indices, which its node gives back, a block of their own", () => {
    const x = torch.randn([8, 4, 16, 16]).requires_grad_(true);
    const owned: boolean[] = [];
    for (let s = 0; s < 4; s++) {
      const out = F.max_pool2d(x, 2);
      owned.push(inWasm((out.grad_fn as OpNode).owned![0]!));
      out.sum().backward();
    }
    expect(owned).toEqual([false, true, true, true]);
    // handed out (return_indices), they are the caller's: plain memory
    const [, indices] = F.max_pool2d(x, 2, { return_indices: true });
    expect(inWasm(indices)).toBe(false);
  });

  it('keeps a gradient that became a .grad and was read there, whatever later passes do', () => {
    const x = torch.randn([16, 4, 16, 16], { requires_grad: true });
    const pass = (): Tensor => {
      x.grad = null;
      F.max_pool2d(F.relu(x.mul(2)), 2).sum().backward();
      return x.grad!;
    };
    // the mul's gradient, the last of the pass, becomes x.grad without a copy: a block from the third pass on
    for (let s = 0; s < 3; s++) pass();
    const kept = pass();
    expect(inWasm(kept)).toBe(true);
    const copy = kept.clone();
    for (let s = 0; s < 4; s++) expect(inWasm(pass())).toBe(true);
    expect(torch.equal(kept, copy)).toBe(true);
  });

  it('keeps the gradients autograd.grad returns, whatever later passes do', () => {
    const x = torch.randn([16, 4, 16, 16], { requires_grad: true });
    const grad = () => torch.autograd.grad([F.max_pool2d(F.relu(x.mul(2)), 2).sum()], [x])[0]!;
    const kept = [grad(), grad(), grad()];
    const copies = kept.map((g) => g.clone());
    for (let s = 0; s < 4; s++) {
      grad();
      x.grad = null;
      F.max_pool2d(F.relu(x.mul(2)), 2).sum().backward();
    }
    kept.forEach((g, i) => expect(torch.equal(g, copies[i]!)).toBe(true));
  });
});
