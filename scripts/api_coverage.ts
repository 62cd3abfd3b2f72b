/**
 * Prints which of the PyTorch names in test/golden/api_names.json torchlab lacks.
 * Run: npx tsx scripts/api_coverage.ts [--json]   (scripts/api_coverage.py runs it after checking
 * the list against PyTorch itself).
 */

import { apiCoverage } from '../test/helpers/api_names.js';

const entries = apiCoverage();
const missing = entries.filter((e) => !e.present && e.leftOut === undefined);
const leftOut = entries.filter((e) => !e.present && e.leftOut !== undefined);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ total: entries.length, present: entries.filter((e) => e.present).length, missing, leftOut }, null, 1));
} else {
  const n = entries.length;
  const have = entries.filter((e) => e.present).length;
  console.log(`torchlab has ${have} of ${n} listed names (${((100 * have) / n).toFixed(1)}%)`);
  const bySpace = new Map<string, string[]>();
  for (const e of missing) bySpace.set(e.space, [...(bySpace.get(e.space) ?? []), e.name]);
  for (const [space, list] of bySpace) console.log(`missing in ${space} (${list.length}): ${list.join(', ')}`);
  for (const e of leftOut) console.log(`left out: ${e.space}.${e.name}: ${e.leftOut}`);
}
