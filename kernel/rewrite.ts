/**
 * The operator rewrite of notebook cells (DESIGN decision 8). TypeScript has no operator
 * overloading, so before type checking the arithmetic and comparison operators of a cell become
 * calls of overloaded helpers that the operator prelude declares (`operators.ts`):
 *
 * | cell            | checked and run as            |
 * | --------------- | ----------------------------- |
 * | `a + b * x`     | `_tl_add(a, _tl_mul(b, x))` |
 * | `x ** 2`, `-x`  | `_tl_pow(x, 2)`, `_tl_neg(x)` |
 * | `a < b`         | `_tl_lt(a, b)` (also `<=`, `>`, `>=`) |
 * | `a -= lr * g`   | `a = _tl_isub(a, _tl_mul(lr, g))` (in place on a tensor, as PyTorch's `-=`) |
 *
 * `==`, `!=`, `===` and `!==` are never rewritten: code compares with `x == null` and identity,
 * and a tensor (always truthy) there would silently change control flow; use `a.eq(b)`.
 * Operands that cannot be tensors (two numeric literals, a string literal or template) stay as
 * written. The text between rewritten tokens is copied verbatim, and a `SourceMap` maps offsets
 * both ways so that diagnostics, completion and inspection refer to the user's text.
 */

import type * as TS from '@tslab/typescript-for-tslab';
import { typescript } from './interrupt.js';

/** Every helper name starts with this prefix; completion hides such names. (Not `__`: tslab exports a
 * cell's locals by their escaped names, and TypeScript escapes a leading `__` to `___`.) */
export const HELPER_PREFIX = '_tl_';

const BINARY: ReadonlyMap<string, string> = new Map([
  ['+', 'add'], ['-', 'sub'], ['*', 'mul'], ['/', 'div'], ['%', 'mod'], ['**', 'pow'],
  ['<', 'lt'], ['<=', 'le'], ['>', 'gt'], ['>=', 'ge'],
]);

const COMPOUND: ReadonlyMap<string, string> = new Map([
  ['+=', 'iadd'], ['-=', 'isub'], ['*=', 'imul'], ['/=', 'idiv'], ['%=', 'imod'], ['**=', 'ipow'],
]);

/** One piece of the rewritten text: copied from the original, or inserted in place of `[origStart, origEnd)`. */
interface Chunk {
  genStart: number;
  genEnd: number;
  origStart: number;
  origEnd: number;
  copied: boolean;
  /** Copied text that ends in a name or a dot, where a completion cursor may sit. */
  wordEnd?: boolean;
}

/** Offsets between the user's text and the rewritten text, in both directions (UTF-16 units). */
export class SourceMap {
  constructor(private readonly chunks: readonly Chunk[], private readonly origLength: number, private readonly genLength: number) {}

  /** The identity map of a text that was not rewritten. */
  static identity(length: number): SourceMap {
    return new SourceMap(length === 0 ? [] : [{ genStart: 0, genEnd: length, origStart: 0, origEnd: length, copied: true }], length, length);
  }

  /** The original offset of rewritten offset `g`; text the rewrite inserted maps to where it was inserted. */
  toOriginal(g: number): number {
    if (g >= this.genLength) return this.origLength;
    for (const c of this.chunks) {
      if (g >= c.genStart && g < c.genEnd) return c.copied ? c.origStart + (g - c.genStart) : c.origStart;
    }
    return this.origLength;
  }

  /**
   * The rewritten offset of original offset `o`. An offset right after a name stays right after it
   * (a cursor after `b.fo` in `a + b.fo` is before the helper's closing parenthesis); an offset
   * before a name is before it (`a` in `a + b`, not the helper's name).
   */
  toGenerated(o: number): number {
    if (o >= this.origLength) return this.genLength;
    let inside: number | null = null;
    for (const c of this.chunks) {
      if (c.copied && c.wordEnd === true && o > c.origStart && o === c.origEnd) return c.genEnd;
      if (c.copied && o >= c.origStart && o < c.origEnd) inside ??= c.genStart + (o - c.origStart);
    }
    if (inside !== null) return inside;
    for (const c of this.chunks) if (!c.copied && o >= c.origStart && o < Math.max(c.origEnd, c.origStart + 1)) return c.genStart;
    return this.genLength;
  }
}

/** One operator the rewrite turned into a helper call. */
export interface RewrittenOp {
  /** `start:end` of the operator's expression in the original text: stable across rewrites of one cell. */
  key: string;
  kind: 'binary' | 'unary' | 'compound' | 'inplace';
  helper: string;
  /** The helper call's span in the rewritten text. */
  genStart: number;
  genEnd: number;
}

export interface RewriteOptions {
  /** Operators (by key) to leave as written: their helper did not type-check, so TypeScript's own error applies. */
  keep?: ReadonlySet<string>;
  /** Compound assignments (by key) to write as an in-place call without assignment (`const` tensors). */
  inplaceOnly?: ReadonlySet<string>;
  /**
   * Puts a `/*@tl:LINE:COL*\/` comment before the first node of each line and before every
   * statement (zero-based original position). TypeScript keeps comments when it emits, so stack traces of the compiled code can
   * be mapped back to the user's lines (`lineTable`).
   */
  markLines?: boolean;
  /** False: only the line markers, no operator rewrite (when the operator prelude is missing). */
  operators?: boolean;
}

export interface Rewrite {
  code: string;
  map: SourceMap;
  ops: RewrittenOp[];
}

/** A string literal or template, or a `+` with one: a concatenation whatever the other operand. */
function isStringy(ts: typeof TS, e: TS.Expression): boolean {
  const x = skipParens(ts, e);
  if (ts.isStringLiteral(x) || ts.isNoSubstitutionTemplateLiteral(x) || ts.isTemplateExpression(x)) return true;
  return ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken && (isStringy(ts, x.left) || isStringy(ts, x.right));
}

function isNumeric(ts: typeof TS, e: TS.Expression): boolean {
  const x = skipParens(ts, e);
  if (ts.isNumericLiteral(x) || ts.isBigIntLiteral(x)) return true;
  return ts.isPrefixUnaryExpression(x) && (x.operator === ts.SyntaxKind.MinusToken || x.operator === ts.SyntaxKind.PlusToken) && isNumeric(ts, x.operand);
}

function skipParens(ts: typeof TS, e: TS.Expression): TS.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x)) x = x.expression;
  return x;
}

/**
 * A target that can be read and assigned again without side effects: `a`, `this.w`,
 * `model.fc.weight`, `params[i]`, `xs[0].grad`. Other targets get the in-place form only.
 */
function isSimpleTarget(ts: typeof TS, e: TS.Expression): boolean {
  if (ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword) return true;
  if (ts.isPropertyAccessExpression(e)) return !e.questionDotToken && isSimpleTarget(ts, e.expression);
  if (ts.isElementAccessExpression(e)) {
    const k = e.argumentExpression;
    const simpleKey = ts.isIdentifier(k) || ts.isNumericLiteral(k) || ts.isStringLiteral(k);
    return !e.questionDotToken && simpleKey && isSimpleTarget(ts, e.expression);
  }
  return false;
}

/**
 * Rewrites the operators of `src` into helper calls. Without operators to rewrite the code is
 * returned unchanged (and `ops` is empty).
 * @example
 * rewriteOperators('loss = ((a + b * x - y) ** 2).mean()').code
 * // 'loss = (_tl_pow((_tl_sub(_tl_add(a, _tl_mul(b, x)), y)), 2)).mean()'
 */
export function rewriteOperators(src: string, options: RewriteOptions = {}): Rewrite {
  const ts = typescript();
  const keep = options.keep ?? new Set<string>();
  const inplaceOnly = options.inplaceOnly ?? new Set<string>();
  const sf = ts.createSourceFile('cell.ts', src, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const chunks: Chunk[] = [];
  const ops: RewrittenOp[] = [];
  let out = '';
  let cursor = 0;
  const markLines = options.markLines === true;
  const marked = new Set<number>();
  const markedLines = new Set<number>();
  const rewriteOps = options.operators !== false;

  const copyTo = (pos: number): void => {
    if (pos <= cursor) return;
    chunks.push({ genStart: out.length, genEnd: out.length + (pos - cursor), origStart: cursor, origEnd: pos, copied: true, wordEnd: /[\w$.]$/.test(src.slice(cursor, pos)) });
    out += src.slice(cursor, pos);
    cursor = pos;
  };
  /** Emits `text` in place of the original `[cursor, upTo)` (an insertion when `upTo` is the cursor). */
  const emit = (text: string, upTo: number = cursor): void => {
    if (text.length > 0) chunks.push({ genStart: out.length, genEnd: out.length + text.length, origStart: cursor, origEnd: upTo, copied: false });
    out += text;
    cursor = Math.max(cursor, upTo);
  };

  /** Marks the first node of a line, and every statement (the compiler may move one to a line of its own). */
  const mark = (start: number, statement: boolean): void => {
    if (start < cursor || marked.has(start)) return;
    const lineStart = src.lastIndexOf('\n', start - 1) + 1;
    if (!statement && src.slice(lineStart, start).trim() !== '') return;
    const { line, character } = lineAndCharacter(src, start);
    if (!statement && markedLines.has(line)) return;
    marked.add(start);
    markedLines.add(line);
    copyTo(start);
    emit(`/*@tl:${line}:${character}*/`);
  };

  /** Replaces the operator between two operands by a comma; spaces before it go, line breaks and comments stay. */
  const separate = (left: TS.Node, op: TS.Node): void => {
    copyTo(left.getEnd());
    const opStart = op.getStart(sf);
    if (!/^[ \t]*$/.test(src.slice(cursor, opStart))) copyTo(opStart);
    emit(',', op.getEnd());
  };

  const keyOf = (n: TS.Node): string => `${n.getStart(sf)}:${n.getEnd()}`;

  const visit = (node: TS.Node): void => {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return;
    if (ts.isEnumDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isModuleDeclaration(node) || (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword))) return;
    if (markLines && !ts.isSourceFile(node)) mark(node.getStart(sf), node.kind >= ts.SyntaxKind.FirstStatement && node.kind <= ts.SyntaxKind.LastStatement);

    if (ts.isBinaryExpression(node)) {
      const opText = node.operatorToken.getText(sf);
      const key = keyOf(node);
      const binary = BINARY.get(opText);
      const stays = keep.has(key) || isStringy(ts, node.left) || isStringy(ts, node.right) || (isNumeric(ts, node.left) && isNumeric(ts, node.right));
      if (binary !== undefined && !stays && rewriteOps) {
        const helper = HELPER_PREFIX + binary;
        const start = node.getStart(sf);
        copyTo(start);
        const genStart = out.length;
        emit(`${helper}(`);
        visit(node.left);
        separate(node.left, node.operatorToken);
        visit(node.right);
        copyTo(node.right.getEnd());
        emit(')');
        ops.push({ key, kind: 'binary', helper, genStart, genEnd: out.length });
        return;
      }
      const compound = COMPOUND.get(opText);
      if (compound !== undefined && !stays && rewriteOps) {
        const start = node.getStart(sf);
        copyTo(start);
        const genStart = out.length;
        if (isSimpleTarget(ts, node.left) && !inplaceOnly.has(key)) {
          const helper = HELPER_PREFIX + compound;
          copyTo(node.left.getEnd());
          copyTo(node.operatorToken.getStart(sf));
          emit(`= ${helper}(${node.left.getText(sf)},`, node.operatorToken.getEnd());
          visit(node.right);
          copyTo(node.right.getEnd());
          emit(')');
          ops.push({ key, kind: 'compound', helper, genStart, genEnd: out.length });
        } else {
          const helper = `${HELPER_PREFIX}${compound}_`;
          emit(`${helper}(`);
          visit(node.left);
          separate(node.left, node.operatorToken);
          visit(node.right);
          copyTo(node.right.getEnd());
          emit(')');
          ops.push({ key, kind: 'inplace', helper, genStart, genEnd: out.length });
        }
        return;
      }
    }

    if (rewriteOps && ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && !isNumeric(ts, node.operand) && !keep.has(keyOf(node))) {
      const start = node.getStart(sf);
      const helper = `${HELPER_PREFIX}neg`;
      copyTo(start);
      const genStart = out.length;
      emit(`${helper}(`, start + 1);
      visit(node.operand);
      copyTo(node.operand.getEnd());
      emit(')');
      ops.push({ key: keyOf(node), kind: 'unary', helper, genStart, genEnd: out.length });
      return;
    }

    ts.forEachChild(node, visit);
  };

  visit(sf);
  if (ops.length === 0 && marked.size === 0) return { code: src, map: SourceMap.identity(src.length), ops };
  copyTo(src.length);
  return { code: out, map: new SourceMap(chunks, src.length, out.length), ops };
}

/** Zero-based line and character of a UTF-16 offset in `text`. */
export function lineAndCharacter(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: end - lineStart };
}

/** A line marker found in compiled code: where it ends there, and the original position it names. */
export interface LineMark {
  jsLine: number;
  jsColumn: number;
  line: number;
  character: number;
}

const MARK = /\/\*@tl:(\d+):(\d+)\*\//g;

/** The line markers of compiled code, in order (zero-based; columns just after each marker). */
export function lineTable(js: string, firstLineOffset = 0): LineMark[] {
  const marks: LineMark[] = [];
  const lines = js.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    for (const m of text.matchAll(MARK)) {
      // the emitter puts a space between the comment and the node
      let end = (m.index ?? 0) + m[0].length;
      while (text[end] === ' ') end++;
      const next = lines[i + 1];
      if (text.slice(end).trim() === '' && next !== undefined) {
        // the compiler put the marked node on a line of its own (`if (c) /*m*/\n    throw e;`)
        marks.push({ jsLine: i + 1, jsColumn: next.length - next.trimStart().length, line: Number(m[1]), character: Number(m[2]) });
      } else {
        marks.push({ jsLine: i, jsColumn: end + (i === 0 ? firstLineOffset : 0), line: Number(m[1]), character: Number(m[2]) });
      }
    }
  }
  return marks;
}

/**
 * The original zero-based line (and column, when the marker is on the same compiled line) of a
 * zero-based position in compiled code: the last marker at or before it, moved by the lines
 * between them. Null when no marker precedes it (code the compiler added in front).
 */
export function mapCompiledPosition(marks: readonly LineMark[], jsLine: number, jsColumn: number, lineCount: number): { line: number; character: number | null } | null {
  let best: LineMark | null = null;
  for (const m of marks) {
    if (m.jsLine < jsLine || (m.jsLine === jsLine && m.jsColumn <= jsColumn)) best = m;
    else break;
  }
  if (best === null) {
    // in front of the first marker on its own line (the marker follows the indentation)
    const first = marks.find((m) => m.jsLine === jsLine);
    return first === undefined ? null : { line: first.line, character: first.character };
  }
  if (best.jsLine === jsLine) return { line: best.line, character: best.character + (jsColumn - best.jsColumn) };
  return { line: Math.min(best.line + (jsLine - best.jsLine), Math.max(0, lineCount - 1)), character: null };
}
