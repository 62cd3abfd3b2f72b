/** Library loops check the kernel's cooperative interrupt flag (the kernel's hooks live on globalThis). */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { DataLoader, TensorDataset, nn, optim } from '../lib/index.js';

const HOOKS = Symbol.for('torchlab.kernel');
class KeyboardInterrupt extends Error {}
let interrupted = false;

function installHooks(): void {
  (globalThis as Record<symbol, unknown>)[HOOKS] = {
    display() {},
    check_interrupt() {
      if (interrupted) throw new KeyboardInterrupt('interrupted');
    },
  };
}

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[HOOKS];
  interrupted = false;
});

describe('cooperative interrupt', () => {
  it('stops DataLoader iteration at the next batch', () => {
    installHooks();
    const loader = new DataLoader(new TensorDataset(torch.arange(10)), { batch_size: 2 });
    let seen = 0;
    expect(() => {
      for (const batch of loader) {
        void batch;
        seen++;
        if (seen === 2) interrupted = true;
      }
    }).toThrow(KeyboardInterrupt);
    expect(seen).toBe(2);
  });
  it('stops an optimizer step before it updates', () => {
    installHooks();
    const lin = new nn.Linear(2, 1);
    const opt = new optim.SGD(lin.parameters(), { lr: 0.1 });
    lin(torch.ones(1, 2)).sum().backward();
    const before = lin.weight.clone();
    interrupted = true;
    expect(() => opt.step()).toThrow(KeyboardInterrupt);
    expect(lin.weight.equal(before)).toBe(true);
  });
  it('is a no-op outside the kernel', () => {
    const loader = new DataLoader(new TensorDataset(torch.arange(4)), { batch_size: 2 });
    expect([...loader].length).toBe(2);
  });
});
