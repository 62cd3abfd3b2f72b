/** `torchlab install` / `uninstall`: the kernelspec Jupyter finds, written without Python. */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kernelsDir, userDataDir } from '../../kernel/kernelspec.js';
import { cliPath, ensureBuilt } from './client.js';
import { MALLOC_TUNABLES, withMallocTunables } from '../../kernel/malloc.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'torchlab-spec-'));
  dirs.push(d);
  return d;
};

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const base = { ...process.env };
  delete base.VIRTUAL_ENV;
  delete base.CONDA_PREFIX;
  const r = spawnSync(process.execPath, [cliPath, ...args], { env: { ...base, ...env }, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Width, height and the decoded RGBA rows of a PNG written by the logo code. */
function readPng(path: string): { width: number; height: number; alpha: number[] } {
  const buf = readFileSync(path);
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let off = 8; off < buf.length;) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    if (type === 'IDAT') idat.push(buf.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const alpha: number[] = [];
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) alpha.push(raw[y * (width * 4 + 1) + 1 + x * 4 + 3]!);
  return { width, height, alpha };
}

beforeAll(() => ensureBuilt(), 120_000);
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('torchlab install', () => {
  it('writes kernel.json and logos under PREFIX/share/jupyter/kernels/torchlab', () => {
    const prefix = tmp();
    const r = cli(['install', '--prefix', prefix]);
    expect(r.status).toBe(0);
    const dir = join(prefix, 'share', 'jupyter', 'kernels', 'torchlab');
    expect(r.stdout).toContain(dir);
    const spec = JSON.parse(readFileSync(join(dir, 'kernel.json'), 'utf8')) as Record<string, unknown>;
    expect(spec).toEqual({
      argv: [process.execPath, '--initial-old-space-size=64', cliPath, 'kernel', '{connection_file}'],
      display_name: 'TypeScript (torchlab)',
      language: 'typescript',
      interrupt_mode: 'message',
      metadata: { debugger: false },
      env: { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824' },
    });
    for (const size of [32, 64]) {
      const png = readPng(join(dir, `logo-${size}x${size}.png`));
      expect([png.width, png.height]).toEqual([size, size]);
      expect(png.alpha[0]).toBe(0); // transparent corner
      expect(png.alpha[(size / 2) * size + size / 2]).toBe(255); // opaque centre
    }
    expect(readFileSync(join(dir, 'logo-svg.svg'), 'utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('installs per user into JUPYTER_DATA_DIR, and uninstall removes it', () => {
    const data = tmp();
    expect(cli(['install', '--user'], { JUPYTER_DATA_DIR: data }).status).toBe(0);
    expect(existsSync(join(data, 'kernels', 'torchlab', 'kernel.json'))).toBe(true);
    const u = cli(['uninstall', '--user'], { JUPYTER_DATA_DIR: data });
    expect(u.status).toBe(0);
    expect(u.stdout).toContain(join(data, 'kernels', 'torchlab'));
    expect(existsSync(join(data, 'kernels', 'torchlab'))).toBe(false);
    const again = cli(['uninstall', '--user'], { JUPYTER_DATA_DIR: data });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('No torchlab kernelspec found');
  });

  it('--sys-prefix uses the active virtualenv, and says what to do without one', () => {
    const venv = tmp();
    expect(cli(['install', '--sys-prefix'], { VIRTUAL_ENV: venv }).status).toBe(0);
    expect(existsSync(join(venv, 'share', 'jupyter', 'kernels', 'torchlab', 'kernel.json'))).toBe(true);
    const r = cli(['install', '--sys-prefix']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--sys-prefix needs an active virtualenv or conda environment');
  });

  it('rejects unknown commands and options with the usage', () => {
    const bad = cli(['install', '--everywhere']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option '--everywhere'");
    expect(bad.stderr).toContain('usage: torchlab');
    expect(cli(['install', '--user', '--prefix', '/x']).status).toBe(2);
    expect(cli(['frobnicate']).status).toBe(2);
    expect(cli(['help']).stdout).toContain('usage: torchlab');
  });
});

describe('Jupyter data directories', () => {
  it("follow jupyter_core: JUPYTER_DATA_DIR, XDG_DATA_HOME, then the platform's default", () => {
    expect(userDataDir({ JUPYTER_DATA_DIR: '/j', HOME: '/h' }, 'linux')).toBe('/j');
    expect(userDataDir({ XDG_DATA_HOME: '/x', HOME: '/h' }, 'linux')).toBe('/x/jupyter');
    expect(userDataDir({ HOME: '/h' }, 'linux')).toBe('/h/.local/share/jupyter');
    expect(userDataDir({ HOME: '/h' }, 'darwin')).toBe('/h/Library/Jupyter');
    expect(kernelsDir({ kind: 'prefix', prefix: '/p' })).toBe('/p/share/jupyter/kernels');
    expect(kernelsDir({ kind: 'sys-prefix' }, { CONDA_PREFIX: '/c' })).toBe('/c/share/jupyter/kernels');
    expect(kernelsDir({ kind: 'system' })).toBe('/usr/local/share/jupyter/kernels');
  });
});

describe('malloc settings for the processes torchlab starts (kernel/malloc.ts)', () => {
  it('adds its tunables to GLIBC_TUNABLES, keeping the values already there', () => {
    expect(withMallocTunables(undefined)).toBe(MALLOC_TUNABLES);
    expect(withMallocTunables('')).toBe(MALLOC_TUNABLES);
    expect(withMallocTunables('glibc.malloc.mmap_threshold=65536')).toBe('glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=1073741824');
    expect(withMallocTunables('glibc.pthread.rseq=0')).toBe(`glibc.pthread.rseq=0:${MALLOC_TUNABLES}`);
    expect(withMallocTunables(MALLOC_TUNABLES)).toBe(MALLOC_TUNABLES);
  });
});
