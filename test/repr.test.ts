/**
 * Tensor printing against PyTorch's own repr (test/golden/repr.json, made by
 * test/golden/make_repr.py): every case rebuilds the same tensor and compares String(t) exactly.
 */

import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import torch, { print, Tensor, type DType } from '../lib/index.js';
import { repr, str } from '../lib/display/print.js';
import { get_printoptions, set_printoptions, type SetPrintOptions } from '../lib/display/repr.js';
import { floatRepr, formatExp, formatFixed } from '../lib/display/pyformat.js';
import { registerBackend } from '../lib/device.js';
import { cpuBackend } from '../lib/backends/cpu/index.js';
import { loadGolden } from './helpers/golden.js';

interface ReprCase {
  name: string;
  values: (number | boolean)[];
  shape: number[];
  dtype: string;
  requires_grad: boolean;
  op: string | null;
  opts: SetPrintOptions | null;
  default_dtype: string | null;
  repr: string;
}

type PrintArg =
  | { t: 'str'; v: string } | { t: 'int' | 'float'; v: number } | { t: 'bool'; v: boolean } | { t: 'none' }
  | { t: 'list'; v: PrintArg[] } | { t: 'dict'; v: [PrintArg, PrintArg][] }
  | { t: 'tensor'; values: (number | boolean)[]; shape: number[]; dtype: string }
  | { t: 'device' | 'dtype'; v: string } | { t: 'size'; v: number[] };

const golden = loadGolden<{
  cases: ReprCase[];
  floats: { values: number[]; formats: string[]; out: string[][] };
  print: { args: PrintArg[]; out: string }[];
}>('repr.json');
const dtypeOf = (name: string): DType => torch[name as 'float32'];

const OPS: Record<string, (x: Tensor) => Tensor> = {
  mul2: (x) => x.mul(2),
  sum: (x) => x.sum(),
  add1: (x) => x.add(1),
  sub1: (x) => x.sub(1),
  mean: (x) => x.mean(),
  exp: (x) => x.exp(),
  pow2: (x) => x.pow(2),
  neg: (x) => x.neg(),
  view: (x) => x.view(-1),
};

function build(c: ReprCase): Tensor {
  const dtype = dtypeOf(c.dtype);
  let x = torch.tensor(c.values, { dtype }).reshape(c.shape);
  if (c.requires_grad) x = x.requires_grad_();
  return c.op ? OPS[c.op]!(x) : x;
}

afterEach(() => {
  set_printoptions({ profile: 'default' });
  torch.set_default_dtype(torch.float32);
});

describe('repr matches PyTorch', () => {
  it('covers every recipe the golden script uses', () => {
    for (const c of golden.cases) if (c.op) expect(OPS[c.op], c.op).toBeDefined();
    expect(golden.cases.length).toBeGreaterThan(100);
  });
  for (const c of golden.cases) {
    it(c.name, () => {
      const t = build(c);
      if (c.default_dtype) torch.set_default_dtype(dtypeOf(c.default_dtype));
      if (c.opts) set_printoptions(c.opts);
      expect(String(t)).toBe(c.repr);
    });
  }
});

describe('console rendering', () => {
  it('util.inspect and template strings give the repr', () => {
    const x = torch.tensor([[1.5, -2], [3, 4]], { dtype: torch.float32 });
    const expected = 'tensor([[ 1.5000, -2.0000],\n        [ 3.0000,  4.0000]])';
    expect(inspect(x)).toBe(expected);
    expect(`${x}`).toBe(expected);
    expect(x.toString()).toBe(expected);
  });
  it('console.log prints the repr', () => {
    // a Console of our own: vitest replaces the global console's output
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done): void {
        chunks.push(chunk.toString());
        done();
      },
    });
    new Console(sink).log(torch.tensor([true, false]), torch.tensor(2.5, { requires_grad: true }));
    expect(chunks.join('')).toBe('tensor([ True, False]) tensor(2.5000, requires_grad=True)\n');
  });
  it("adds device='cuda:0' for tensors off the CPU", () => {
    // the CPU kernels stand in for WebGPU: the suffix depends only on the tensor's device
    registerBackend('cuda', () => cpuBackend);
    const x = torch.tensor([1.5, 2], { device: 'cuda' });
    expect(String(x)).toBe("tensor([1.5000, 2.0000], device='cuda:0')");
    expect(String(torch.tensor([1, 2], { dtype: torch.float64, device: 'cuda:0', requires_grad: true }))).toBe(
      "tensor([1., 2.], device='cuda:0', dtype=torch.float64, requires_grad=True)",
    );
  });
  it('reads values through non-contiguous views', () => {
    const x = torch.arange(6).reshape(2, 3).t();
    expect(String(x)).toBe('tensor([[0, 3],\n        [1, 4],\n        [2, 5]])');
  });
});

describe('set_printoptions', () => {
  it('profiles reset, options override, sci_mode resets when omitted', () => {
    set_printoptions({ profile: 'short', precision: 3, sci_mode: true });
    expect(get_printoptions()).toEqual({ precision: 3, threshold: 1000, edgeitems: 2, linewidth: 80, sci_mode: true });
    set_printoptions({ linewidth: 100 });
    expect(get_printoptions()).toEqual({ precision: 3, threshold: 1000, edgeitems: 2, linewidth: 100, sci_mode: null });
    set_printoptions({ profile: 'full' });
    expect(get_printoptions().threshold).toBe(Infinity);
    set_printoptions({ profile: 'default' });
    expect(get_printoptions()).toEqual({ precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: null });
  });
  it('is torch.set_printoptions', () => {
    torch.set_printoptions({ precision: 1 });
    expect(String(torch.tensor([0.25, 0.35], { dtype: torch.float64 }))).toBe('tensor([0.2, 0.3], dtype=torch.float64)');
  });
});

describe('Python float formatting', () => {
  it('rounds the exact binary value half to even, as format()', () => {
    expect(formatFixed(0.5, 0)).toBe('0');
    expect(formatFixed(1.5, 0)).toBe('2');
    expect(formatFixed(2.5, 0)).toBe('2');
    expect(formatFixed(-0.4, 0)).toBe('-0');
    expect(formatFixed(1.03125, 4)).toBe('1.0312');
    expect(formatFixed(0.125, 2)).toBe('0.12');
    expect(formatFixed(1.005, 2)).toBe('1.00');
    expect(formatFixed(1e22, 4)).toBe('10000000000000000000000.0000');
    expect(formatFixed(5e-324, 4)).toBe('0.0000');
    expect(formatFixed(-0, 2)).toBe('-0.00');
  });
  it("agrees with Python's format() and repr() over magnitudes and ties", () => {
    const { values, formats, out } = golden.floats;
    values.forEach((v, i) => {
      const got = formats.map((f) => {
        const m = /^\{:\.(\d+)([fe])\}$/.exec(f)!;
        return m[2] === 'f' ? formatFixed(v, Number(m[1])) : formatExp(v, Number(m[1]));
      });
      expect([...got, floatRepr(v)], `value ${v}`).toEqual(out[i]);
    });
  });
  it('writes exponents as Python does', () => {
    expect(formatExp(0, 4)).toBe('0.0000e+00');
    expect(formatExp(12345, 0)).toBe('1e+04');
    expect(formatExp(9.99995, 4)).toBe('1.0000e+01');
    expect(formatExp(1e100, 4)).toBe('1.0000e+100');
    expect(formatExp(-1e-5, 2)).toBe('-1.00e-05');
    expect(formatExp(1000, 4)).toBe('1.0000e+03');
    expect(formatExp(0.001, 4)).toBe('1.0000e-03');
    expect(formatExp(5e-324, 4)).toBe('4.9407e-324');
    expect(formatExp(Number.MAX_VALUE, 4)).toBe('1.7977e+308');
    expect(formatExp(NaN, 4)).toBe('nan');
    expect(formatExp(-Infinity, 4)).toBe('-inf');
  });
  it('repr(float) picks the shortest digits and Python layout', () => {
    expect(floatRepr(0.1)).toBe('0.1');
    expect(floatRepr(1)).toBe('1.0');
    expect(floatRepr(-0)).toBe('-0.0');
    expect(floatRepr(1e16)).toBe('1e+16');
    expect(floatRepr(1e15)).toBe('1000000000000000.0');
    expect(floatRepr(1e-5)).toBe('1e-05');
    expect(floatRepr(0.0001)).toBe('0.0001');
    expect(floatRepr(1.5e300)).toBe('1.5e+300');
    expect(floatRepr(123456789012345680)).toBe('1.2345678901234568e+17');
    expect(floatRepr(Infinity)).toBe('inf');
  });
});

function buildArg(a: PrintArg): unknown {
  switch (a.t) {
    case 'str': case 'int': case 'float': case 'bool': return a.v;
    case 'none': return null;
    case 'list': return a.v.map(buildArg);
    case 'dict': {
      // a dict with non-string keys needs a Map; string keys read as a plain object
      const entries = a.v.map(([k, v]) => [buildArg(k), buildArg(v)] as const);
      return entries.every(([k]) => typeof k === 'string') ? Object.fromEntries(entries) : new Map(entries);
    }
    case 'tensor': return torch.tensor(a.values, { dtype: dtypeOf(a.dtype) }).reshape(a.shape);
    case 'device': return torch.device(a.v);
    case 'dtype': return dtypeOf(a.v);
    case 'size': return torch.zeros(a.v).shape;
  }
}

function captured(fn: () => void): string {
  const chunks: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    chunks.push(format(...args) + '\n');
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('print', () => {
  golden.print.forEach((c, i) => {
    it(`matches Python's print, case ${i}: ${JSON.stringify(c.out).slice(0, 60)}`, () => {
      expect(captured(() => print(...c.args.map(buildArg)))).toBe(c.out);
    });
  });
  it('str and repr differ where Python differs', () => {
    expect(str('a')).toBe('a');
    expect(repr('a')).toBe("'a'");
    expect(str(torch.device('cuda:0'))).toBe('cuda:0');
    expect(repr(torch.device('cuda:0'))).toBe("device(type='cuda', index=0)");
    expect(str(new Error('boom'))).toBe('boom');
    expect(repr(new TypeError("bad 'x'"))).toBe(`TypeError("bad 'x'")`);
    expect(repr(undefined)).toBe('None');
    expect(repr(new Set())).toBe('set()');
    expect(repr(new Set([1, 2]))).toBe('{1, 2}');
    expect(repr(new Float32Array([0.5, 2]))).toBe('[0.5, 2]');
    expect(repr(10n ** 20n)).toBe('100000000000000000000');
    expect(repr('\x01\u2028é')).toBe("'\\x01\\u2028é'");
  });
  it('integer-valued numbers are ints, the rest Python floats', () => {
    expect(repr([1, 1.5, -0, 2 ** 53 - 1, 2 ** 53, NaN, -Infinity])).toBe('[1, 1.5, -0.0, 9007199254740991, 9007199254740992.0, nan, -inf]');
  });
  it('marks cycles as Python does', () => {
    const a: unknown[] = [1];
    a.push(a);
    const d: Record<string, unknown> = { k: 1 };
    d.self = d;
    expect(repr(a)).toBe('[1, [...]]');
    expect(repr(d)).toBe("{'k': 1, 'self': {...}}");
  });
  it('writes percent signs as they are', () => {
    expect(captured(() => print('%s %d %%'))).toBe('%s %d %%\n');
  });
});
