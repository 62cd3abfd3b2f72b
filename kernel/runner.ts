/**
 * Runs cells with tslab's converter and executor (type-checked TypeScript, top-level await,
 * declarations that persist across cells) and reports what happened in Jupyter's terms: the value
 * of the last expression, or an error with ename/evalue/traceback. tslab prints results and
 * errors itself; the console handed to its executor catches them instead.
 */

import { createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { createConverter, type Converter, type Diagnostic } from 'tslab/dist/converter.js';
import { createExecutor, type Executor } from 'tslab/dist/executor.js';
import { printQuickInfo } from 'tslab/dist/inspect.js';
import { diagnosticsContent, errorContent, type ErrorContent } from './display.js';
import { EsmLoader } from './esm.js';
import { redirectNodeTypes } from './nodetypes.js';
import { ATTENTION_FLAG, CHECK_FUNCTION, injectInterruptChecks, KeyboardInterrupt, type InterruptState } from './interrupt.js';
import { HELPER_PREFIX, lineAndCharacter, lineTable, mapCompiledPosition, rewriteOperators, SourceMap, type LineMark, type Rewrite, type RewrittenOp } from './rewrite.js';

/** How tslab's executor wraps compiled cells (the first line's columns shift by this much). */
const TSLAB_PREFIX = '(function(exports, require) { ';
const TSLAB_ASYNC_PREFIX = '(async function(exports, require) { ';
/** Compiled cells are named `torchlab-cell-N` in stack traces. */
const SCRIPT_PREFIX = 'torchlab-cell-';
const SCRIPT_FRAME = /torchlab-cell-(\d+):(\d+):(\d+)/;
const HELPER_FRAME = new RegExp(`\\bat (?:Proxy\\.)?${HELPER_PREFIX}\\w+ \\(`);
/** Line tables kept for tracebacks through functions of earlier cells. */
const MAX_SCRIPT_TABLES = 10_000;

/** TS2769 "No overload matches this call", TS2345 "Argument of type ... is not assignable". */
const OVERLOAD_FAILURES = new Set([2769, 2345]);
/** Assignments to a `const`, a read-only property, an import, a function, a class, an enum or a namespace. */
const NOT_ASSIGNABLE = new Set([2588, 2540, 2632, 2630, 2629, 2628, 2539]);
/** Each pass reverts at least one operator; cells rarely need more than two. */
const MAX_REWRITE_PASSES = 16;

export type CellOutcome =
  | { status: 'ok'; hasValue: boolean; value: unknown; warnings: string[] }
  | { status: 'error'; error: ErrorContent; interrupted: boolean; warnings: string[] };

export interface Completion {
  start: number;
  end: number;
  matches: string[];
}

/** tslab's printf-style format for diagnostics, the first argument of its console.error calls. */
const DIAGNOSTIC_FORMAT = '%s%d:%d - %s';

export class CellRunner {
  private readonly node: Converter;
  private browserConverter: Converter | undefined;
  private readonly executor: Executor;
  private diagnostics: Diagnostic[] = [];
  private moduleDiagnostics: string[] = [];
  private result: { value: unknown } | null = null;
  private thrown: { value: unknown } | null = null;
  private serial = 0;
  /** Whether cells get the operator rewrite: the operator prelude has defined its helpers. */
  private operators = false;
  /** Set while a cell runs that must not be rewritten (the preludes). */
  private verbatim = false;
  /** How the running cell is called in tracebacks (`Cell In[3]`). */
  private label = 'Cell';
  private scripts = 0;
  /** The name of the script the cell being compiled runs as (null: unnamed, `evalmachine.<anonymous>`). */
  private scriptName: string | null = null;
  private readonly scriptInfo = new Map<number, { label: string; lines: string[]; marks: LineMark[]; jsLines: number }>();
  private readonly esm: EsmLoader;
  /** Rejects the wait for a cell's ES module imports (set while it lasts). */
  private rejectWait: ((e: unknown) => void) | null = null;

  /** `rootDir` is where cells resolve modules from: the notebook's folder. */
  constructor(rootDir: string, private readonly interrupts: InterruptState) {
    redirectNodeTypes();
    this.node = this.wrap(createConverter({ isJS: false, isBrowser: false }));
    const self = this;
    const converters = {
      node: this.node,
      get browser(): Converter {
        self.browserConverter ??= self.wrap(createConverter({ isJS: false, isBrowser: true }));
        return self.browserConverter;
      },
      close(): void {
        self.node.close();
        self.browserConverter?.close();
      },
    };
    this.executor = createExecutor(rootDir, converters, {
      log: (value: unknown) => {
        this.result = { value };
      },
      error: (first: unknown, ...rest: unknown[]) => {
        if (first === DIAGNOSTIC_FORMAT) {
          // a cell's diagnostics are taken from the converter; only `@module` cells bypass it
          if (this.diagnostics.length > 0) return;
          const [file, line, col, text] = rest;
          this.moduleDiagnostics.push(`${String(file)}${String(line)}:${String(col)} - ${String(text)}`);
          return;
        }
        this.thrown = { value: first };
      },
    });
    // the executor passes `__tslab__.require` to each compiled cell
    this.esm = new EsmLoader(rootDir, createRequire(join(rootDir, 'src.js')).resolve);
    const shared = (globalThis as { __tslab__?: { require: (id: string) => unknown } }).__tslab__;
    if (shared !== undefined) shared.require = this.esm.wrap(shared.require);
    for (const [name, value] of [[CHECK_FUNCTION, () => interrupts.check()], [ATTENTION_FLAG, interrupts.attentionView()]] as const) {
      Object.defineProperty(globalThis, name, { value, configurable: true, enumerable: false, writable: false });
    }
  }

  /** Records each conversion's diagnostics and adds the interrupt checks to the compiled code. */
  private wrap(conv: Converter): Converter {
    return {
      ...conv,
      convert: (prevDecl, src) => {
        const r = this.convertRewritten(conv, prevDecl, src);
        this.diagnostics = r.diagnostics;
        if (r.output !== undefined) {
          r.output = injectInterruptChecks(r.output);
          if (!this.verbatim) r.output = this.nameScript(r.output, src, r.hasToplevelAwait === true);
        }
        return r;
      },
      complete: (prevDecl, src, pos) => {
        const rw = this.rewrite(src);
        const info = conv.complete(prevDecl, rw.code, rw.map.toGenerated(pos));
        return {
          ...info,
          start: rw.map.toOriginal(info.start),
          end: rw.map.toOriginal(info.end),
          candidates: info.candidates.filter((c) => !c.startsWith(HELPER_PREFIX)),
        };
      },
      inspect: (prevDecl, src, pos) => {
        const rw = this.rewrite(src);
        const info = conv.inspect(prevDecl, rw.code, rw.map.toGenerated(pos));
        if (info?.textSpan !== undefined) {
          const start = rw.map.toOriginal(info.textSpan.start);
          const end = rw.map.toOriginal(info.textSpan.start + info.textSpan.length);
          info.textSpan = { start, length: Math.max(0, end - start) };
        }
        return info;
      },
    };
  }

  private rewrite(src: string): Rewrite {
    return this.operators && !this.verbatim ? rewriteOperators(src) : { code: src, map: SourceMap.identity(src.length), ops: [] };
  }

  /**
   * Converts a cell with its operators rewritten. An operator whose helper does not type-check is
   * left as written and the cell converted again, so that TypeScript reports its own error (and
   * types such as `Date < Date` keep their meaning); a compound assignment to a `const` tensor
   * becomes the in-place call alone. Diagnostics are mapped back to the user's text.
   */
  private convertRewritten(conv: Converter, prevDecl: string, src: string): ReturnType<Converter['convert']> {
    if (this.verbatim) return conv.convert(prevDecl, src);
    const keep = new Set<string>();
    const inplaceOnly = new Set<string>();
    for (let pass = 1; ; pass++) {
      const rw = rewriteOperators(src, { keep, inplaceOnly, markLines: true, operators: this.operators });
      const r = conv.convert(prevDecl, rw.code);
      let changed = false;
      for (const d of r.diagnostics) {
        if (d.fileName !== undefined) continue;
        const op = innermostOp(rw.ops, d.start.offset);
        if (op === null) continue;
        if (OVERLOAD_FAILURES.has(d.code) && !keep.has(op.key)) {
          keep.add(op.key);
          changed = true;
        } else if (op.kind === 'compound' && NOT_ASSIGNABLE.has(d.code) && d.start.offset === op.genStart && !inplaceOnly.has(op.key)) {
          inplaceOnly.add(op.key);
          changed = true;
        }
      }
      if (!changed || pass >= MAX_REWRITE_PASSES) {
        for (const d of r.diagnostics) {
          if (d.fileName !== undefined) continue;
          const start = rw.map.toOriginal(d.start.offset);
          const end = rw.map.toOriginal(d.end.offset);
          d.start = { offset: start, ...lineAndCharacter(src, start) };
          d.end = { offset: end, ...lineAndCharacter(src, end) };
        }
        return r;
      }
    }
  }

  /**
   * Names the compiled cell's script so that its stack frames can be told from
   * other cells' and mapped to the user's lines through the markers the rewrite left in it.
   */
  private nameScript(js: string, src: string, async: boolean): string {
    const id = ++this.scripts;
    const marks = lineTable(js, (async ? TSLAB_ASYNC_PREFIX : TSLAB_PREFIX).length);
    this.scriptInfo.set(id, { label: this.label, lines: src.split('\n'), marks, jsLines: js.split('\n').length });
    // the oldest cells' tables go first; their frames then read as plain compiled-code frames
    if (this.scriptInfo.size > MAX_SCRIPT_TABLES) this.scriptInfo.delete(this.scriptInfo.keys().next().value!);
    this.scriptName = `${SCRIPT_PREFIX}${id}`;
    return js;
  }

  /**
   * Runs a cell with tslab's executor, its compiled script named `scriptName` in stack traces.
   * tslab's `vm.runInThisContext` call takes no file name, so the call is given one while the
   * executor compiles and starts the cell (synchronously, before its first await). A file name
   * rather than a `//# sourceURL=` comment: stack formatters such as source-map-support read it.
   */
  private execute(code: string): Promise<boolean> {
    this.scriptName = null;
    const original = vm.runInThisContext;
    vm.runInThisContext = (src: string, options?: vm.RunningScriptOptions | string): unknown => {
      const name = this.scriptName;
      const named = name !== null && typeof options === 'object' ? { ...options, filename: name } : options;
      return original.call(vm, src, named);
    };
    try {
      return this.executor.execute(code);
    } finally {
      vm.runInThisContext = original;
    }
  }

  /** A stack frame in a compiled cell, as the frame and the line of the user's cell it points at. */
  private mapFrame(frame: string): string[] | null {
    // the operator helpers are the kernel's, like its other frames
    if (HELPER_FRAME.test(frame)) return [];
    const m = SCRIPT_FRAME.exec(frame);
    if (m === null) return null;
    const info = this.scriptInfo.get(Number(m[1]));
    if (info === undefined) return null;
    // tslab's call of the wrapper function, after the cell's code: not the user's
    if (Number(m[2]) > info.jsLines) return [];
    const pos = mapCompiledPosition(info.marks, Number(m[2]) - 1, Number(m[3]) - 1, info.lines.length);
    // functions of earlier cells are called through tslab's `exports` proxy
    const named = frame.replace(/\bat Proxy\./, 'at ');
    if (pos === null) return [named.replace(SCRIPT_FRAME, info.label)];
    const where = `${info.label}, line ${pos.line + 1}`;
    const text = info.lines[pos.line]?.trim() ?? '';
    return [named.replace(SCRIPT_FRAME, where), ...(text === '' ? [] : [`        ${text}`])];
  }

  /** Error content whose frames in cells point at the cells' lines. */
  errorContent(e: unknown): ErrorContent {
    return errorContent(e, (f) => this.mapFrame(f));
  }

  /** Turns the operator rewrite on (once the operator prelude has run). */
  enableOperators(): void {
    this.operators = true;
  }

  /** Runs one cell to completion (including its top-level awaits). */
  async run(code: string, options: { verbatim?: boolean; label?: string } = {}): Promise<CellOutcome> {
    this.verbatim = options.verbatim === true;
    this.label = options.label ?? `Cell ${this.serial + 1}`;
    this.diagnostics = [];
    this.moduleDiagnostics = [];
    this.result = null;
    this.thrown = null;
    const serial = ++this.serial;
    let ok: boolean;
    try {
      ok = await this.interrupts.run(serial, () => {
        // ES modules with top-level await are imported first; an interrupt stops that wait too
        const imports = this.verbatim ? null : this.esm.prepare(code);
        return imports === null ? this.execute(code) : this.interruptible(imports).then(() => this.execute(code));
      });
    } catch (e) {
      ok = false;
      this.thrown = { value: e };
    } finally {
      this.verbatim = false;
    }
    // read through a method: the executor's callbacks set these fields behind the compiler's back
    const { result, thrown: caught, diagnostics, warnings } = this.collected();
    // still inside the cell, so that its leftover continuations are marked as interrupted too
    if (!ok && caught !== null && isInterrupt(caught.value)) this.interrupts.markInterrupted();
    this.interrupts.finish();
    if (ok) {
      return { status: 'ok', hasValue: result !== null, value: result?.value, warnings };
    }
    if (diagnostics.length > 0) {
      const diags = diagnostics.map((d) => ({ line: d.start.line, character: d.start.character, messageText: d.messageText, code: d.code, ...(d.fileName === undefined ? {} : { fileName: d.fileName }) }));
      return { status: 'error', error: diagnosticsContent(diags, code), interrupted: false, warnings };
    }
    const thrown = caught ?? { value: new Error('the cell failed without an exception') };
    if (isInterrupt(thrown.value)) {
      const error = thrown.value instanceof KeyboardInterrupt
        ? this.errorContent(thrown.value)
        : { ename: 'KeyboardInterrupt', evalue: '', traceback: ['KeyboardInterrupt'] };
      return { status: 'error', error, interrupted: true, warnings };
    }
    return { status: 'error', error: this.errorContent(thrown.value), interrupted: false, warnings };
  }

  private collected(): { result: { value: unknown } | null; thrown: { value: unknown } | null; diagnostics: Diagnostic[]; warnings: string[] } {
    return { result: this.result, thrown: this.thrown, diagnostics: this.diagnostics, warnings: this.moduleDiagnostics.slice() };
  }

  /** Stops a cell that waits on a promise (its synchronous parts stop through the interrupt flag). */
  interrupt(): void {
    this.rejectWait?.(new KeyboardInterrupt());
    this.executor.interrupt();
  }

  /** `p`, or a KeyboardInterrupt as soon as `interrupt()` is called. */
  private interruptible<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.rejectWait = reject;
      p.then(resolve, reject).finally(() => {
        if (this.rejectWait === reject) this.rejectWait = null;
      });
    });
  }

  /** Completions at a UTF-16 offset. */
  complete(code: string, pos: number): Completion {
    const info = this.executor.complete(code, pos);
    return { start: info.start, end: info.end, matches: info.candidates };
  }

  /** The hover text of the symbol at a UTF-16 offset, or null when there is none. */
  inspect(code: string, pos: number): string | null {
    const info = this.executor.inspect(code, pos);
    // an unresolved name still gets quick info ("any") with an empty kind
    if (!info || info.kind === '') return null;
    return printQuickInfo(info);
  }

  close(): void {
    this.executor.close();
  }
}

/** The innermost rewritten operator whose helper call contains rewritten offset `g`. */
function innermostOp(ops: readonly RewrittenOp[], g: number): RewrittenOp | null {
  let best: RewrittenOp | null = null;
  for (const op of ops) {
    if (g >= op.genStart && g < op.genEnd && (best === null || op.genEnd - op.genStart < best.genEnd - best.genStart)) best = op;
  }
  return best;
}

/** The three ways a cell stops on interrupt: our flag, vm's SIGINT handling, tslab's async race. */
function isInterrupt(e: unknown): boolean {
  if (e instanceof KeyboardInterrupt) return true;
  if (!(e instanceof Error)) return false;
  const code = (e as Error & { code?: unknown }).code;
  return code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' || e.message === 'Interrupted asynchronously';
}
