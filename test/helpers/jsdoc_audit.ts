/**
 * The JSDoc audit behind test/jsdoc.test.ts: walks torchlab's public API with the TypeScript
 * compiler API and lists every public name whose documentation lacks a summary or an `@example`.
 * The rules (what counts as public, where a name's doc may live) are written out in the test's
 * header. Run `npx tsx test/helpers/jsdoc_audit.ts` to print the list.
 */

import { fileURLToPath } from 'node:url';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One public name and what its doc lacks. */
export interface Finding {
  /** How a user spells it: `torch.zeros`, `Tensor.add_`, `nn.Linear.forward`. */
  name: string;
  /** Where the declaration is, `lib/...:line`. */
  where: string;
  /** 'summary', 'example' or 'summary, example'. */
  missing: string;
}

export interface Audit {
  /** Every public name checked, in walk order. */
  checked: string[];
  /** The ones whose doc lacks a summary or an @example. */
  findings: Finding[];
}

interface Doc { summary: boolean; example: boolean }
const NONE: Doc = { summary: false, example: false };
const merge = (a: Doc, b: Doc): Doc => ({ summary: a.summary || b.summary, example: a.example || b.example });

/** What to walk: the project's two entry points by default, a fixture in the audit's own test. */
export interface AuditOptions {
  /** `[file, prefix]`: each entry module (relative to the project root) and the name its exports go under. */
  entries?: readonly (readonly [string, string])[];
  /** The folder (relative to the project root) whose declarations count as the library's. */
  lib?: string;
}

const DEFAULT_ENTRIES = [['lib/index.ts', ''], ['lib/vision/index.ts', 'vision']] as const;

export function audit(opts: AuditOptions = {}): Audit {
  const entryNames = opts.entries ?? DEFAULT_ENTRIES;
  const libDir = join(root, opts.lib ?? 'lib') + sep;
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!parsed) throw new Error('cannot read tsconfig.json');
  // the entry points pull in all of lib/; the rest of the project (tests, kernel) is not API
  const rootNames = entryNames.map(([f]) => join(root, f));
  const program = ts.createProgram({ rootNames, options: { ...parsed.options, noEmit: true } });
  const checker = program.getTypeChecker();

  const checked: string[] = [];
  const findings: Finding[] = [];
  const seenDecl = new Set<ts.Node>();
  const seenContainer = new Set<ts.Symbol | ts.Type>();

  const inLib = (n: ts.Node): boolean => {
    const f = n.getSourceFile().fileName;
    return f.startsWith(libDir.split(sep).join('/')) || f.startsWith(libDir);
  };
  const whereOf = (n: ts.Node): string => {
    const sf = n.getSourceFile();
    const { line } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    return `${relative(root, sf.fileName)}:${line + 1}`;
  };
  const resolve = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

  const isInternal = (n: ts.Node): boolean => ts.getJSDocTags(n).some((t) => t.tagName.text === 'internal');

  /** The doc a symbol shows in a hover (own, or inherited from the base class / interface). */
  const docOfSymbol = (s: ts.Symbol): Doc => ({
    summary: ts.displayPartsToString(s.getDocumentationComment(checker)).trim().length > 0,
    example: s.getJsDocTags(checker).some((t) => t.name === 'example'),
  });
  /** The JSDoc written right above one node (object-literal entries of the op tables). */
  const docOfNode = (n: ts.Node): Doc => {
    let d = NONE;
    for (const j of ts.getJSDocCommentsAndTags(n)) {
      if (!ts.isJSDoc(j)) continue;
      const text = typeof j.comment === 'string' ? j.comment : (j.comment ?? []).map((c) => c.text).join('');
      d = merge(d, { summary: text.trim().length > 0, example: (j.tags ?? []).some((t) => t.tagName.text === 'example') });
    }
    return d;
  };

  /**
   * The symbols whose doc may stand for `s`: `s` itself, then what its declaration merely names
   * (`zeros: cr.zeros`, a shorthand `no_grad`, `const seed_all = seed`, `Object.assign(fn, {...})`).
   */
  const candidates = (s: ts.Symbol, depth = 0): ts.Symbol[] => {
    const out = [s];
    if (depth > 4) return out;
    for (const d of s.declarations ?? []) {
      let target: ts.Symbol | undefined;
      let init: ts.Expression | undefined;
      if (ts.isShorthandPropertyAssignment(d)) target = checker.getShorthandAssignmentValueSymbol(d);
      else if (ts.isPropertyAssignment(d) || ts.isVariableDeclaration(d)) init = d.initializer;
      else if (ts.isExportSpecifier(d) || ts.isExportAssignment(d)) target = resolve(s);
      if (init && ts.isCallExpression(init) && init.expression.getText() === 'Object.assign') init = init.arguments[0];
      if (init && (ts.isIdentifier(init) || ts.isPropertyAccessExpression(init))) target = checker.getSymbolAtLocation(init);
      if (target) {
        const t = resolve(target);
        if (t !== s) out.push(...candidates(t, depth + 1));
      }
    }
    return out;
  };

  // The elementwise op tables: one JSDoc per entry documents `x.name()`, `x.name_()`,
  // `torch.name(x)` and `torch.name_(x)`, which are installed from the entry.
  const tableDocs = new Map<string, { doc: Doc; node: ts.Node }>();
  const pwFile = program.getSourceFile(join(root, 'lib/ops/pointwise.ts'));
  pwFile?.forEachChild(function visit(n) {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && ['unaryOps', 'binaryOps'].includes(n.name.text)) {
      const init = n.initializer;
      if (init && ts.isObjectLiteralExpression(init)) {
        for (const p of init.properties) {
          if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) tableDocs.set(p.name.text, { doc: docOfNode(p), node: p });
        }
      }
    }
    n.forEachChild(visit);
  });
  /** Members made by the mapped types over the op table's names carry no declaration of their own. */
  const tableEntry = (s: ts.Symbol): { doc: Doc; node: ts.Node } | undefined => {
    const own = (s.declarations ?? []).filter((d) => !ts.isMappedTypeNode(d) && !ts.isMappedTypeNode(d.parent));
    if (own.length > 0) return undefined;
    return tableDocs.get(s.name.replace(/_$/, ''));
  };

  const report = (name: string, decl: ts.Node, doc: Doc): void => {
    checked.push(name);
    if (doc.summary && doc.example) return;
    const missing = [doc.summary ? '' : 'summary', doc.example ? '' : 'example'].filter(Boolean).join(', ');
    findings.push({ name, where: whereOf(decl), missing });
  };

  /** Checks one named value, unless it was checked under another name already. */
  const checkValue = (name: string, s: ts.Symbol): void => {
    const table = tableEntry(s);
    if (table) {
      // `x.abs()`, `x.abs_()`, `torch.abs` and `torch.abs_` share the entry: checked once, under the first name reached
      if (seenDecl.has(table.node)) return;
      seenDecl.add(table.node);
      report(name, table.node, table.doc);
      return;
    }
    const cands = candidates(s);
    const decl = cands.flatMap((c) => c.declarations ?? []).reverse().find((d) => inLib(d));
    if (!decl) return;
    // the same value under two names (`Size` and `torch.Size`, `zeros: cr.zeros`) is checked once
    const key = cands[cands.length - 1]!.declarations?.[0] ?? decl;
    if (seenDecl.has(key)) return;
    seenDecl.add(key);
    report(name, decl, cands.map(docOfSymbol).reduce(merge, NONE));
  };

  const isPrivateName = (n: string): boolean => n.startsWith('_') || n.startsWith('__@') || n.startsWith('#');
  const declaredInLib = (s: ts.Symbol): boolean => (s.declarations ?? []).some(inLib);

  const visitClass = (path: string, cls: ts.Symbol): void => {
    if (seenContainer.has(cls)) return;
    seenContainer.add(cls);
    const inst = checker.getDeclaredTypeOfSymbol(cls);
    const statics = checker.getTypeOfSymbol(cls);
    const members: [string, ts.Symbol][] = [
      ...checker.getPropertiesOfType(inst).map((p): [string, ts.Symbol] => [`${path}.${p.name}`, p]),
      ...checker.getPropertiesOfType(statics).filter((p) => p.name !== 'prototype').map((p): [string, ts.Symbol] => [`${path}.${p.name}`, p]),
    ];
    for (const [name, m] of members) {
      if (isPrivateName(m.name)) continue;
      const decls = m.declarations ?? [];
      const mapped = tableEntry(m) !== undefined;
      if (!mapped && !declaredInLib(m)) continue;
      if (decls.some((d) => isInternal(d) || (ts.getCombinedModifierFlags(d as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0)) continue;
      // methods and accessors; fields are data, except the property signatures of interfaces
      // merged into a class (Tensor's `nbytes`, `H`) and the table-made methods
      const callable = decls.some((d) => ts.isMethodDeclaration(d) || ts.isMethodSignature(d) || ts.isGetAccessor(d) || ts.isSetAccessor(d) || ts.isPropertySignature(d));
      if (!callable && !mapped) continue;
      checkValue(name, m);
    }
  };

  /** A value reached under `path`: a function, a class, a namespace object or module, or data (skipped). */
  const visitValue = (path: string, s: ts.Symbol): void => {
    const t = resolve(s);
    if (t.flags & ts.SymbolFlags.Module && !(t.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class))) {
      visitModule(path, t);
      return;
    }
    if (t.flags & ts.SymbolFlags.Class) {
      checkValue(path, s);
      visitClass(path, t);
      return;
    }
    if (!(t.flags & ts.SymbolFlags.Value)) return;
    const type = checker.getTypeOfSymbol(t);
    if (type.getCallSignatures().length > 0) {
      checkValue(path, s);
      visitObject(path, type, true);
      return;
    }
    const ctor = type.getConstructSignatures().length > 0 ? type.getSymbol() : undefined;
    if (ctor && ctor.flags & ts.SymbolFlags.Class) {
      checkValue(path, s);
      visitClass(path, ctor);
      return;
    }
    // `torch.nn`: the property's type is the module's
    const typeSym = type.getSymbol();
    if (typeSym && typeSym.flags & ts.SymbolFlags.ValueModule) {
      visitModule(path, typeSym);
      return;
    }
    visitObject(path, type, false);
  };

  /** The members of a namespace object (`torch`, `torch.linalg`, `plot`, `display`'s helpers). */
  const visitObject = (path: string, type: ts.Type, isFunction: boolean): void => {
    if (seenContainer.has(type)) return;
    // object literals written in lib/, and the helpers of a function made by `Object.assign(fn, {...})`
    const decls = type.getSymbol()?.declarations ?? [];
    const literal = decls.some((d) => inLib(d) && ts.isObjectLiteralExpression(d));
    if (!literal && !(isFunction && type.getProperties().some(declaredInLib))) return;
    seenContainer.add(type);
    for (const p of type.getProperties()) {
      if (isPrivateName(p.name)) continue;
      if (!declaredInLib(p) && !tableEntry(p)) continue;
      visitValue(`${path}.${p.name}`, p);
    }
  };

  const visitModule = (path: string, mod: ts.Symbol): void => {
    if (seenContainer.has(mod)) return;
    seenContainer.add(mod);
    // at the top, the names users import (Tensor, F, nn, ...) before the torch namespace that
    // holds them too, and F before nn (nn.functional): a name is reported under the first path reached
    const rank = (e: ts.Symbol): number => (path === '' ? (e.name === 'default' || e.name === 'torch' ? 2 : e.name === 'F' ? 0 : 1) : 1);
    const exports = checker.getExportsOfModule(mod).slice().sort((a, b) => rank(a) - rank(b));
    for (const e of exports) {
      if (isPrivateName(e.name)) continue;
      // the entry's default export is the torch namespace
      const name = e.name === 'default' ? path || 'torch' : path ? `${path}.${e.name}` : e.name;
      visitValue(name, e);
    }
  };

  for (const [file, prefix] of entryNames) {
    const sf = program.getSourceFile(join(root, file));
    const mod = sf && checker.getSymbolAtLocation(sf);
    if (!mod) throw new Error(`cannot load ${file}`);
    visitModule(prefix, mod);
  }
  return { checked, findings };
}

// `npx tsx test/helpers/jsdoc_audit.ts [--all]`: the findings (or every checked name), one a line
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = Date.now();
  const { checked, findings } = audit();
  if (process.argv.includes('--all')) console.log(checked.join('\n'));
  else for (const f of findings) console.log(`${f.name}\t${f.where}\t${f.missing}`);
  console.error(`${checked.length} checked, ${findings.length} missing, ${Date.now() - t0} ms`);
}
