/**
 * Runs the benchmark under the malloc settings the kernel uses (kernel/malloc.ts): when this
 * process did not start with them, it runs itself again with them and exits with that run's status.
 * PyTorch, spawned from the benchmark, inherits them too, so both sides allocate alike.
 */

import { spawnSync } from 'node:child_process';
import { mallocTuned, withMallocTunables } from '../kernel/malloc.js';

export function ensureMallocTunables(): void {
  if (mallocTuned() || process.env.TORCHLAB_BENCH_DEFAULT_MALLOC) return;
  const env = { ...process.env, GLIBC_TUNABLES: withMallocTunables(process.env.GLIBC_TUNABLES) };
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}
