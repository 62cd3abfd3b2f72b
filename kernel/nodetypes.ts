/**
 * Node's type declarations for cells outside any npm project. tslab looks for `@types/node` above
 * the notebook's folder and then in `tslab/node_modules/@types`; when torchlab is installed as a
 * dependency, npm hoists `@types/node` next to tslab instead, and cells lose `process`, `Buffer`
 * and friends. The compiler reads files through `ts.sys`, so reads of tslab's own type root are
 * redirected to the hoisted one.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { typescript } from './interrupt.js';

let installed = false;

/** The hoisted `node_modules/@types` that holds tslab's `@types/node`, or null when no redirect is needed. */
export function hoistedTypeRoot(): string | null {
  const tslabRoot = dirname(createRequire(import.meta.url).resolve('tslab/package.json'));
  if (existsSync(join(tslabRoot, 'node_modules', '@types', 'node', 'package.json'))) return null;
  try {
    const nodeTypes = dirname(createRequire(join(tslabRoot, 'package.json')).resolve('@types/node/package.json'));
    return dirname(nodeTypes);
  } catch {
    return null; // no @types/node anywhere: nothing to redirect to
  }
}

/** Redirects tslab's fallback type root to the hoisted one (once per process; no-op when not needed). */
export function redirectNodeTypes(): void {
  if (installed) return;
  installed = true;
  const target = hoistedTypeRoot();
  if (target === null) return;
  const ts = typescript();
  const tslabRoot = dirname(createRequire(import.meta.url).resolve('tslab/package.json'));
  // tslab builds the path with forward slashes (TypeScript's normalised form)
  const from = join(tslabRoot, 'node_modules', '@types').split(sep).join('/');
  const map = (p: string): string => {
    const norm = p.split(sep).join('/');
    return norm === from || norm.startsWith(`${from}/`) ? target + norm.slice(from.length) : p;
  };
  const sys = ts.sys;
  const fileExists = sys.fileExists.bind(sys);
  const directoryExists = sys.directoryExists.bind(sys);
  const readFile = sys.readFile.bind(sys);
  const getDirectories = sys.getDirectories.bind(sys);
  const readDirectory = sys.readDirectory.bind(sys);
  sys.fileExists = (p) => fileExists(map(p));
  sys.directoryExists = (p) => directoryExists(map(p));
  sys.readFile = (p, encoding) => readFile(map(p), encoding);
  sys.getDirectories = (p) => getDirectories(map(p));
  sys.readDirectory = (p, ...rest) => readDirectory(map(p), ...rest);
  if (sys.realpath) {
    const realpath = sys.realpath.bind(sys);
    sys.realpath = (p) => realpath(map(p));
  }
  if (sys.getModifiedTime) {
    const getModifiedTime = sys.getModifiedTime.bind(sys);
    sys.getModifiedTime = (p) => getModifiedTime(map(p));
  }
  if (sys.watchFile) {
    const watchFile = sys.watchFile.bind(sys);
    sys.watchFile = (p, ...rest) => watchFile(map(p), ...rest);
  }
}
