/**
 * ES modules in cells. Cells compile to CommonJS, so `import x from 'pkg'` becomes `require('pkg')`.
 * Node.js 20.19+ `require()`s most ES modules itself, but not a module graph with top-level await
 * (ERR_REQUIRE_ASYNC_MODULE) and not a package whose `exports` only has an `import` condition.
 * Before a cell runs, the ES modules it names are therefore loaded with `import()` (resolved from
 * the notebook's folder, with the `import` conditions), and the cell's `require` hands out those
 * namespaces. Node keeps one instance of each ES module for `import()` and `require()`, so a module
 * is never evaluated twice.
 */

import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, extname, join } from 'node:path';
import vm from 'node:vm';
import { typescript } from './interrupt.js';

type Require = (id: string) => unknown;
type Resolve = (id: string) => string;

/** Whether the file at `path` is an ES module by Node's rules (extension, then the nearest package.json's `type`). */
export function isEsmFile(path: string): boolean {
  const ext = extname(path);
  if (ext === '.mjs') return true;
  if (ext !== '.js') return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/** The module specifiers a cell names: static imports, `import()`, `require()` and `export ... from`. */
export function moduleSpecifiers(code: string): string[] {
  if (!/\b(?:import|require|from)\b/.test(code)) return [];
  const info = typescript().preProcessFile(code, true, true);
  return [...new Set(info.importedFiles.map((f) => f.fileName))];
}

/**
 * The namespace as CommonJS interop expects it: TypeScript's `__importDefault` / `__importStar`
 * take an object with `__esModule` as it is, so `import x from` gets the default export.
 */
function asInterop(ns: object): object {
  return new Proxy(ns, {
    get: (target, prop, receiver) => (prop === '__esModule' ? true : Reflect.get(target, prop, receiver)),
  });
}

/**
 * `import()` relative to `rootDir`. vm's default-loader constant is the only way to resolve a bare
 * specifier from another folder with the `import` conditions; Node flags it experimental, and the
 * warning would land in the user's cell, so it is silenced while the function is made and called.
 */
function makeImporter(rootDir: string): (specifier: string) => Promise<object> {
  const quiet = <T>(f: () => T): T => {
    const emit = process.emitWarning;
    process.emitWarning = ((warning: string | Error, ...rest: unknown[]): void => {
      const text = typeof warning === 'string' ? warning : warning.message;
      if (text.includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
      (emit as (w: string | Error, ...r: unknown[]) => void).call(process, warning, ...rest);
    }) as typeof process.emitWarning;
    try {
      return f();
    } finally {
      process.emitWarning = emit;
    }
  };
  const script = quiet(() => new vm.Script('(specifier) => import(specifier)', {
    filename: join(rootDir, 'src.js'),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  }));
  const importer = quiet(() => script.runInThisContext() as (specifier: string) => Promise<object>);
  return (specifier) => quiet(() => importer(specifier));
}

/** The ES modules that cells import, loaded ahead of the cells that need them. */
export class EsmLoader {
  /** Namespaces by specifier, or the error their import threw (the cell gets that one, not require's). */
  private readonly modules = new Map<string, { ns: object } | { error: unknown }>();
  private readonly importFrom: (specifier: string) => Promise<object>;

  constructor(rootDir: string, private readonly resolve: Resolve) {
    this.importFrom = makeImporter(rootDir);
  }

  /** Wraps a cell's `require` so that it returns the namespaces loaded by `prepare`. */
  wrap<R extends Require>(req: R): R {
    const modules = this.modules;
    return new Proxy(req, {
      apply: (target, thisArg, args: unknown[]) => {
        const id = args[0];
        if (args.length === 1 && typeof id === 'string') {
          const loaded = modules.get(id);
          if (loaded !== undefined) {
            if ('error' in loaded) throw loaded.error;
            return loaded.ns;
          }
        }
        return Reflect.apply(target, thisArg, args);
      },
    });
  }

  /**
   * Imports the ES modules `code` names; null when there is nothing to import (the cell then
   * starts synchronously, as before). Errors are thrown by the cell's `require`, so that they
   * show in the cell, at its import.
   */
  prepare(code: string): Promise<void> | null {
    const pending = moduleSpecifiers(code).filter((s) => !this.modules.has(s) && !isBuiltin(s) && s !== 'tslab' && this.needsImport(s));
    return pending.length === 0 ? null : this.importAll(pending);
  }

  /** Whether `specifier`, resolved from the notebook's folder, is an ES module or one only `import` conditions export. */
  private needsImport(specifier: string): boolean {
    try {
      return isEsmFile(this.resolve(specifier));
    } catch (e) {
      // `exports` without a `require` condition: only import() can load it
      return (e as { code?: unknown }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED';
    }
  }

  private async importAll(specifiers: string[]): Promise<void> {
    for (const specifier of specifiers) {
      try {
        this.modules.set(specifier, { ns: asInterop(await this.importFrom(specifier)) });
      } catch (error) {
        // a module that throws while it loads; a module that is missing is left to require
        if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') this.modules.set(specifier, { error });
      }
    }
  }
}
