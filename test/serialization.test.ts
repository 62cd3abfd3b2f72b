/**
 * torch.save / torch.load: safetensors round trips of every dtype and of nested records, files
 * byte-identical to the reference safetensors layout, PyTorch checkpoints written by Debian's
 * PyTorch (test/fixtures/serialization, made with the values in test/golden/serialization.json by
 * test/golden/make_serialization.py) loaded and run, and clear errors for corrupt files and for
 * pickles that would run code.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as zlib from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import torch, { F, nn, Tensor } from '../lib/index.js';
import type { DType } from '../lib/dtype.js';
import { expectClose, loadGolden } from './helpers/golden.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, 'fixtures', 'serialization');
const fix = (name: string): string => join(FIX, name);
const tmp = mkdtempSync(join(tmpdir(), 'torchlab-ser-'));
const out = (name: string): string => join(tmp, name);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Nested = number | boolean | Nested[];
interface Desc { dtype: string; shape: number[]; values: Nested; stride: number[]; offset: number }
interface G {
  mlp_bn: { keys: string[]; tensors: Record<string, Desc>; metadata: Record<string, Record<string, number>>; input: Nested; output: Nested };
  sequential: { input: Nested; output: Nested };
  dtypes: Record<string, Desc>;
  checkpoint: {
    epoch: number; loss: number; name: string; done: boolean; note: null; betas: number[]; big: number; neg: number;
    history: (number | string)[]; raw: number[]; param_groups: Record<string, unknown>[]; state_keys: string[]; momentum_buffer_0: Desc;
  };
  safetensors: Record<string, Desc>;
  half: Record<string, Desc>;
}
const g = loadGolden<G>('serialization.json');

const dtypeByName: Record<string, DType> = {
  float32: torch.float32, float64: torch.float64, int32: torch.int32, int64: torch.int64, uint8: torch.uint8, bool: torch.bool,
};
/** What a PyTorch dtype loads as in torchlab (the types it lacks widen). */
const loadsAs: Record<string, string> = { float16: 'float32', bfloat16: 'float32', int8: 'int32', int16: 'int32' };

/** A torchlab tensor holding a golden description's values. */
function build(d: Desc): Tensor {
  const dtype = dtypeByName[d.dtype]!;
  if (d.shape.includes(0)) return torch.zeros(d.shape, { dtype });
  return torch.tensor(d.values as number[], { dtype }).reshape(d.shape);
}

/** Asserts `t` is exactly the golden tensor (dtype, shape, every value bit for bit, NaN as NaN). */
function expectTensor(t: unknown, d: Desc, what: string): void {
  expect(t, what).toBeInstanceOf(Tensor);
  const x = t as Tensor;
  expect(x.dtype.name, `${what} dtype`).toBe(loadsAs[d.dtype] ?? d.dtype);
  expect([...x.shape], `${what} shape`).toEqual(d.shape);
  expect(x.device.type, `${what} device`).toBe('cpu');
  expect(x.tolist(), `${what} values`).toEqual(d.values);
}

function allDtypes(): Record<string, Tensor> {
  const base = torch.arange(24, { dtype: torch.float64 }).reshape(4, 6).div(3);
  return {
    f32: torch.tensor([1.5, -0, Infinity, -Infinity, NaN, 3.4028234663852886e38, 1e-45], { dtype: torch.float32 }),
    f64: torch.tensor([0.1, -2.5e300, 5e-324, NaN], { dtype: torch.float64 }),
    i32: torch.tensor([[-2147483648, 2147483647], [0, -1]], { dtype: torch.int32 }),
    i64: torch.tensor([-(2 ** 53), 2 ** 53, 2 ** 40 + 7, -1, 0], { dtype: torch.int64 }),
    u8: torch.tensor([0, 1, 254, 255], { dtype: torch.uint8 }),
    bool: torch.tensor([[true, false], [false, true]]),
    scalar: torch.tensor(7.25, { dtype: torch.float64 }),
    long_scalar: torch.tensor(-3, { dtype: torch.int64 }),
    empty: torch.zeros([0, 3]),
    transposed: base.t(),
    strided: base.get('1:', '::2'),
    row: base.select(0, 2),
    expanded: torch.tensor([1, 2, 3], { dtype: torch.int32 }).expand(2, 3),
    permuted_bool: torch.tensor([[[true, false, true]], [[false, false, true]]]).permute([2, 0, 1]),
  };
}

describe('safetensors round trips', () => {
  it('every dtype, including views, non-contiguous, 0-d and empty tensors, loads back exactly', () => {
    const tensors = allDtypes();
    torch.save(tensors, out('all.safetensors'));
    const back = torch.load(out('all.safetensors'));
    expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
    for (const [k, t] of Object.entries(tensors)) {
      const l = back[k]!;
      expect(l.dtype, k).toBe(t.dtype);
      expect([...l.shape], k).toEqual([...t.shape]);
      expect(l.is_contiguous(), k).toBe(true);
      expect(l.requires_grad, k).toBe(false);
      expect(l.tolist(), k).toEqual(t.tolist());
    }
  });

  it('int64 is written as real little-endian int64', () => {
    torch.save({ x: torch.tensor([2 ** 53, -(2 ** 40) - 1], { dtype: torch.int64 }) }, out('i64.safetensors'));
    const buf = readFileSync(out('i64.safetensors'));
    const n = Number(buf.readBigUInt64LE(0));
    expect(JSON.parse(buf.subarray(8, 8 + n).toString()).x).toEqual({ dtype: 'I64', shape: [2], data_offsets: [0, 16] });
    expect(buf.readBigInt64LE(8 + n)).toBe(2n ** 53n);
    expect(buf.readBigInt64LE(16 + n)).toBe(-(2n ** 40n) - 1n);
  });

  it('a tensor alone, a nested record and arrays come back with their structure and plain values', () => {
    const t = torch.randn(3, 2);
    torch.save(t, out('t.safetensors'));
    const lt = torch.load<Tensor>(out('t.safetensors'));
    expect(lt).toBeInstanceOf(Tensor);
    expect(lt.tolist()).toEqual(t.tolist());

    const net = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const opt = new torch.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    net(torch.randn(5, 3)).sum().backward();
    opt.step();
    const ckpt = {
      epoch: 3, loss: NaN, best: -Infinity, name: 'run', flags: [true, null, 'x'], 'a.b': { c: torch.ones(2) },
      model: net.state_dict(), optimizer: opt.state_dict(), history: [torch.zeros(1), torch.arange(3)], empty: {},
    };
    torch.save(ckpt, out('ckpt.safetensors'));
    const back = torch.load<typeof ckpt>(out('ckpt.safetensors'));
    expect(Object.keys(back)).toEqual(Object.keys(ckpt));
    expect(back.epoch).toBe(3);
    expect(back.loss).toBeNaN();
    expect(back.best).toBe(-Infinity);
    expect(back.name).toBe('run');
    expect(back.flags).toEqual([true, null, 'x']);
    expect(back.empty).toEqual({});
    expect(back['a.b'].c.tolist()).toEqual([1, 1]);
    expect(Object.keys(back.model)).toEqual(Object.keys(ckpt.model));
    for (const [k, v] of Object.entries(ckpt.model)) expect(back.model[k]!.tolist(), k).toEqual(v.tolist());
    expect(back.history.map((x) => x.tolist())).toEqual([[0], [0, 1, 2]]);
    expect(back.history[1]!.dtype).toBe(torch.int64);
    expect(back.optimizer.param_groups).toEqual(ckpt.optimizer.param_groups);
    const opt2 = new torch.optim.SGD(net.parameters(), { lr: 0.5, momentum: 0.9 });
    opt2.load_state_dict(back.optimizer);
    expect(opt2.param_groups[0]!.lr).toBe(0.1);

    // a Python reader sees dotted names for the nested tensors
    const buf = readFileSync(out('ckpt.safetensors'));
    const header = JSON.parse(buf.subarray(8, 8 + Number(buf.readBigUInt64LE(0))).toString());
    expect(Object.keys(header)).toContain('model.0.weight');
    expect(Object.keys(header)).toContain('a.b.c');
    expect(header.__metadata__.format).toBe('pt');
  });

  it('a header whose length byte looks like a pickle opcode still reads as safetensors', () => {
    let seen = false;
    for (let i = 1; i < 40 && !seen; i++) {
      torch.save({ ['k'.repeat(i)]: torch.ones(1) }, out('len.safetensors'));
      if (readFileSync(out('len.safetensors'))[0] !== 0x80) continue;
      seen = true;
      expect(torch.load(out('len.safetensors'))['k'.repeat(i)]!.tolist()).toEqual([1]);
    }
    expect(seen).toBe(true);
  });

  it('a state dict given as a Map saves as a flat safetensors file', () => {
    torch.save(new Map([['w', torch.ones(2)]]), out('map.safetensors'));
    expect(torch.load(out('map.safetensors')).w!.tolist()).toEqual([1, 1]);
  });

  it('writes files byte-identical to the reference safetensors layout (written in Python)', () => {
    const tensors = Object.fromEntries(Object.entries(g.safetensors).map(([k, d]) => [k, build(d)]));
    torch.save(tensors, out('same.safetensors'));
    expect(Buffer.compare(readFileSync(out('same.safetensors')), readFileSync(fix('python.safetensors')))).toBe(0);
  });

  it('reads safetensors written in Python, widening float16 / bfloat16 / int8 / int16', () => {
    const st = torch.load(fix('python.safetensors'));
    expect(Object.keys(st).sort()).toEqual(Object.keys(g.safetensors).sort());
    for (const [k, d] of Object.entries(g.safetensors)) expectTensor(st[k], d, k);
    const half = torch.load(fix('half.safetensors'));
    for (const [k, d] of Object.entries(g.half)) expectTensor(half[k], d, k);
  });

  it('refuses what it cannot save, with PyTorch-style advice', () => {
    expect(() => torch.save(new nn.Linear(2, 2), out('m.safetensors'))).toThrow(/cannot save an object of type Linear; save its state_dict\(\) instead/);
    const loop: Record<string, unknown> = { a: torch.ones(1) };
    loop.self = loop;
    expect(() => torch.save(loop, out('loop.safetensors'))).toThrow(/circular reference/);
    expect(() => torch.save({ 'a.b': torch.ones(1), a: { b: torch.ones(1) } }, out('dup.safetensors'))).toThrow(/both saved under the name "a.b"/);
    expect(existsSync(out('m.safetensors'))).toBe(false);
  });
});

const py = '/usr/bin/python3';
const hasTorch = existsSync(py) && spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe('Python reads torchlab files', () => {
  it.skipIf(!hasTorch)('a file torch.save wrote here is read by a Python safetensors reader with the same values (needs /usr/bin/python3 with torch)', () => {
    const tensors = allDtypes();
    torch.save(tensors, out('forpy.safetensors'));
    const r = spawnSync(py, [join(here, 'golden', 'make_serialization.py'), 'read', out('forpy.safetensors')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout, (_k, v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v)) as {
      metadata: Record<string, string>; tensors: Record<string, Desc>;
    };
    expect(got.metadata).toEqual({ format: 'pt' });
    for (const [k, t] of Object.entries(tensors)) {
      expect(got.tensors[k]!.dtype, k).toBe(t.dtype.name);
      expect(got.tensors[k]!.shape, k).toEqual([...t.shape]);
      expect(got.tensors[k]!.values, k).toEqual(t.tolist());
    }
  });
});

/** The lecture-style MLP of make_serialization.py with an eval-mode batch norm written out. */
class MLP extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  bn = new BN(8);
  fc2 = new nn.Linear(8, 3);
  override forward(x: Tensor): Tensor {
    return this.fc2(F.relu(this.bn(this.fc1(x))));
  }
}
class BN extends nn.Module {
  declare weight: nn.Parameter;
  declare bias: nn.Parameter;
  declare running_mean: Tensor;
  declare running_var: Tensor;
  declare num_batches_tracked: Tensor;
  constructor(n: number) {
    super();
    this.weight = new nn.Parameter(torch.ones(n));
    this.bias = new nn.Parameter(torch.zeros(n));
    this.register_buffer('running_mean', torch.zeros(n));
    this.register_buffer('running_var', torch.ones(n));
    this.register_buffer('num_batches_tracked', torch.tensor(0, { dtype: torch.int64 }));
  }
  override forward(x: Tensor): Tensor {
    return x.sub(this.running_mean).div(this.running_var.add(1e-5).sqrt()).mul(this.weight).add(this.bias);
  }
}

describe('PyTorch checkpoints (.pt written by torch.save)', () => {
  it('a state dict with int64 buffers loads with its keys in order, values, and _metadata', () => {
    for (const file of ['mlp_bn.pt', 'mlp_bn_deflated.pt', 'mlp_bn_proto4.pt']) {
      const sd = torch.load(fix(file));
      expect(Object.keys(sd), file).toEqual(g.mlp_bn.keys);
      for (const [k, d] of Object.entries(g.mlp_bn.tensors)) expectTensor(sd[k], d, `${file} ${k}`);
      expect(sd['bn.num_batches_tracked']!.dtype).toBe(torch.int64);
      expect((sd as { _metadata?: unknown })._metadata, file).toEqual(g.mlp_bn.metadata);
    }
  });

  it('load_state_dict of a loaded checkpoint gives PyTorch\'s outputs', () => {
    const net = new MLP();
    const res = net.load_state_dict(torch.load(fix('mlp_bn.pt')));
    expect(res.missing_keys).toEqual([]);
    expect(res.unexpected_keys).toEqual([]);
    expect(net.bn.num_batches_tracked.item()).toBe(3);
    expect(net.bn.num_batches_tracked.dtype).toBe(torch.int64);
    const x = torch.tensor(g.mlp_bn.input as number[][]);
    expectClose(torch.no_grad(() => net(x)).tolist(), g.mlp_bn.output, 1e-5, 1e-6, 'mlp_bn output');

    const seq = new nn.Sequential(new nn.Linear(4, 6), new nn.ReLU(), new nn.Linear(6, 2));
    seq.load_state_dict(torch.load(fix('sequential.pt'), { map_location: 'cpu' }));
    expectClose(torch.no_grad(() => seq(torch.tensor(g.sequential.input as number[][]))).tolist(), g.sequential.output, 1e-5, 1e-6, 'sequential output');
    expect(() => new nn.Sequential(new nn.Linear(4, 6)).load_state_dict(torch.load(fix('sequential.pt')))).toThrow(/Unexpected key\(s\) in state_dict: "2.weight", "2.bias"/);
  });

  it('every dtype, with strides, offsets and shared storage kept as saved', () => {
    const d = torch.load(fix('dtypes.pt'));
    expect(Object.keys(d)).toEqual(Object.keys(g.dtypes));
    for (const [k, desc] of Object.entries(g.dtypes)) {
      expectTensor(d[k], desc, k);
      expect(d[k]!.stride(), `${k} stride`).toEqual(desc.stride);
      expect(d[k]!.storage_offset(), `${k} offset`).toBe(desc.offset);
    }
    // views saved together share their storage after loading, as in PyTorch
    d.base!.fill_(1);
    expect(d.transposed!.sum().item()).toBe(24);
    expect(d.row!.tolist()).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('a training checkpoint: plain Python values, tuples, bytes, an optimizer state dict', () => {
    const c = torch.load<Record<string, unknown>>(fix('checkpoint.pt'));
    const e = g.checkpoint;
    for (const k of ['epoch', 'loss', 'name', 'done', 'note', 'betas', 'big', 'neg', 'history'] as const) expect(c[k], k).toEqual(e[k]);
    expect(c.raw).toBeInstanceOf(Uint8Array);
    expect([...(c.raw as Uint8Array)]).toEqual(e.raw);
    const opt = c.optimizer as { state: Record<string, { momentum_buffer: Tensor }>; param_groups: unknown[] };
    expect(opt.param_groups).toEqual(e.param_groups);
    expect(Object.keys(opt.state)).toEqual(e.state_keys);
    expectTensor(opt.state[0]!.momentum_buffer, e.momentum_buffer_0, 'momentum_buffer');
    const seq = new nn.Sequential(new nn.Linear(4, 6), new nn.ReLU(), new nn.Linear(6, 2));
    seq.load_state_dict(c.model as Record<string, Tensor>);
  });

  it('a Parameter and a tensor saved alone', () => {
    const p = torch.load<nn.Parameter>(fix('parameter.pt'));
    expect(p).toBeInstanceOf(nn.Parameter);
    expect(p.requires_grad).toBe(true);
    expect(p.tolist()).toEqual([[1, 2], [3, 4]]);
    const t = torch.load<Tensor>(fix('tensor.pt'));
    expect(t.dtype).toBe(torch.int64);
    expect(t.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
    const b = torch.load<Tensor>(readFileSync(fix('tensor.pt')));
    expect(b.tolist()).toEqual([[0, 1, 2], [3, 4, 5]]);
  });

  it.skipIf(!torch.cuda.is_available())('map_location: cuda moves every tensor (needs a WebGPU adapter)', () => {
    const sd = torch.load(fix('mlp_bn.pt'), { map_location: 'cuda' });
    for (const [k, d] of Object.entries(g.mlp_bn.tensors)) {
      expect(sd[k]!.device.type, k).toBe('cuda');
      expectClose(sd[k]!.tolist(), d.values, 0, 0, k);
    }
    // and cuda tensors save like CPU ones
    torch.save(sd, out('cuda.safetensors'));
    const back = torch.load(out('cuda.safetensors'));
    for (const [k, d] of Object.entries(g.mlp_bn.tensors)) expectTensor(back[k], d, k);
  });
});

describe('errors name the file and never run pickled code', () => {
  it('a pickle calling os.system is refused before anything runs', () => {
    rmSync('/tmp/torchlab_pwned', { force: true });
    expect(() => torch.load(fix('evil.pt'))).toThrow(
      /Weights only load failed: Unsupported global: GLOBAL posix\.system was not an allowed global \(file ".*evil\.pt", pickle byte \d+\)\. torchlab reads tensors/,
    );
    expect(existsSync('/tmp/torchlab_pwned')).toBe(false);
    expect(() => torch.load(fix('counter.pt'))).toThrow(/Unsupported global: GLOBAL collections\.Counter .*counter\.pt/);
  });

  it('opcodes that build arbitrary objects are refused', () => {
    // tensor.pt with its pickle's first opcode after PROTO turned into NEWOBJ, CRC fixed up
    const buf = Buffer.from(readFileSync(fix('tensor.pt')));
    const name = Buffer.from('tensor/data.pkl');
    const local = buf.indexOf(name) - 30;
    const central = buf.lastIndexOf(name) - 46;
    const start = local + 30 + name.length + buf.readUInt16LE(local + 28);
    const size = buf.readUInt32LE(central + 24);
    expect(buf[start + 2]).toBe(0x63); // GLOBAL
    buf[start + 2] = 0x81;
    buf.writeUInt32LE(zlib.crc32(buf.subarray(start, start + size)), central + 16);
    writeFileSync(out('newobj.pt'), buf);
    expect(() => torch.load(out('newobj.pt'))).toThrow(/Weights only load failed: Unsupported operand NEWOBJ \(file ".*newobj\.pt", pickle byte 2\)/);
  });

  it('the legacy format and bare pickles get a clear message', () => {
    expect(() => torch.load(fix('legacy.pt'))).toThrow(/legacy\.pt" was saved in PyTorch's legacy format/);
    writeFileSync(out('bare.pkl'), Buffer.from([0x80, 0x02, 0x4e, 0x2e]));
    expect(() => torch.load(out('bare.pkl'))).toThrow(/bare\.pkl" is a bare pickle/);
  });

  it('truncated and corrupt checkpoints', () => {
    const buf = readFileSync(fix('mlp_bn.pt'));
    writeFileSync(out('half.pt'), buf.subarray(0, buf.length >> 1));
    expect(() => torch.load(out('half.pt'))).toThrow(/PytorchStreamReader failed reading zip archive: failed finding central directory \(file ".*half\.pt"/);
    const flipped = Buffer.from(buf);
    const header = flipped.indexOf(Buffer.from('mlp_bn/data/0')) - 30; // the first storage's local header
    const at = header + 30 + 'mlp_bn/data/0'.length + flipped.readUInt16LE(header + 28) + 5;
    flipped[at] = flipped[at]! ^ 0xff;
    writeFileSync(out('flipped.pt'), flipped);
    expect(() => torch.load(out('flipped.pt'))).toThrow(/invalid crc-32 of entry mlp_bn\/data\/\d \(file ".*flipped\.pt"/);
    const renamed = Buffer.from(buf.toString('latin1').replaceAll('mlp_bn/data.pkl', 'mlp_bn/data.pkx'), 'latin1');
    writeFileSync(out('nopkl.pt'), renamed);
    expect(() => torch.load(out('nopkl.pt'))).toThrow(/data\.pkl: file not found \(file ".*nopkl\.pt" is a zip archive but not a PyTorch checkpoint\)/);
    expect(() => torch.load(out('does-not-exist.pt'))).toThrow(/ENOENT.*does-not-exist\.pt/);
  });

  it('truncated and corrupt safetensors files', () => {
    torch.save({ w: torch.ones(4) }, out('ok.safetensors'));
    const buf = readFileSync(out('ok.safetensors'));
    const bad = (name: string, bytes: Uint8Array, msg: RegExp): void => {
      writeFileSync(out(name), bytes);
      expect(() => torch.load(out(name)), name).toThrow(msg);
    };
    bad('tiny.safetensors', buf.subarray(0, 5), /HeaderTooSmall.*tiny\.safetensors" is not a valid safetensors file/);
    bad('cut.safetensors', buf.subarray(0, 20), /InvalidHeaderLength.*cut\.safetensors/);
    bad('short.safetensors', buf.subarray(0, buf.length - 4), /MetadataIncompleteBuffer: the tensors span 16 bytes but the file holds 12.*short\.safetensors/);
    const big = Buffer.from(buf);
    big.writeBigUInt64LE(2n ** 40n, 0);
    bad('big.safetensors', big, /HeaderTooLarge/);
    const json = Buffer.from(buf);
    json[8] = 0x5b; // '[' where '{' was
    bad('json.safetensors', json, /InvalidHeaderDeserialization/);
    const offs = Buffer.from(buf.toString('latin1').replace('"data_offsets":[0,16]', '"data_offsets":[0,12]'), 'latin1');
    bad('offs.safetensors', offs, /TensorInvalidInfo: tensor "w" of shape \[4\] and dtype F32 cannot span 12 bytes/);
    const dtype = Buffer.from(buf.toString('latin1').replace('"F32"', '"C64"'), 'latin1');
    bad('dtype.safetensors', dtype, /tensor "w" has unsupported dtype "C64"/);
  });
});
