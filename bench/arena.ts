/**
 * Issue 9, "CPU tensors in WebAssembly memory": the prototype and its measurements.
 *
 *   npx tsx bench/arena.ts [parts...]   (parts 1 2 3, default all; node --expose-gc --import tsx
 *                                        bench/arena.ts also forces a GC in part 3)
 *
 * The idea under test: allocate CPU storages of at least 4 KiB in the GEMM engine's shared
 * WebAssembly memory (size-class free lists; a block returns to its list through a
 * FinalizationRegistry when its storage is collected), so that the wasm matmul and a wasm SIMD
 * optimizer read and write tensors in place instead of copying them in and out. The arena is a
 * prototype inside this file (it patches `cpuBackend.alloc` and `cpuBackend.matmul`); the fused
 * optimizer kernels are the library's (lib/backends/cpu/wasm/optim.wat), which copy operands that
 * are not in wasm memory and use the others in place.
 *
 * Measured, medians (wall time and CPU time of the process, which moves less with the load of
 * other processes on a shared machine):
 *   1. one optimizer step over the MNIST MLP's 55,050 parameters (Adam; SGD with momentum):
 *      the op-table JavaScript kernels, the wasm kernel with copies, the wasm kernel in place;
 *   2. the MLP training step (batch 64 and 10, real MNIST batches when ../shared/data has them):
 *      JavaScript optimizer kernels; wasm optimizer; wasm optimizer + arena (zero-copy matmul and
 *      optimizer), the arena in a plain synchronous loop and in a loop that yields to the event
 *      loop after every step;
 *   3. the arena's live bytes over a synchronous training loop, after it, and after one turn of
 *      the event loop (FinalizationRegistry callbacks run only between tasks).
 */

import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import torch, { DataLoader, F, optim, type Tensor } from '../lib/index.js';
import { datasets } from '../lib/vision/index.js';
import type { Backend, Storage, View } from '../lib/backend.js';
import type { DType, TypedArray } from '../lib/dtype.js';
import { CpuStorage, cpuBackend } from '../lib/backends/cpu/index.js';
import { PARAMS, WS_BASE, ensureMemory, inWasmMemory, wasmGemm, wasmGemmConfig } from '../lib/backends/cpu/wasm/gemm.js';
import { wasmOptimConfig } from '../lib/backends/cpu/wasm/optim.js';
import { Net } from './models.js';
import { median } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const DATA = process.env.TORCHLAB_DATA ?? join(here, '..', '..', 'shared', 'data');
const REPS = 5;

const fmt = (x: number, d = 3) => x.toFixed(d);
const cpuNow = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const gc = (globalThis as { gc?: () => void }).gc;
const turn = () => new Promise<void>((r) => setImmediate(r));

// ---- the prototype arena ----

const engine = wasmGemm();
if (engine === null) throw new Error('gemm.wasm is not built: npm run build:wasm');
const e = engine;
const MiB = 1 << 20;
/** Above the engine's staging area (operands of the products of this file stay far below 64 MiB). */
const ARENA_BASE = Math.ceil((e.dataStart + 64 * MiB) / 65536) * 65536;
const ARENA_CAP = 512 * MiB;
const MIN_BYTES = 4096;

const arena = {
  on: false,
  top: ARENA_BASE,
  free: new Map<number, number[]>(),
  live: 0,
  highWater: 0,
  fallbacks: 0,
  freed: 0,
};
const registry = new FinalizationRegistry<[number, number]>(([at, cls]) => {
  arena.free.get(cls)!.push(at);
  arena.live -= cls;
  arena.freed++;
});

/** A block of the size class of `bytes` (powers of two from 4 KiB), or null past the cap. */
function arenaBlock(bytes: number): [number, number] | null {
  const cls = Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(bytes)));
  let list = arena.free.get(cls);
  if (!list) arena.free.set(cls, (list = []));
  const at = list.pop();
  if (at !== undefined) return [at, cls];
  if (arena.top + cls > ARENA_BASE + ARENA_CAP || !ensureMemory(e, arena.top + cls)) return null;
  arena.top += cls;
  return [arena.top - cls, cls];
}

const plainAlloc = cpuBackend.alloc.bind(cpuBackend);
const plainMatmul = cpuBackend.matmul.bind(cpuBackend);
const dataOf = (s: Storage): TypedArray => (s as CpuStorage).data;

function arenaAlloc(dtype: DType, numel: number, index: number): Storage {
  const bytes = numel * dtype.itemsize;
  if (!arena.on || bytes < MIN_BYTES) return plainAlloc(dtype, numel, index);
  const b = arenaBlock(bytes);
  if (b === null) {
    arena.fallbacks++;
    return plainAlloc(dtype, numel, index);
  }
  const arr = new dtype.array(e.heap.buffer, b[0], numel);
  // a reused block holds an old tensor's values; storages start zeroed
  arr.fill(0);
  const s = new CpuStorage(cpuBackend, dtype, arr);
  registry.register(s, b);
  arena.live += b[1];
  arena.highWater = Math.max(arena.highWater, arena.live);
  return s;
}

/** The GEMM on operands already in wasm memory: no staging, C written in place (one thread). */
function zeroCopyMatmul(a: View, b: View, o: View): boolean {
  const ad = dataOf(a.storage);
  const bd = dataOf(b.storage);
  const od = dataOf(o.storage);
  if (!(ad instanceof Float32Array && bd instanceof Float32Array && od instanceof Float32Array)) return false;
  if (!inWasmMemory(ad) || !inWasmMemory(bd) || !inWasmMemory(od)) return false;
  const [B, M, N] = o.shape as [number, number, number];
  const K = a.shape[2]!;
  if (!(M > 1 && N > 1 && K > 0 && B * M * N * K >= wasmGemmConfig.minMacs) || o.strides[2] !== 1) return false;
  const addr = (d: Float32Array, v: View) => d.byteOffset + v.offset * 4;
  const bs = (v: View) => (v.shape[0] === 1 ? 0 : v.strides[0]!);
  const p = new Int32Array(e.memory.buffer, PARAMS, 17);
  p.set([
    M, N, K,
    addr(ad, a), bs(a), a.strides[1]!, a.strides[2]!,
    addr(bd, b), bs(b), b.strides[1]!, b.strides[2]!,
    addr(od, o), bs(o), o.strides[1]!,
    0, N, 1,
  ]);
  for (let i = 0; i < B; i++) e.exports.chunk(PARAMS, i, WS_BASE);
  return true;
}

function installArena(on: boolean): void {
  arena.on = on;
  const b = cpuBackend as { -readonly [K in keyof Backend]: Backend[K] };
  b.alloc = on ? arenaAlloc : plainAlloc;
  b.matmul = on ? (a, m, out) => void (zeroCopyMatmul(a, m, out) || plainMatmul(a, m, out)) : plainMatmul;
}

// ---- workloads ----

/** Median µs per optimizer step over the MLP's parameters (gradients fixed). */
function optimizerStep(kind: 'adam' | 'sgd', variant: 'js' | 'copy' | 'inplace'): { wall: number; cpu: number } {
  installArena(variant === 'inplace');
  wasmOptimConfig.enabled = variant !== 'js';
  torch.manual_seed(0);
  const net = new Net();
  const params = [...net.parameters()];
  for (const p of params) p.grad = torch.randn(p.shape).mul(1e-2);
  const opt = kind === 'adam' ? new optim.Adam(params, { lr: 1e-4 }) : new optim.SGD(params, { lr: 1e-4, momentum: 0.9 });
  const STEPS = 20;
  for (let i = 0; i < STEPS; i++) opt.step();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    const c0 = cpuNow();
    for (let i = 0; i < STEPS; i++) opt.step();
    cpu.push(((cpuNow() - c0) / STEPS) * 1000);
    wall.push(((performance.now() - t0) / STEPS) * 1000);
  }
  if (variant === 'inplace' && arena.fallbacks > 0) throw new Error('the arena ran out during the optimizer bench');
  installArena(false);
  wasmOptimConfig.enabled = true;
  return { wall: median(wall), cpu: median(cpu) };
}

type StepVariant = 'js optimizer' | 'wasm optimizer' | 'arena, sync loop' | 'arena, yielding loop';

interface Batches {
  next(): [Tensor, Tensor];
}

let mnist: InstanceType<typeof torch.utils.data.TensorDataset> | null | undefined;

/** An endless stream of shuffled MNIST batches (random images when the files are missing). */
function batches(batch: number): Batches {
  if (mnist === undefined) {
    if (existsSync(join(DATA, 'mnist'))) {
      const ds = new datasets.MNIST(DATA, { train: true });
      mnist = new torch.utils.data.TensorDataset(ds.data.float().div(255).view(-1, 784), ds.targets);
    } else mnist = null;
  }
  if (mnist !== null) {
    const loader = new DataLoader(mnist, {
      batch_size: batch,
      shuffle: true,
    });
    let it = loader[Symbol.iterator]();
    return {
      next() {
        let r = it.next();
        if (r.done) r = (it = loader[Symbol.iterator]()).next();
        return r.value as [Tensor, Tensor];
      },
    };
  }
  const x = torch.rand([batch, 784]);
  const y = torch.randint(0, 10, [batch]);
  return { next: () => [x.clone(), y.clone()] };
}

/** ms per MLP training step (wall, CPU) over `steps` steps, and the arena's state after them. */
async function trainSteps(batch: number, steps: number, variant: StepVariant) {
  const useArena = variant.startsWith('arena');
  installArena(useArena);
  wasmOptimConfig.enabled = variant !== 'js optimizer';
  const data = batches(batch);
  torch.manual_seed(0);
  const net = new Net();
  const opt = new optim.Adam(net.parameters(), { lr: 0.005 });
  const step = () => {
    const [x, y] = data.next();
    opt.zero_grad();
    const l = F.nll_loss(net(x), y);
    l.backward();
    opt.step();
    return l;
  };
  for (let i = 0; i < 20; i++) step();
  await turn();
  const before = { fallbacks: arena.fallbacks, live: arena.live };
  const t0 = performance.now();
  const c0 = cpuNow();
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    const l = step();
    if (i === steps - 1) loss = l.item();
    if (variant === 'arena, yielding loop') await turn();
  }
  const wall = (performance.now() - t0) / steps;
  const cpu = (cpuNow() - c0) / steps;
  const after = { live: arena.live, fallbacks: arena.fallbacks - before.fallbacks, grew: arena.live - before.live };
  installArena(false);
  wasmOptimConfig.enabled = true;
  return { wall, cpu, loss, arena: after };
}

async function main(): Promise<void> {
  const parts = process.argv.slice(2).map(Number);
  const part = (k: number) => parts.length === 0 || parts.includes(k);
  console.log(`node ${process.version}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  if (part(1)) optimizerTable();
  if (part(2)) await stepTable();
  if (part(3)) await memoryTrace();
}

function optimizerTable(): void {
  console.log('\n1. One optimizer step over the MNIST MLP\'s 55,050 parameters, µs (median of 9 x 20 steps)\n');
  const optRows: string[] = [];
  for (const kind of ['adam', 'sgd'] as const) {
    const r = { js: [] as number[][], copy: [] as number[][], inplace: [] as number[][] };
    // alternating, so a change of load hits each variant alike
    for (let rep = 0; rep < 3; rep++) {
      for (const v of ['js', 'copy', 'inplace'] as const) {
        const x = optimizerStep(kind, v);
        r[v].push([x.wall, x.cpu]);
      }
    }
    const m = (v: keyof typeof r, k: 0 | 1) => median(r[v].map((x) => x[k]!));
    const name = kind === 'adam' ? 'Adam' : 'SGD, momentum 0.9';
    optRows.push(
      `| ${name.padEnd(17)} | ${fmt(m('js', 0), 0).padStart(6)} (${fmt(m('js', 1), 0)}) | ${fmt(m('copy', 0), 0).padStart(6)} (${fmt(m('copy', 1), 0)}) | ${fmt(m('inplace', 0), 0).padStart(6)} (${fmt(m('inplace', 1), 0)}) | ${fmt(m('js', 1) / m('copy', 1), 2)} | ${fmt(m('copy', 1) / m('inplace', 1), 2)} |`,
    );
  }
  console.log('| optimizer step    | JS kernels, wall (CPU) | wasm, copies | wasm, in place | JS / wasm copies (CPU) | copies / in place (CPU) |');
  console.log('|-------------------|------------------------|--------------|----------------|------------------------|-------------------------|');
  for (const row of optRows) console.log(row);

}

async function stepTable(): Promise<void> {
  console.log(`\n2. MLP training step (Adam), ms per step, wall (CPU); median of ${REPS} runs, variants alternating\n`);
  const variants: StepVariant[] = ['js optimizer', 'wasm optimizer', 'arena, sync loop', 'arena, yielding loop'];
  for (const [batch, steps] of [[64, 150], [10, 300]] as const) {
    const res = new Map<StepVariant, { wall: number; cpu: number; grew: number; fallbacks: number }[]>();
    for (let rep = 0; rep < REPS; rep++) {
      for (const v of variants) {
        const r = await trainSteps(batch, steps, v);
        if (!res.has(v)) res.set(v, []);
        res.get(v)!.push({ wall: r.wall, cpu: r.cpu, grew: r.arena.grew, fallbacks: r.arena.fallbacks });
        if (gc) gc();
        await turn();
      }
    }
    const base = median(res.get('js optimizer')!.map((x) => x.cpu));
    console.log(`batch ${batch}, ${steps} steps per run:`);
    for (const v of variants) {
      const xs = res.get(v)!;
      const cpu = median(xs.map((x) => x.cpu));
      const extra = v.startsWith('arena')
        ? `; arena grew ${fmt(median(xs.map((x) => x.grew)) / MiB, 1)} MiB during the loop, ${median(xs.map((x) => x.fallbacks))} allocations fell back to the JS heap`
        : '';
      console.log(`  ${v.padEnd(22)} ${fmt(median(xs.map((x) => x.wall)))} (${fmt(cpu)})  JS-optimizer time / this: ${fmt(base / cpu, 2)}${extra}`);
    }
  }

}

async function memoryTrace(): Promise<void> {
  console.log('\n3. Arena memory over a synchronous training loop (batch 64, Adam)\n');
  if (gc) gc();
  await turn();
  const start = arena.live;
  installArena(true);
  const data = batches(64);
  torch.manual_seed(0);
  const net = new Net();
  const opt = new optim.Adam(net.parameters(), { lr: 0.005 });
  const fb0 = arena.fallbacks;
  for (let i = 1; i <= 600; i++) {
    const [x, y] = data.next();
    opt.zero_grad();
    F.nll_loss(net(x), y).backward();
    opt.step();
    if (i % 150 === 0) {
      console.log(`  after ${i} steps: ${fmt((arena.live - start) / MiB, 1)} MiB live in the arena, ${arena.fallbacks - fb0} allocations fell back (cap ${ARENA_CAP / MiB} MiB)`);
    }
  }
  installArena(false);
  if (gc) gc();
  console.log(`  after the loop${gc ? ' and a forced GC' : ''}, before the event loop turns: ${fmt((arena.live - start) / MiB, 1)} MiB`);
  for (let k = 0; k < 3; k++) {
    await turn();
    await new Promise((r) => setImmediate(r));
  }
  console.log(`  after the event loop turned: ${fmt((arena.live - start) / MiB, 1)} MiB (high water ${fmt(arena.highWater / MiB, 1)} MiB; memory size ${fmt(e.memory.buffer.byteLength / MiB, 0)} MiB)`);
}

await main();
