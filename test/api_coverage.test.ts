/**
 * The API coverage list (test/golden/api_names.json, checked against PyTorch by
 * scripts/api_coverage.py): every PyTorch name a first course uses must exist in torchlab, as
 * `torch.NAME`, `torch.linalg.NAME` or a Tensor method/property, except the few listed under
 * `left_out` with the reason. A name that disappears fails here.
 */

import { describe, expect, it } from 'vitest';
import torch from '../lib/index.js';
import { apiCoverage, loadApiNames } from './helpers/api_names.js';

const names = loadApiNames();
const entries = apiCoverage(names);

describe('API coverage: the PyTorch names a course uses', () => {
  it('lists a few hundred names, and gives a reason for each one left out', () => {
    expect(entries.length).toBeGreaterThan(600);
    for (const [name, why] of Object.entries(names.left_out)) expect(why.length, name).toBeGreaterThan(10);
  });

  for (const space of ['torch', 'torch.linalg', 'Tensor'] as const) {
    it(`every listed ${space} name exists`, () => {
      const missing = entries.filter((e) => e.space === space && !e.present && e.leftOut === undefined).map((e) => `${e.group}: ${e.name}`);
      expect(missing).toEqual([]);
    });
  }

  it('torch.* names are functions, dtypes, classes or namespaces; methods are functions', () => {
    const ns = torch as unknown as Record<string, unknown>;
    const inst = torch.zeros(2, 2) as unknown as Record<string, unknown>;
    for (const e of entries.filter((x) => x.present)) {
      if (e.space === 'torch') expect(['function', 'object'], e.name).toContain(typeof ns[e.name]);
      if (e.space === 'torch.linalg') expect(typeof (torch.linalg as unknown as Record<string, unknown>)[e.name], e.name).toBe('function');
      if (e.space === 'Tensor' && e.group !== 'metadata') expect(typeof inst[e.name], `Tensor.${e.name}`).toBe('function');
    }
  });

  it('the properties read as in PyTorch', () => {
    const x = torch.zeros(2, 3);
    expect(x.ndim).toBe(2);
    expect([...x.T.shape]).toEqual([3, 2]);
    expect([...x.mT.shape]).toEqual([3, 2]);
    expect([...x.H.shape]).toEqual([3, 2]);
    expect([...x.mH.shape]).toEqual([3, 2]);
    expect(x.nbytes).toBe(24);
    expect(x.itemsize).toBe(4);
    expect(x.is_complex()).toBe(false);
    expect(torch.is_complex(x)).toBe(false);
  });
});
