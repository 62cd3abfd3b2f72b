// Assembles the WebAssembly text sources of the CPU backend into binaries (npm run build:wasm,
// also run by `npm run build`, `prepare` and `npm test`). Each NAME.wat becomes NAME.wasm beside it,
// where the library loads it from source (vitest, tsx), and in dist/backends/cpu/wasm/ for the
// compiled package. Plain JavaScript so that it runs before anything is compiled.
//
// gemm.wat also becomes gemm_fma.wasm (and conv.wat conv_fma.wasm): the same source with every
// `c + a * b` on v128 locals, written `(f32x4.add (local.get $c) (f32x4.mul (local.get $a) (local.get $b)))`,
// turned into `f32x4.relaxed_madd` (relaxed SIMD). gemm.ts (conv.ts) loads it where the runtime
// validates it and keeps gemm.wasm (conv.wasm) elsewhere, so both must come from one source.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import wabtInit from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');
const dist = join(root, 'dist', relative(join(root, 'lib'), here));
const wabt = await wabtInit();

/**
 * relu.wat declares a memory of its own (relu.ts stages operands there: copies out of a plain
 * memory are about twice as fast as out of a shared one); relu_shared.wasm is the same code on the
 * GEMM's shared memory, for gradients that the CPU allocator keeps there.
 */
const SHARED = { 'relu.wat': 'relu_shared.wasm' };
const OWN_MEMORY = /\(memory \(export "memory"\) \d+ \d+\)/;

function onSharedMemory(text, file) {
  if (!OWN_MEMORY.test(text)) throw new Error(`${file}: no memory declaration to replace`);
  return text.replace(OWN_MEMORY, '(import "env" "memory" (memory 1 32768 shared))');
}

/** Sources that also get a fused multiply-add binary, and its name. */
const FUSED = { 'gemm.wat': 'gemm_fma.wasm', 'conv.wat': 'conv_fma.wasm' };
const MUL_ADD = /\(f32x4\.add \(local\.get (\$\w+)\) \(f32x4\.mul (\(local\.get \$\w+\)) (\(local\.get \$\w+\))\)\)/g;

function fused(text, file) {
  let n = 0;
  const out = text.replace(MUL_ADD, (_, c, x, y) => {
    n++;
    return `(f32x4.relaxed_madd ${x} ${y} (local.get ${c}))`;
  });
  if (n === 0) throw new Error(`${file}: no f32x4 multiply-add to fuse`);
  return out;
}

/**
 * The v128 locals a function lists in a line `;; in memory at $cst: $A $B ...` become 16-byte slots
 * at byte address $cst (a parameter): `(local.set $A x)` stores there, `(local.get $A)` loads from
 * there, and the declaration goes. Why: V8 computes a splat of a scalar again at every use inside
 * a loop (a broadcast on the shuffle port each time), while a load takes one of the load ports.
 */
const IN_MEMORY = /^ {4};; in memory at (\$\w+): ((?:\$\w+ ?)+)$/m;

function constantsInMemory(text) {
  return text
    .split(/(?=\n {2}\(func )/)
    .map((fn) => {
      const m = fn.match(IN_MEMORY);
      if (!m) return fn;
      const [line, base, list] = m;
      fn = fn.replace(line, `    ;; vector constants in memory at ${base} (build.mjs)`);
      list.trim().split(/ +/).forEach((name, i) => {
        const decl = ` (local ${name} v128)`;
        if (!fn.includes(decl)) throw new Error(`${name}: not a v128 local of its function`);
        fn = fn
          .replace(decl, '')
          .replaceAll(`(local.set ${name} `, `(v128.store offset=${16 * i} (local.get ${base}) `)
          .replaceAll(`(local.get ${name})`, `(v128.load offset=${16 * i} (local.get ${base}))`);
        if (fn.includes(`${name})`) || fn.includes(`${name} `)) throw new Error(`${name}: a use build.mjs does not rewrite`);
      });
      return fn;
    })
    .join('');
}

/** V8 before 11.4 (Node 20) validates relaxed SIMD only behind a flag, which takes effect at run time too. */
function validate(buffer) {
  try {
    new WebAssembly.Module(buffer);
  } catch (e) {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    new WebAssembly.Module(buffer);
  }
}

function emit(path, name, text) {
  const mod = wabt.parseWat(path, text, { simd: true, threads: true, relaxed_simd: true });
  const { buffer } = mod.toBinary({});
  mod.destroy();
  // wabt's own validator rejects shared memories whatever the features; V8's is the one that counts
  validate(buffer);
  writeFileSync(join(here, name), buffer);
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, name), buffer);
  console.log(`${relative(root, path)} -> ${name} (${buffer.length} bytes)`);
}

for (const file of readdirSync(here).filter((f) => f.endsWith('.wat'))) {
  const path = join(here, file);
  const text = constantsInMemory(readFileSync(path, 'utf8'));
  emit(path, file.replace(/\.wat$/, '.wasm'), text);
  if (file in FUSED) emit(path, FUSED[file], fused(text, file));
  if (file in SHARED) emit(path, SHARED[file], onSharedMemory(text, file));
}
