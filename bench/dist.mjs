// `node --import tsx --import ./bench/dist.mjs bench/X.ts`: the benchmarks run the built package.
//
// Imports of the library's sources (lib/**) resolve to their compiled twins in dist/ (`npm run
// build`), which is what the kernel and a user's script load. Under tsx alone the sources are
// transformed by esbuild with keepNames, which wraps every function a call creates (a backward
// closure, a kernel callback) in a __name() property definition: the batch-10 MNIST step measured
// 469 µs that way against 440 on dist/. TORCHLAB_BENCH_SOURCE=1 keeps the sources; so does a
// missing dist/ file.
import { register } from 'node:module';

if (!process.env.TORCHLAB_BENCH_SOURCE) {
  register(
    'data:text/javascript,' +
      encodeURIComponent(`
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const lib = ${JSON.stringify(new URL('../lib/', import.meta.url).href)};
const dist = ${JSON.stringify(new URL('../dist/', import.meta.url).href)};
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (!r.url.startsWith(lib)) return r;
  const built = dist + r.url.slice(lib.length).replace(/\\.ts$/, '.js');
  return existsSync(fileURLToPath(built)) ? { ...r, url: built } : r;
}`),
  );
}
