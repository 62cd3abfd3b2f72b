/**
 * ES-module-only packages in cells. Cells compile to CommonJS `require()`, which Node.js 20.19+
 * cannot use on a module with top-level await or a package with `import`-only exports; the kernel
 * imports the ES modules a cell names before the cell runs. The fixture packages are copied into
 * a notebook folder's node_modules.
 */

import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEsmFile, moduleSpecifiers } from '../../kernel/esm.js';
import type { Message } from '../../kernel/protocol.js';
import { KernelClient, ofType, root, type Exchange } from './client.js';

type Content = Record<string, unknown>;
const content = (m: Message | undefined): Content => (m?.content ?? {}) as Content;
const plain = (x: Exchange): unknown => (content(ofType(x.iopub, 'execute_result')[0]).data as Content | undefined)?.['text/plain'];
const streamText = (x: Exchange): string => ofType(x.iopub, 'stream').map((m) => String(content(m).text)).join('');

const fixtures = join(root, 'test', 'kernel', 'fixtures', 'esm');
let notebook: string;
let k: KernelClient;

beforeAll(async () => {
  notebook = mkdtempSync(join(tmpdir(), 'torchlab-esm-'));
  mkdirSync(join(notebook, 'node_modules'));
  for (const name of ['esm-plain', 'esm-tla', 'esm-importonly', 'esm-untyped', 'cjs-plain']) {
    cpSync(join(fixtures, name), join(notebook, 'node_modules', name), { recursive: true });
  }
  k = await KernelClient.start({ cwd: notebook });
}, 120_000);

afterAll(async () => {
  await k?.close();
  if (notebook !== undefined) rmSync(notebook, { recursive: true, force: true });
});

describe('ES modules in cells', () => {
  it('imports an ES module without top-level await, default and named exports', async () => {
    const x = await k.execute(`import greet, { answer } from 'esm-plain'; [greet('a'), answer]`);
    expect(content(x.reply).status).toBe('ok');
    expect(plain(x)).toBe("[ 'hi a', 42 ]");
  });

  it('imports an ES module with top-level await, once, whether by import or require', async () => {
    const a = await k.execute(`import seven, { state } from 'esm-tla'; [seven, state]`);
    expect(content(a.reply).status).toBe('ok');
    expect(plain(a)).toBe("[ 7, 'ready' ]");
    const b = await k.execute(`import * as ns from 'esm-tla'; const again = require('esm-tla'); [ns.state, again.default, (globalThis as any).__esm_tla_loads]`);
    expect(content(b.reply).status).toBe('ok');
    expect(plain(b)).toBe("[ 'ready', 7, 1 ]");
  });

  it('imports a package whose exports only have an import condition', async () => {
    const x = await k.execute(`import d, { only } from 'esm-importonly'; [d.kind, only]`);
    expect(content(x.reply).status).toBe('ok');
    expect(plain(x)).toBe("[ 'default export', 'import' ]");
  });

  it('type-checks with Node10 resolution: a package found only through exports, without types, needs @ts-ignore', async () => {
    const x = await k.execute(`import { untyped } from 'esm-untyped'; untyped`);
    expect(content(x.reply).ename).toBe('TypeError');
    expect(content(x.reply).evalue).toBe("Cannot find module 'esm-untyped' or its corresponding type declarations.");
    const y = await k.execute(`// @ts-ignore\nimport { untyped } from 'esm-untyped'; untyped`);
    expect(content(y.reply).status).toBe('ok');
    expect(plain(y)).toBe('true');
  });

  it('reports an ES module that throws while loading as the error of the cell', async () => {
    const x = await k.execute(`import 'esm-tla/broken'`);
    const c = content(x.reply);
    expect(c.status).toBe('error');
    expect(c.ename).toBe('RangeError');
    expect(c.evalue).toBe('esm-tla/broken failed to load');
  });

  it('is interrupted while it waits for an ES module whose top-level await never settles', async () => {
    const h = k.send('shell', 'execute_request', { code: `import 'esm-tla/hang'`, silent: false, stop_on_error: false });
    await new Promise((r) => setTimeout(r, 300));
    const ir = await k.request('control', 'interrupt_request');
    expect(content(ir.reply)).toEqual({ status: 'ok' });
    expect(content(await k.waitReply(h.msg_id, 10_000)).ename).toBe('KeyboardInterrupt');
    expect(plain(await k.execute('1 + 1', {}, 5000))).toBe('2');
  });

  it('leaves CommonJS packages and missing modules to require, as before', async () => {
    const x = await k.execute(`import cjs from 'cjs-plain'; [cjs.kind, (globalThis as any).__cjs_plain_loads]`);
    expect(plain(x)).toBe("[ 'commonjs', 1 ]");
    const missing = await k.execute(`const m = require('no-such-package'); m`);
    expect(content(missing.reply).ename).toBe('Error');
    expect(String(content(missing.reply).evalue)).toContain("Cannot find module 'no-such-package'");
    expect(streamText(missing)).toBe('');
  });
});

describe('esm helpers', () => {
  it('finds the module specifiers of a cell', () => {
    expect(moduleSpecifiers(`import a from 'a'; import * as b from "./b.js"; export { c } from 'c'; const d = require('d'); await import('e'); 1 + 1`))
      .toEqual(['a', './b.js', 'c', 'd', 'e']);
    expect(moduleSpecifiers('const x = 1 + 1')).toEqual([]);
  });

  it("tells ES modules by extension and the nearest package.json's type", () => {
    expect(isEsmFile(join(fixtures, 'esm-plain', 'index.js'))).toBe(true);
    expect(isEsmFile(join(fixtures, 'esm-importonly', 'index.mjs'))).toBe(true);
    expect(isEsmFile(join(fixtures, 'cjs-plain', 'index.js'))).toBe(false);
    expect(isEsmFile(join(fixtures, 'cjs-plain', 'index.cjs'))).toBe(false);
  });
});
