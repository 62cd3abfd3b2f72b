/** torch.cuda without a WebGPU backend answers as a CPU-only PyTorch build, with errors that say what to do. */

import { describe, expect, it } from 'vitest';
import torch from '../lib/index.js';

// These cover machines without a WebGPU adapter (the default on a CPU-only laptop, and CI without
// TORCHLAB_ALLOW_SOFTWARE_GPU); test/webgpu covers the device itself.
const hasAdapter = torch.cuda.is_available();
describe.skipIf(hasAdapter)('torch.cuda without a WebGPU adapter (skipped: this machine has one)', () => {
  it('reports no devices, so the lecture falls back to the CPU', () => {
    expect(torch.cuda.is_available()).toBe(false);
    expect(torch.cuda.device_count()).toBe(0);
    const device = torch.cuda.is_available() ? 'cuda' : 'cpu';
    expect(String(torch.zeros(2, { device }))).toBe('tensor([0., 0.])');
  });
  it('asking for a cuda tensor explains how to get one', () => {
    expect(() => torch.zeros(2, { device: 'cuda' })).toThrow(/Use device 'cpu'/);
    expect(() => torch.ones(2).to('cuda:0')).toThrow(/Torch not compiled with CUDA enabled/);
    expect(() => torch.cuda.current_device()).toThrow(/Torch not compiled with CUDA enabled/);
  });
});

describe('devices', () => {
  it('print as PyTorch prints them', () => {
    expect(String(torch.device('cuda', 1))).toBe('cuda:1');
    expect(torch.device('cpu').type).toBe('cpu');
    expect(torch.device('cuda:0').index).toBe(0);
  });
});
