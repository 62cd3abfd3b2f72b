/** The 'cuda' device on WebGPU: synchronous reads, devices and errors, memory, and a small MLP trained on both devices. */

import { describe, expect, it } from 'vitest';
import torch from '../../lib/index.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

describe.skipIf(!hasGpu)(`cuda tensors${skipReason}`, () => {
  it('reads are synchronous: item, tolist, printing, cpu()', () => {
    const x = torch.tensor([[1.5, 2], [3, 4]], { device: 'cuda' });
    expect(x.device.type).toBe('cuda');
    expect(String(x.device)).toBe('cuda:0');
    expect(x.sum().item()).toBe(10.5);
    expect(x.mul(2).tolist()).toEqual([[3, 4], [6, 8]]);
    expect(String(x)).toBe("tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]], device='cuda:0')");
    expect(String(x.gt(2))).toBe("tensor([[False, False],\n        [ True,  True]], device='cuda:0')");
    expect(String(torch.arange(3, { device: 'cuda' }))).toBe("tensor([0, 1, 2], device='cuda:0')");
    expect(x.cpu().device.type).toBe('cpu');
    expect(x.T.cpu().tolist()).toEqual([[1.5, 3], [2, 4]]);
    expect(torch.zeros([2], { device: torch.device('cuda', 0) }).cuda().is_cuda).toBe(true);
    expect(x.typeName()).toBe('torch.cuda.FloatTensor');
  });

  it('torch.cuda answers for one WebGPU device', () => {
    expect(torch.cuda.is_available()).toBe(true);
    expect(torch.cuda.device_count()).toBe(1);
    expect(torch.cuda.current_device()).toBe(0);
    expect(torch.cuda.get_device_name().length).toBeGreaterThan(0);
    torch.cuda.set_device(0);
    torch.cuda.synchronize();
    expect(() => torch.cuda.set_device(1)).toThrow('CUDA error: invalid device ordinal');
    expect(() => torch.zeros([2], { device: 'cuda:1' })).toThrow('CUDA error: invalid device ordinal');
  });

  it('mixing devices raises PyTorch\'s error', () => {
    const a = torch.ones([2], { device: 'cuda' });
    const b = torch.ones([2]);
    expect(() => a.add(b)).toThrow('Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!');
    expect(() => b.mul(a)).toThrow('Expected all tensors to be on the same device, but found at least two devices, cpu and cuda:0!');
    expect(() => a.matmul(b)).toThrow(/same device/);
  });

  it('dtypes: float64 is refused as on MPS, int64 must fit in int32, bool and uint8 round-trip', () => {
    expect(() => torch.zeros([2], { dtype: torch.float64, device: 'cuda' })).toThrow(
      "Cannot convert a cuda Tensor to float64 dtype as WebGPU (torchlab's cuda device) doesn't support float64. Please use float32 instead.",
    );
    expect(() => torch.ones([2], { device: 'cuda' }).double()).toThrow(/doesn't support float64/);
    expect(() => torch.tensor([2 ** 31], { device: 'cuda' })).toThrow(/int64 tensor on a WebGPU \('cuda'\) device/);
    expect(() => torch.tensor([3e9]).long().cuda()).toThrow(/range -2147483648 to 2147483647/);
    expect(torch.tensor([-(2 ** 31), 2 ** 31 - 1], { device: 'cuda' }).tolist()).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    expect(torch.tensor([true, false], { device: 'cuda' }).logical_not().tolist()).toEqual([false, true]);
    expect(torch.tensor([250, 7], { dtype: torch.uint8, device: 'cuda' }).add(10).tolist()).toEqual([4, 17]);
  });

  it('a GPU error surfaces as an exception on the next read, and the device keeps working', () => {
    // larger than any adapter's maxBufferSize: Dawn rejects the buffer asynchronously
    torch.empty([1_100_000_000], { device: 'cuda' });
    expect(() => torch.ones([2], { device: 'cuda' }).sum().item()).toThrow(/WebGPU error/);
    expect(torch.ones([3], { device: 'cuda' }).sum().item()).toBe(3);
  });

  it('memory: buffers return to the pool, memory stays steady over repeated ops, empty_cache releases it', () => {
    torch.cuda.synchronize();
    const w = torch.randn([256, 256]).cuda();
    const before = torch.cuda.memory_allocated();
    let x = torch.randn([64, 256]).cuda();
    const step = () => {
      x = x.matmul(w).tanh().mul(0.5).add(x);
      return x.sum().item();
    };
    for (let i = 0; i < 20; i++) step();
    const settled = torch.cuda.memory_reserved();
    for (let i = 0; i < 800; i++) step();
    // without collection, 800 steps would hold 800 * 5 buffers of 64 KiB (256 MB)
    expect(torch.cuda.memory_reserved()).toBeLessThan(settled + (80 << 20));
    expect(torch.cuda.memory_allocated()).toBeGreaterThanOrEqual(before);
    expect(torch.cuda.max_memory_allocated()).toBeGreaterThanOrEqual(torch.cuda.memory_allocated());
    torch.cuda.empty_cache();
    expect(torch.cuda.memory_reserved()).toBeLessThanOrEqual(settled + (80 << 20));
    expect(torch.cuda.memory_reserved()).toBeGreaterThanOrEqual(torch.cuda.memory_allocated());
  });

  it('a small MLP trains the same on cuda as on cpu', () => {
    const run = (device: 'cpu' | 'cuda') => {
      torch.manual_seed(0);
      const model = new torch.nn.Sequential(new torch.nn.Linear(20, 32), new torch.nn.ReLU(), new torch.nn.Linear(32, 4)).to(device);
      const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const X = torch.randn([64, 20]).to(device);
      const y = torch.randint(0, 4, [64]).to(device);
      const losses: number[] = [];
      for (let i = 0; i < 10; i++) {
        opt.zero_grad();
        const loss = torch.nn.functional.cross_entropy(model.forward(X), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      return { losses, out: model.forward(X) };
    };
    const cpu = run('cpu');
    const gpu = run('cuda');
    for (let i = 0; i < cpu.losses.length; i++) expect(gpu.losses[i]).toBeCloseTo(cpu.losses[i]!, 4);
    expect(cpu.losses[9]!).toBeLessThan(cpu.losses[0]!);
    expectSame(gpu.out, cpu.out, 1e-3, 1e-3, 'logits');
  });
});
