/**
 * The kernel's latencies, over the wire as a frontend sees them (`npm run bench:kernel`, or
 * `npx tsx bench/kernel.ts [starts] [cells]`):
 *   - start to first result: from spawning the kernel process to the `execute_reply` and `idle`
 *     of `1 + 1` sent at once (the request waits in ZeroMQ until the kernel binds, then in the
 *     kernel until the preludes have run): what a user waits for after opening a notebook;
 *   - per-cell overhead: the round trip of `1 + 1` (execute_request to idle) on a warm kernel:
 *     type check, operator rewrite, run, MIME bundle, six messages;
 *   - for scale, the round trips of a cell with a declaration and of a small tensor cell.
 * Each figure is the median over `starts` kernels (default 5); each kernel's per-cell figure is
 * the median of `cells` executions (default 100) after 10 warm-up cells.
 */

import { KernelClient, ensureBuilt, ofType } from '../test/kernel/client.js';
import { median } from './stats.js';

const STARTS = Number(process.argv[2] ?? 5);
const CELLS = Number(process.argv[3] ?? 100);
const WARMUP = 10;
const START_TARGET_MS = 2000;
const CELL_TARGET_MS = 20;

/** Milliseconds of one execute round trip, checking that the cell produced `expected`. */
async function roundTrip(k: KernelClient, code: string, expected: string): Promise<number> {
  const t0 = performance.now();
  const x = await k.execute(code, {}, 60_000);
  const ms = performance.now() - t0;
  const result = ofType(x.iopub, 'execute_result')[0]?.content as { data?: Record<string, unknown> } | undefined;
  const text = result?.data?.['text/plain'];
  if (text !== expected) throw new Error(`${code} gave ${String(text)} (${JSON.stringify(x.reply.content)}), not ${expected}`);
  return ms;
}

const CELL_KINDS = [
  { name: '`1 + 1`', code: '1 + 1', expected: '2' },
  { name: '`const a = 1; a`', code: 'const a = 1; a', expected: '1' },
  { name: '`torch.ones([8, 8]).sum().item()`', code: 'torch.ones([8, 8]).sum().item()', expected: '64' },
] as const;

ensureBuilt();
const starts: number[] = [];
const perCell: number[][] = CELL_KINDS.map(() => []);
for (let run = 0; run < STARTS; run++) {
  const t0 = performance.now();
  const k = await KernelClient.start({ waitReady: false });
  try {
    await roundTrip(k, '1 + 1', '2');
    starts.push(performance.now() - t0);
    for (const [i, kind] of CELL_KINDS.entries()) {
      for (let w = 0; w < WARMUP; w++) await roundTrip(k, kind.code, kind.expected);
      const times: number[] = [];
      for (let c = 0; c < CELLS; c++) times.push(await roundTrip(k, kind.code, kind.expected));
      perCell[i]!.push(median(times));
    }
  } finally {
    await k.close();
  }
  process.stderr.write(`run ${run + 1}/${STARTS}: start ${starts.at(-1)!.toFixed(0)} ms, 1 + 1 ${perCell[0]!.at(-1)!.toFixed(1)} ms\n`);
}

const rows: string[][] = [
  ['start to first result (`1 + 1`)', median(starts).toFixed(0), Math.min(...starts).toFixed(0), Math.max(...starts).toFixed(0), `< ${START_TARGET_MS}`],
  ...CELL_KINDS.map((kind, i) => {
    const xs = perCell[i]!;
    return [`per cell: ${kind.name}`, median(xs).toFixed(1), Math.min(...xs).toFixed(1), Math.max(...xs).toFixed(1), i === 0 ? `< ${CELL_TARGET_MS}` : ''];
  }),
];
const header = ['kernel latency, ms', `median of ${STARTS}`, 'min', 'max', 'target'];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (cells: readonly string[]): string => `| ${cells.map((x, c) => x.padEnd(widths[c]!)).join(' | ')} |`;
console.log(`Node ${process.version}, ${STARTS} kernels, per-cell figures: median of ${CELLS} executions per kernel`);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
