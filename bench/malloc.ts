/**
 * Runs the benchmark under the malloc and V8 heap settings the kernel uses (kernel/malloc.ts):
 * when this process did not start with them, it runs itself again with them and exits with that
 * run's status. PyTorch, spawned from the benchmark, inherits the malloc settings too, so both
 * sides allocate alike.
 */

import { spawnSync } from 'node:child_process';
import { V8_HEAP_FLAGS, mallocTuned, withMallocTunables } from '../kernel/malloc.js';

export function ensureMallocTunables(): void {
  if (process.env.TORCHLAB_BENCH_DEFAULT_MALLOC) return;
  const missing = V8_HEAP_FLAGS.filter((f) => !process.execArgv.includes(f));
  if (mallocTuned() && missing.length === 0) return;
  const env = { ...process.env, GLIBC_TUNABLES: withMallocTunables(process.env.GLIBC_TUNABLES) };
  const r = spawnSync(process.execPath, [...missing, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
