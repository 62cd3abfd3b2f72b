/**
 * The prelude: an ordinary first cell that imports torchlab by absolute path (cells resolve
 * modules from the notebook's folder, not the kernel's) and binds the notebook's names.
 */

import { fileURLToPath, pathToFileURL } from 'node:url';
import { operatorPrelude } from './operators.js';
import { HELPER_PREFIX } from './rewrite.js';

/** A name the prelude binds, and where to find it: export names, or dotted paths into them. */
export interface Preload {
  name: string;
  from: readonly string[];
}

/**
 * The names a notebook starts with, in PyTorch's spelling (`import torch.nn as nn`,
 * `import torch.nn.functional as F`, ...). Each binds to the first of its sources that the
 * library exports, and is left out while none exists: extend the list as the library grows.
 */
export const PRELOADS: readonly Preload[] = [
  { name: 'torch', from: ['default', 'torch'] },
  // the class, so cells can annotate `(x: Tensor): Tensor` as PyTorch code reads
  { name: 'Tensor', from: ['Tensor'] },
  { name: 'nn', from: ['nn', 'torch.nn'] },
  { name: 'F', from: ['F', 'functional', 'nn.functional', 'torch.nn.functional'] },
  { name: 'optim', from: ['optim', 'torch.optim'] },
  { name: 'datasets', from: ['datasets', 'vision.datasets'] },
  { name: 'transforms', from: ['transforms', 'vision.transforms'] },
  { name: 'DataLoader', from: ['DataLoader', 'utils.data.DataLoader', 'torch.utils.data.DataLoader'] },
  { name: 'display', from: ['display'] },
  { name: 'plot', from: ['plot'] },
  { name: 'print', from: ['print'] },
  { name: 'tqdm', from: ['tqdm'] },
];

/** The torchlab entry module: `TORCHLAB_LIB` when set, else the build next to this kernel (dist/index.js). */
export function libraryPath(): string {
  const env = process.env.TORCHLAB_LIB;
  if (env !== undefined && env !== '') return env;
  return fileURLToPath(new URL('../index.js', import.meta.url));
}

export interface Prelude {
  code: string;
  /** The names bound, in PRELOADS order. */
  names: string[];
}

function lookup(root: Record<string, unknown>, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split('.')) {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The prelude cell for the module at `libPath`, binding what `PRELOADS` finds among its exports.
 * Top-level exports become imports; nested paths become constants read off an import.
 */
export async function makePrelude(libPath: string, preloads: readonly Preload[] = PRELOADS): Promise<Prelude> {
  const mod = (await import(pathToFileURL(libPath).href)) as Record<string, unknown>;
  const spec = JSON.stringify(libPath);
  const imported = new Map<string, string>(); // export name -> local binding
  const consts: string[] = [];
  const names: string[] = [];
  for (const p of preloads) {
    const source = p.from.find((path) => lookup(mod, path) !== undefined);
    if (source === undefined) continue;
    const [head, ...rest] = source.split('.') as [string, ...string[]];
    if (rest.length === 0 && !imported.has(head)) {
      imported.set(head, p.name);
    } else {
      let local = imported.get(head);
      if (local === undefined) {
        local = `__torchlab_${head}__`;
        imported.set(head, local);
      }
      consts.push(`const ${p.name} = ${[local, ...rest].join('.')};`);
    }
    names.push(p.name);
  }
  const lines: string[] = [];
  const defaultLocal = imported.get('default');
  const named = [...imported].filter(([k]) => k !== 'default').map(([k, local]) => (k === local ? k : `${k} as ${local}`));
  if (defaultLocal !== undefined && named.length > 0) lines.push(`import ${defaultLocal}, { ${named.join(', ')} } from ${spec};`);
  else if (defaultLocal !== undefined) lines.push(`import ${defaultLocal} from ${spec};`);
  else if (named.length > 0) lines.push(`import { ${named.join(', ')} } from ${spec};`);
  lines.push(...consts);
  return { code: lines.join('\n'), names };
}

/**
 * The second prelude cell: the helpers of the operator rewrite (`operators.ts`), bound to the
 * library's Tensor class at `libPath`. It runs without the rewrite (its bodies use the operators).
 */
export function makeOperatorPrelude(libPath: string): string {
  const spec = JSON.stringify(libPath);
  const torch = `${HELPER_PREFIX}torch`;
  return `import ${torch} from ${spec};\n${operatorPrelude(torch)}`;
}
