#!/usr/bin/env node
/**
 * The main job (`npm start`): builds torchlab when the build is missing or older than its
 * sources, installs the torchlab kernelspec for this user, links the notebooks' data, and opens
 * notebooks/ in JupyterLab, or in the classic Notebook where JupyterLab is not installed. Without
 * Jupyter it says how to get one and exits 1. Arguments after `--` go to Jupyter
 * (`npm start -- --no-browser --port 8899`).
 */

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function step(what, cmd, args, options = {}) {
  console.log(`\n== ${what}: ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (r.status !== 0) {
    console.error(`torchlab: ${what} failed${r.error ? ` (${r.error.message})` : ''}`);
    process.exit(r.status ?? 1);
  }
}

const outputs = [join(root, 'dist', 'index.js'), join(root, 'dist', 'kernel', 'cli.js')];
const built = outputs.every(existsSync) ? Math.min(...outputs.map((p) => statSync(p).mtimeMs)) : 0;
if (built < Math.max(newest(join(root, 'lib')), newest(join(root, 'kernel')))) {
  step('build', npm, ['run', 'build'], { shell: process.platform === 'win32' });
}

step('kernelspec', process.execPath, [join(root, 'dist', 'kernel', 'cli.js'), 'install', '--user']);

console.log('\n== data: node scripts/link-data.mjs');
const data = spawnSync(process.execPath, [join(root, 'scripts', 'link-data.mjs')], { cwd: root, stdio: 'inherit' });
if (data.status !== 0) console.warn('torchlab: no MNIST yet; the MNIST cells of notebook 02 will fail until data/mnist/ holds the files.');

/** Whether `jupyter <sub> --version` runs: the subcommand is installed. */
function has(sub) {
  const r = spawnSync('jupyter', [sub, '--version'], { stdio: 'ignore' });
  return r.status === 0;
}

const app = has('lab') ? 'lab' : has('notebook') ? 'notebook' : null;
if (app === null) {
  console.error(
    '\ntorchlab: no Jupyter found (neither `jupyter lab` nor `jupyter notebook` runs). Install one, then run `npm start` again:\n' +
      '  Debian/Ubuntu:  sudo apt-get install jupyter-notebook\n' +
      '  pip:            pip install jupyterlab\n' +
      'The kernelspec is installed already: any Jupyter front end (VS Code too) lists "TypeScript (torchlab)".',
  );
  process.exit(1);
}

const args = [app, join(root, 'notebooks'), ...process.argv.slice(2)];
// containers often run as root, which Jupyter refuses without being told
if (process.getuid?.() === 0 && !args.includes('--allow-root')) args.push('--allow-root');
console.log(`\n== notebooks: jupyter ${args.join(' ')}`);
const child = spawn('jupyter', args, { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches Jupyter through the terminal (the Notebook asks before it shuts down): outlive it
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
