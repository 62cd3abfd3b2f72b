// Assembles the WebAssembly text sources of the CPU backend into binaries (npm run build:wasm,
// also run by `npm run build`, `prepare` and `npm test`). Each NAME.wat becomes NAME.wasm beside it,
// where the library loads it from source (vitest, tsx), and in dist/backends/cpu/wasm/ for the
// compiled package. Plain JavaScript so that it runs before anything is compiled.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const dist = join(root, 'dist', relative(join(root, 'lib'), here));
const wabt = await wabtInit();

for (const file of readdirSync(here).filter((f) => f.endsWith('.wat'))) {
  const path = join(here, file);
  const mod = wabt.parseWat(path, readFileSync(path, 'utf8'), { simd: true, threads: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  // wabt's own validator rejects shared memories whatever the features; V8's is the one that counts
  new WebAssembly.Module(buffer);
  const name = file.replace(/\.wat$/, '.wasm');
  writeFileSync(join(here, name), buffer);
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, name), buffer);
  console.log(`${relative(root, path)} -> ${name} (${buffer.length} bytes)`);
}
