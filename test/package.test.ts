/** The built package loads as PyTorch users import it: ESM default import, named imports, and CommonJS require (notebook cells compile to CommonJS). */

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = (args: string[]): string => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

describe('package', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
  }, 120_000);

  it('imports from ESM by name, default export is the torch namespace', () => {
    const out = node(['--input-type=module', '-e', "import torch, { Tensor, torch as named } from 'torchlab'; console.log(String(torch.ones(2)), torch === named, torch.zeros(1) instanceof Tensor)"]);
    expect(out).toBe('tensor([1., 1.]) true true');
  });

  it('requires from CommonJS, as compiled notebook cells do', () => {
    const src = [
      "function __importDefault(m) { return m && m.__esModule ? m : { default: m }; }",
      "const torch = __importDefault(require('torchlab')).default;",
      'console.log(String(torch.arange(3)));',
    ].join('\n');
    expect(node(['-e', src])).toBe('tensor([0, 1, 2])');
  });

  it('ships type declarations', () => {
    expect(node(['-e', "console.log(require('fs').existsSync('dist/index.d.ts'))"])).toBe('true');
  });
});
