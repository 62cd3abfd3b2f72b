/**
 * Interrupting cells. Node can only stop running JavaScript from outside with SIGINT, and only
 * while `vm` runs a script's synchronous part; a loop that runs after an `await` cannot be
 * stopped that way. So every loop in a cell is compiled with a call to a cheap check of a shared
 * flag that the socket thread raises on `interrupt_request`, and library code (DataLoader,
 * optimizers, progress bars) can check the same flag through the kernel hooks.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type * as TS from '@tslab/typescript-for-tslab';
import { ANY_CODE, STATE_ATTENTION, STATE_INTERRUPT, STATE_RUNNING } from './bridge.js';

/** Python's KeyboardInterrupt: what an interrupted cell raises. */
export class KeyboardInterrupt extends Error {
  constructor(message = '') {
    super(message);
    this.name = 'KeyboardInterrupt';
  }
}

/** The globals the rewritten loops use; names no cell is likely to use. */
export const CHECK_FUNCTION = '__torchlab_check_interrupt__';
export const ATTENTION_FLAG = '__torchlab_attention__';

/** Per-cell state that follows the cell's asynchronous continuations (through AsyncLocalStorage). */
export interface CellContext {
  serial: number;
  interrupted: boolean;
}

/**
 * The interrupt flag and the bookkeeping that lets a cell's leftover continuations stop too: when
 * an interrupted cell had `await sleep(); while (true) {}` pending, its loop must still stop after
 * the next cell has started. The shared flag holds the serial of the cell to interrupt, so an
 * interrupt aimed at a cell that has just finished cannot hit the next one.
 */
export class InterruptState {
  private readonly flags: Int32Array;
  private readonly cells = new AsyncLocalStorage<CellContext>();
  /** Interrupted cells whose context is still reachable, i.e. may still have code to run. */
  private zombies = 0;
  private readonly reaper = new FinalizationRegistry<null>(() => {
    this.zombies--;
    if (this.zombies === 0 && this.running === 0) Atomics.store(this.flags, STATE_ATTENTION, 0);
  });
  private current: CellContext | null = null;
  private running = 0;

  constructor(shared: SharedArrayBuffer) {
    this.flags = new Int32Array(shared);
  }

  /** A one-element view of the attention word, for the check compiled into loops. */
  attentionView(): Int32Array {
    return new Int32Array(this.flags.buffer, STATE_ATTENTION * Int32Array.BYTES_PER_ELEMENT, 1);
  }

  /** Runs `fn` as cell `serial` (nonzero), tagging every continuation with the cell's context. */
  run<T>(serial: number, fn: () => T): T {
    // an interrupt sent while idle was for code running outside any cell; it is over now
    Atomics.compareExchange(this.flags, STATE_INTERRUPT, ANY_CODE, 0);
    Atomics.store(this.flags, STATE_ATTENTION, this.zombies > 0 ? 1 : 0);
    const ctx: CellContext = { serial, interrupted: false };
    this.current = ctx;
    this.running = serial;
    Atomics.store(this.flags, STATE_RUNNING, serial);
    return this.cells.run(ctx, fn);
  }

  /** Marks the running cell as interrupted (its pending continuations will stop at their next check). */
  markInterrupted(): void {
    const ctx = this.current;
    if (ctx === null || ctx.interrupted) return;
    ctx.interrupted = true;
    this.zombies++;
    this.reaper.register(ctx, null);
    Atomics.store(this.flags, STATE_ATTENTION, 1);
  }

  /** Called when a cell has finished, interrupted or not. */
  finish(): void {
    this.current = null;
    this.running = 0;
    Atomics.store(this.flags, STATE_RUNNING, 0);
    Atomics.store(this.flags, STATE_INTERRUPT, 0);
    Atomics.store(this.flags, STATE_ATTENTION, this.zombies > 0 ? 1 : 0);
  }

  /** The serial of the cell running now, 0 when idle. */
  get serial(): number {
    return this.running;
  }

  /** Raises the flag for the running cell (SIGINT does not pass through the socket thread). */
  raise(): void {
    if (this.running === 0) return;
    Atomics.store(this.flags, STATE_INTERRUPT, this.running);
    Atomics.store(this.flags, STATE_ATTENTION, 1);
  }

  /** Drops an interrupt sent while idle, once the main thread is known to be free again. */
  clearIdleInterrupt(): void {
    if (Atomics.compareExchange(this.flags, STATE_INTERRUPT, ANY_CODE, 0) === ANY_CODE) {
      Atomics.store(this.flags, STATE_ATTENTION, this.zombies > 0 ? 1 : 0);
    }
  }

  /** Whether the code running now should stop. */
  requested(): boolean {
    const target = Atomics.load(this.flags, STATE_INTERRUPT);
    if (target !== 0 && (target === this.running || target === ANY_CODE)) return true;
    if (this.zombies === 0) return false;
    return this.cells.getStore()?.interrupted === true;
  }

  /** Throws KeyboardInterrupt when the code running now should stop. */
  check(): void {
    if (this.requested()) {
      this.markInterrupted();
      throw new KeyboardInterrupt();
    }
  }
}

type TypeScript = typeof TS;
let tsModule: TypeScript | undefined;

/** tslab's own TypeScript, loaded from where tslab resolves it so that both agree on the version. */
export function typescript(): TypeScript {
  if (tsModule === undefined) {
    const req = createRequire(createRequire(import.meta.url).resolve('tslab/package.json'));
    tsModule = req('@tslab/typescript-for-tslab') as TypeScript;
  }
  return tsModule;
}

/**
 * Inserts a check of the attention word at the top of every loop body of the compiled cell: a
 * typed-array read per iteration (a few nanoseconds), and a call only when the word is set.
 * Insertions stay on their line, so line numbers in stack traces are unchanged.
 */
export function injectInterruptChecks(js: string): string {
  const ts = typescript();
  const sf = ts.createSourceFile('cell.js', js, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const call = `if (${ATTENTION_FLAG}[0] !== 0) ${CHECK_FUNCTION}();`;
  const edits: { pos: number; text: string; order: number }[] = [];
  const visit = (node: TS.Node): void => {
    if (
      ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node) ||
      ts.isWhileStatement(node) || ts.isDoStatement(node)
    ) {
      const body = node.statement;
      if (ts.isBlock(body)) {
        edits.push({ pos: body.getStart(sf) + 1, text: call, order: 0 });
      } else {
        edits.push({ pos: body.getStart(sf), text: `{${call}`, order: 0 });
        edits.push({ pos: body.getEnd(), text: '}', order: 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (edits.length === 0) return js;
  // Apply from the end so earlier positions stay valid. At one position the edit applied first
  // ends up last, and a body that ends there must close before a body that starts there opens.
  edits.sort((a, b) => b.pos - a.pos || a.order - b.order);
  let out = js;
  for (const e of edits) out = out.slice(0, e.pos) + e.text + out.slice(e.pos);
  return out;
}
