/**
 * The PyTorch names a course uses (test/golden/api_names.json) checked against torchlab: shared by
 * scripts/api_coverage.ts (prints the report) and test/api_coverage.test.ts (fails on a gap).
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import torch from '../../lib/index.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface ApiNames {
  torch: Record<string, string[]>;
  linalg: string[];
  tensor: Record<string, string[]>;
  pytorch2: string[];
  left_out: Record<string, string>;
}

export function loadApiNames(): ApiNames {
  return JSON.parse(readFileSync(join(here, '..', 'golden', 'api_names.json'), 'utf8')) as ApiNames;
}

/** One listed name: where it lives, whether torchlab has it, and why not when that is deliberate. */
export interface Entry { space: 'torch' | 'torch.linalg' | 'Tensor'; group: string; name: string; present: boolean; leftOut?: string }

/**
 * `name in object` rather than `typeof object[name]`: Tensor properties are getters (T, H, nbytes)
 * or instance fields (dtype, grad), and reading a getter on the prototype would run it.
 */
export function apiCoverage(names: ApiNames = loadApiNames()): Entry[] {
  const ns = torch as unknown as Record<string, unknown>;
  const linalg = (ns['linalg'] ?? {}) as Record<string, unknown>;
  // a 2-D float instance: H and mH exist only on matrices, and instance fields are not on the prototype
  const inst = torch.zeros(2, 2);
  const out: Entry[] = [];
  const push = (space: Entry['space'], group: string, name: string, present: boolean) => {
    const why = names.left_out[name];
    out.push({ space, group, name, present, ...(why !== undefined && !present ? { leftOut: why } : {}) });
  };
  for (const [group, list] of Object.entries(names.torch)) for (const n of list) push('torch', group, n, n in ns && ns[n] !== undefined);
  for (const n of names.linalg) push('torch.linalg', 'linalg', n, n in linalg);
  for (const [group, list] of Object.entries(names.tensor)) for (const n of list) push('Tensor', group, n, n in inst);
  return out;
}
