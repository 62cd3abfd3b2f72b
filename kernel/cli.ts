#!/usr/bin/env node
/**
 * The `torchlab` command: `install`, `uninstall`, `kernel` (what Jupyter runs), `repl` and `grade`.
 * @example
 * npx torchlab install --user
 * jupyter console --kernel torchlab
 */

import { realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLocation, install, kernelsDir, uninstall, type Location } from './kernelspec.js';

const USAGE = `usage: torchlab <command> [options]

commands:
  install [--user | --sys-prefix | --prefix PATH]
      write the 'torchlab' kernelspec ("TypeScript (torchlab)") into the Jupyter data directory:
      per user by default (for everyone when run as root)
  uninstall [--user | --sys-prefix | --prefix PATH]
      remove the kernelspec (from every default location when no option is given)
  kernel [-f] CONNECTION_FILE
      start the kernel (Jupyter runs this)
  repl [--terminal] [--no-history]
      a TypeScript REPL with torchlab loaded, as in a notebook cell (operators on tensors,
      top-level await); history in ~/.torchlab_repl_history (TORCHLAB_REPL_HISTORY), Tab completes.
      --terminal: line editing and completion even when stdin is not a TTY
  grade SUBMISSION.ipynb --tests DIR [--json results.json] [--timeout-per-test S] [--timeout S] [--memory-limit MB]
      run the vitest tests in DIR against the notebook (TORCHLAB_SUBMISSION), which runs in a
      sandbox process (as 'nobody' when run as root) with a time limit per test and a memory limit;
      points per test from '[N pts]' in its name; a table, and Gradescope's results.json with --json
  help
      show this message`;

class UsageError extends Error {}

/** Parses install/uninstall options; null when none was given. */
function parseLocation(args: readonly string[]): Location | null {
  let loc: Location | null = null;
  const set = (l: Location): void => {
    if (loc !== null) throw new UsageError('give at most one of --user, --sys-prefix and --prefix');
    loc = l;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--user') set({ kind: 'user' });
    else if (a === '--sys-prefix') set({ kind: 'sys-prefix' });
    else if (a === '--prefix') {
      const p = args[++i];
      if (p === undefined) throw new UsageError('--prefix needs a path');
      set({ kind: 'prefix', prefix: p });
    } else if (a.startsWith('--prefix=')) set({ kind: 'prefix', prefix: a.slice('--prefix='.length) });
    else throw new UsageError(`unknown option '${a}'`);
  }
  return loc;
}

function connectionFileArg(args: readonly string[]): string {
  const rest = args.filter((a) => a !== '-f' && a !== '--connection-file');
  const eq = args.find((a) => a.startsWith('--connection-file='));
  const file = eq?.slice('--connection-file='.length) ?? rest[0];
  if (file === undefined || rest.length > 1) throw new UsageError('kernel needs exactly one connection file');
  return file;
}
/** `grade`'s arguments: the notebook, `--tests DIR`, `--json FILE`, the time limits in seconds and the memory limit in MB. */
function parseGrade(args: readonly string[]): { submission: string; tests: string; json: string | null; timeoutPerTest?: number; timeout?: number; memoryLimit?: number } {
  let submission: string | null = null;
  let tests: string | null = null;
  let json: string | null = null;
  const limits: { timeoutPerTest?: number; timeout?: number; memoryLimit?: number } = {};
  const value = (i: number, name: string): string => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  const seconds = (v: string, name: string): number => {
    const n = Number(v);
    if (!(n > 0)) throw new UsageError(`${name} needs a number of seconds, got '${v}'`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--tests') tests = value(++i, a);
    else if (a === '--json') json = value(++i, a);
    else if (a === '--timeout-per-test') limits.timeoutPerTest = seconds(value(++i, a), a);
    else if (a === '--timeout') limits.timeout = seconds(value(++i, a), a);
    else if (a === '--memory-limit') {
      const v = value(++i, a);
      const mb = Number(v);
      if (!(mb >= 64)) throw new UsageError(`${a} needs a number of megabytes (at least 64), got '${v}'`);
      limits.memoryLimit = mb;
    }
    else if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
    else if (submission === null) submission = a;
    else throw new UsageError('grade takes one submission');
  }
  if (submission === null) throw new UsageError('grade needs a submission notebook');
  if (tests === null) throw new UsageError('grade needs --tests DIR');
  return { submission, tests, json, ...limits };
}

/** Whether users other than the owner and group can list `dir`: it and every folder above it let them through. */
function othersCanRead(dir: string): boolean {
  try {
    if ((statSync(dir).mode & 0o005) !== 0o005) return false;
    for (let d = dirname(dir); ; d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) return false;
      if (dirname(d) === d) return true;
    }
  } catch {
    return false;
  }
}

/** Runs the command line `args` (without node and the script). */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case 'install': {
        const loc = parseLocation(rest) ?? defaultLocation();
        const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
        const dir = install(loc, cli);
        console.log(`Installed the torchlab kernelspec in ${dir}`);
        return 0;
      }
      case 'uninstall': {
        const loc = parseLocation(rest);
        if (loc !== null) kernelsDir(loc); // surfaces a missing environment for --sys-prefix
        const locs: Location[] = loc !== null ? [loc] : [{ kind: 'user' }, { kind: 'system' }, { kind: 'sys-prefix' }];
        const removed = uninstall(locs);
        if (removed.length === 0) {
          console.error('No torchlab kernelspec found to remove');
          return 1;
        }
        for (const dir of removed) console.log(`Removed ${dir}`);
        return 0;
      }
      case 'kernel': {
        const file = connectionFileArg(rest);
        const { startKernel } = await import('./kernel.js');
        await startKernel(file);
        return 0;
      }
      case 'repl': {
        for (const a of rest) if (a !== '--terminal' && a !== '--no-history') throw new UsageError(`unknown option '${a}'`);
        const { startRepl } = await import('./repl.js');
        return await startRepl({
          ...(rest.includes('--terminal') ? { terminal: true } : {}),
          ...(rest.includes('--no-history') ? { historyFile: null } : {}),
        });
      }
      case 'grade': {
        const opts = parseGrade(rest);
        const { gradeSubmission, formatResults } = await import('./notebook_loader.js');
        if (typeof process.getuid === 'function' && process.getuid() === 0 && othersCanRead(resolve(opts.tests))) {
          console.error(`torchlab: note: other users can read ${opts.tests}, so the sandboxed submission could read the original tests and solutions there (the grader runs a copy only root can read); consider chmod -R o-rwx on it`);
        }
        const results = await gradeSubmission(opts.submission, opts);
        console.log(formatResults(results));
        if (opts.json !== null) writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
        return 0;
      }
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return 0;
      default:
        throw new UsageError(command === undefined ? 'no command given' : `unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`torchlab: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`torchlab: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  void main(process.argv.slice(2)).then((code) => {
    // a kernel or REPL that has ended exits even if cells left timers or handles behind
    if (process.argv[2] === 'kernel' || process.argv[2] === 'repl') process.exit(code);
    process.exitCode = code;
  });
}
