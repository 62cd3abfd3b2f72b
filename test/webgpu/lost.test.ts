/**
 * A lost WebGPU device (driver reset, GPU removed; here GPUDevice.destroy() through an internal
 * hook): the loss surfaces as an exception with WebGPU's message on the next cuda op, the op
 * after that runs on a newly acquired device, and tensors of the lost device raise a clear error.
 * Its own file: it replaces the process's device. Also: a process that ends with GPU work still
 * queued exits cleanly (Dawn aborts when its thread is torn down inside a call).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import torch, { nn } from '../../lib/index.js';
import { _destroyDeviceForTest } from '../../lib/backends/webgpu/client.js';
import { hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

describe.skipIf(!hasGpu)(`device loss and recovery${skipReason}`, () => {
  it('the next op throws the loss, later ops run on a new device, old tensors refuse clearly', () => {
    const old = torch.arange(6, { device: 'cuda' }).float();
    const net = new nn.Linear(3, 2).to('cuda');
    expect(old.sum().item()).toBe(15);
    _destroyDeviceForTest();
    // the first op after the loss reports it, with WebGPU's message
    expect(() => torch.ones([2], { device: 'cuda' }).add(1)).toThrow(/WebGPU error: device lost \(destroyed\).*next cuda operation acquires a new device/);
    // the next one acquires a new device
    const fresh = torch.ones([3], { device: 'cuda' }).mul(2);
    expect(fresh.tolist()).toEqual([2, 2, 2]);
    expect(torch.cuda.is_available()).toBe(true);
    expect(torch.cuda.memory_allocated()).toBeGreaterThan(0);
    // tensors of the lost device say what happened, in any op and on reading
    const lost = /this cuda tensor's memory was lost with its WebGPU device \(device lost \(destroyed\).*create them again/;
    expect(() => old.sum()).toThrow(lost);
    expect(() => old.tolist()).toThrow(lost);
    expect(() => old.add(fresh.get(0))).toThrow(lost);
    expect(() => net(torch.ones([1, 3], { device: 'cuda' }))).toThrow(lost);
    // moving a model again from saved (CPU) weights works on the new device
    torch.manual_seed(0);
    const again = new nn.Linear(3, 2).to('cuda');
    const y = again(torch.ones([4, 3], { device: 'cuda' }));
    y.sum().backward();
    expect(again.weight.grad!.device.type).toBe('cuda');
    expect(again.weight.grad!.get(0).tolist()).toEqual([4, 4, 4]);
    // random numbers and new kernels compile on the new device
    expect(torch.randn([100], { device: 'cuda' }).isfinite().all().item()).toBe(1);
  });

  it('survives a second loss, and an uncaught GPU error is reported once without losing the device', () => {
    _destroyDeviceForTest();
    expect(() => torch.cuda.synchronize()).toThrow(/device lost/);
    expect(torch.tensor([1, 2, 3], { device: 'cuda' }).sum().item()).toBe(6);
    torch.empty([1_100_000_000], { device: 'cuda' });
    expect(() => torch.ones([2], { device: 'cuda' }).sum().item()).toThrow(/WebGPU error/);
    const x = torch.ones([3], { device: 'cuda' });
    expect(x.sum().item()).toBe(3);
    expect(x.add(1).tolist()).toEqual([2, 2, 2]);
  });
});

describe.skipIf(!hasGpu)(`process exit with queued GPU work${skipReason}`, () => {
  it('exits cleanly: the worker finishes what was sent before the process ends', () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchlab-exit-'));
    try {
      const script = join(dir, 'exit.mts');
      const lib = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib', 'index.ts')).href;
      // dozens of new kernels compile in the worker while the main thread reaches its end
      writeFileSync(script, `const { default: torch } = await import(${JSON.stringify(lib)});
const x = torch.randn([64, 300]).cuda();
for (const dt of [torch.float32, torch.int32, torch.uint8]) {
  const y = x.to(dt);
  for (const op of ['neg', 'abs', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'erf', 'floor', 'sigmoid', 'atanh', 'asinh']) y[op]();
}
console.log('queued');
`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', env: { ...process.env, TORCHLAB_ALLOW_SOFTWARE_GPU: '1' }, timeout: 60_000 });
      expect(r.stderr).not.toMatch(/FATAL/);
      expect(r.stdout).toContain('queued');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
