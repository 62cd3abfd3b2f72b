/**
 * Memory stays bounded across 1,000 executions of a cell through the wire client. The kernel keeps
 * some state per cell on purpose (history, the line tables for tracebacks of the last 10,000
 * cells), so the bound is on growth: V8's heap after a full GC, and the process's resident set.
 *
 * Measured on the 2-core development machine: an expression cell with a tensor op costs 5-10 ms,
 * a cell with a declaration 20-55 ms (more while the rest of test/kernel runs beside it), so the
 * 1,000 runs mix 900 of the first and 100 of the second to stay well under a minute (10-25 s).
 * After a warm-up of 50 cells the heap grew by 6-7 MB over 1,000 (history and traceback line
 * tables, about 7 KB a cell) and the RSS by 24-175 MB (V8 code, TypeScript caches and allocator
 * arenas, the most under parallel load: the RSS bound is loose, the heap bound is the tight one).
 */

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Message } from '../../kernel/protocol.js';
import { KernelClient, ofType } from './client.js';

/** The cell run most of the time: operators, a 64x64 matmul, a print and a result. */
const CELL = 'console.log(torch.ones([64, 64]).shape); (torch.ones([64, 64]).matmul(torch.ones([64, 64])) * 2).sum().item()';
/** Every tenth run: a cell with a declaration (tslab carries declarations on to later cells). */
const DECL_CELL = 'const y = torch.ones([64, 64]).matmul(torch.ones([64, 64])) * 2; console.log(y.shape); y.sum().item()';
const RUNS = 1000;
const WARMUP = 50;
/** Bounds on growth from after the warm-up to after RUNS more executions. */
const MAX_HEAP_GROWTH_MB = 32;
const MAX_RSS_GROWTH_MB = 384;

let k: KernelClient;

beforeAll(async () => {
  // --expose-gc: the heap is measured after a full collection, so the bound is on what stays alive
  k = await KernelClient.start({ env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc` } });
}, 120_000);

afterAll(async () => {
  await k?.close();
});

const plain = (m: Message | undefined): string => String(((m?.content as { data?: Record<string, unknown> } | undefined)?.data ?? {})['text/plain']);

function rssMb(): number {
  const status = readFileSync(`/proc/${k.proc.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

async function heapMb(): Promise<number> {
  const x = await k.execute('(globalThis as any).gc(); process.memoryUsage().heapUsed', { store_history: false });
  return Number(plain(ofType(x.iopub, 'execute_result')[0])) / 2 ** 20;
}

it(`keeps heap and RSS growth bounded over ${RUNS} executions of a cell`, async () => {
  for (let i = 0; i < WARMUP; i++) await k.execute(CELL);
  const heap0 = await heapMb();
  const rss0 = rssMb();
  const start = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const x = await k.execute(i % 10 === 0 ? DECL_CELL : CELL);
    if (i % 10 === 0 || i === RUNS - 1) {
      expect(plain(ofType(x.iopub, 'execute_result')[0])).toBe(String(64 * 64 * 64 * 2));
      expect(ofType(x.iopub, 'stream').map((m) => (m.content as { text: string }).text).join('')).toBe('torch.Size([64, 64])\n');
    }
  }
  const msPerCell = (performance.now() - start) / RUNS;
  const heapGrowth = (await heapMb()) - heap0;
  const rssGrowth = rssMb() - rss0;
  console.log(`${RUNS} executions: ${msPerCell.toFixed(1)} ms a cell; heap growth ${heapGrowth.toFixed(1)} MB (from ${heap0.toFixed(1)} MB), RSS growth ${rssGrowth.toFixed(1)} MB (from ${rss0.toFixed(1)} MB)`);
  expect(heapGrowth).toBeLessThan(MAX_HEAP_GROWTH_MB);
  expect(rssGrowth).toBeLessThan(MAX_RSS_GROWTH_MB);
}, 180_000);
