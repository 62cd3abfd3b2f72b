/**
 * Installing the kernelspec without Python: `kernels/torchlab/kernel.json` plus logos in a Jupyter
 * data directory, found the way jupyter_core finds it.
 */

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { logoPng, logoSvg } from './logo.js';
import { MALLOC_TUNABLES, V8_HEAP_FLAGS } from './malloc.js';

export const KERNEL_NAME = 'torchlab';
export const DISPLAY_NAME = 'TypeScript (torchlab)';

/** Where to install: the user's data directory, the active Python environment's, a prefix, or the system's. */
export type Location = { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; prefix: string } | { kind: 'system' };

/** jupyter_core's `jupyter_data_dir()`: JUPYTER_DATA_DIR, else the platform's per-user directory. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Jupyter');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'jupyter');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'jupyter');
}

/** jupyter_core's first system data directory. */
export function systemDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.PROGRAMDATA ?? 'C:\\ProgramData', 'jupyter');
  return '/usr/local/share/jupyter';
}

/** The active Python environment's prefix (virtualenv or conda), which `--sys-prefix` means. */
export function sysPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const prefix = env.VIRTUAL_ENV || env.CONDA_PREFIX;
  if (!prefix) {
    throw new Error('--sys-prefix needs an active virtualenv or conda environment (VIRTUAL_ENV and CONDA_PREFIX are unset); use --prefix PATH or --user instead');
  }
  return prefix;
}

/** The `kernels` directory of a location. */
export function kernelsDir(loc: Location, env: NodeJS.ProcessEnv = process.env): string {
  switch (loc.kind) {
    case 'user':
      return join(userDataDir(env), 'kernels');
    case 'system':
      return join(systemDataDir(env), 'kernels');
    case 'sys-prefix':
      return join(sysPrefix(env), 'share', 'jupyter', 'kernels');
    case 'prefix':
      return join(resolve(loc.prefix), 'share', 'jupyter', 'kernels');
  }
}

/** The default location, as tslab chooses it: per user, except for root, who installs for everyone. */
export function defaultLocation(): Location {
  return process.getuid?.() === 0 ? { kind: 'system' } : { kind: 'user' };
}

/**
 * The kernel.json that starts `cliPath kernel {connection_file}` with this Node.js, under the
 * malloc and V8 heap settings that let CPU tensors reuse freed memory (kernel/malloc.ts).
 */
export function kernelJson(cliPath: string, nodePath: string = process.execPath): Record<string, unknown> {
  return {
    argv: [nodePath, ...V8_HEAP_FLAGS, cliPath, 'kernel', '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'message',
    metadata: { debugger: false },
    env: { GLIBC_TUNABLES: MALLOC_TUNABLES },
  };
}

/** Writes the kernelspec; returns its directory. */
export function install(loc: Location, cliPath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!existsSync(cliPath)) throw new Error(`the kernel is not built: ${cliPath} is missing (run npm run build)`);
  const dir = join(kernelsDir(loc, env), KERNEL_NAME);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), JSON.stringify(kernelJson(cliPath), null, 2) + '\n');
  writeFileSync(join(dir, 'logo-32x32.png'), logoPng(32));
  writeFileSync(join(dir, 'logo-64x64.png'), logoPng(64));
  writeFileSync(join(dir, 'logo-svg.svg'), logoSvg());
  return dir;
}

/** Removes the kernelspec from `locs`; returns the directories removed. */
export function uninstall(locs: readonly Location[], env: NodeJS.ProcessEnv = process.env): string[] {
  const removed: string[] = [];
  for (const loc of locs) {
    let dir: string;
    try {
      dir = join(kernelsDir(loc, env), KERNEL_NAME);
    } catch {
      continue; // --sys-prefix without an environment: nothing installed there
    }
    if (existsSync(join(dir, 'kernel.json'))) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    }
  }
  return removed;
}
