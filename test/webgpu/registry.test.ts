/**
 * No silent CPU fallback on 'cuda': walks every Backend method and every definition of the
 * elementwise op table, runs each on the WebGPU backend and on the CPU backend with the same
 * operands, and checks that the cuda run dispatched GPU work without reading anything back
 * (and uploading only where the method is an upload) and gave the CPU's values.
 */

import { describe, expect, it } from 'vitest';
import torch, { type Tensor } from '../../lib/index.js';
import type { Backend, View } from '../../lib/backend.js';
import { backendFor } from '../../lib/device.js';
import type { DType } from '../../lib/dtype.js';
import { allPointwiseDefs } from '../../lib/ops/pointwise.js';
import { _deviceStats, webgpuBackend } from '../../lib/backends/webgpu/client.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

/** Every method of the Backend interface; the type below fails to compile when one is added and not listed. */
const METHODS = [
  'alloc', 'fromArray', 'read', 'pointwise', 'reduce', 'argreduce', 'scan', 'sort', 'matmul', 'take', 'put', 'write', 'random',
  'softmax', 'softmaxBackward', 'nllLoss', 'nllLossBackward', 'checkIndex', 'putMultiply',
] as const;
/** Optional speed-ups whose absence leaves the work to the op table's kernels on the same device (donate: memory reuse). */
type DeviceNeutral = 'fusedOptim' | 'nn' | 'indexSelect' | 'addmm' | 'donate';
type Unlisted = Exclude<keyof Backend, 'type' | DeviceNeutral | (typeof METHODS)[number]>;
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;

type Dev = 'cpu' | 'cuda';
const contiguous = (shape: readonly number[]): number[] => {
  const s: number[] = [];
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
};
/** A fresh contiguous view of `shape` on the backend of `dev`. */
function fresh(dev: Dev, dtype: DType, shape: readonly number[]): View {
  const n = shape.reduce((a, b) => a * b, 1);
  return { storage: be(dev).alloc(dtype, n, 0), dtype, shape, strides: contiguous(shape), offset: 0 };
}
const be = (dev: Dev): Backend => backendFor(torch.device(dev));
/** A tensor's view, as kernels see it. */
const viewOf = (t: Tensor): View => ({ storage: t._storage, dtype: t.dtype, shape: t._shape, strides: t._strides, offset: t._offset });
/** The values of a view as a cpu tensor. */
const valuesOf = (dev: Dev, v: View): Tensor => torch.tensor(Array.from(be(dev).read(v)), { dtype: v.dtype }).reshape([...v.shape]);

/**
 * `prepare(dev)` makes the operands and returns the call; the call runs on cuda, counting device
 * work, then on cpu, and the views it returns are compared.
 */
function walk(what: string, prepare: (dev: Dev) => () => View[], expect_: { uploads?: number; reads?: number; dispatches?: boolean | number } = {}): void {
  const run = prepare('cuda');
  const s0 = _deviceStats();
  const gpu = run();
  const s1 = _deviceStats();
  expect(s1.reads - s0.reads, `${what}: reads back to the host`).toBe(expect_.reads ?? 0);
  expect(s1.uploads - s0.uploads, `${what}: uploads`).toBe(expect_.uploads ?? 0);
  const d = expect_.dispatches ?? true;
  if (typeof d === 'number') expect(s1.dispatches - s0.dispatches, `${what}: GPU dispatches`).toBe(d);
  else if (d) expect(s1.dispatches - s0.dispatches, `${what}: GPU dispatches`).toBeGreaterThan(0);
  const cpu = prepare('cpu')();
  cpu.forEach((c, i) => expectSame(valuesOf('cuda', gpu[i]!).cuda(), valuesOf('cpu', c), 1e-5, 1e-5, `${what} [${i}]`));
}

describe(`the Backend interface is walked completely`, () => {
  it('lists every method', () => {
    expect(allListed).toBe(true);
    for (const m of METHODS) expect(typeof webgpuBackend[m], `webgpuBackend.${m}`).toBe('function');
  });
});

describe.skipIf(!hasGpu)(`every Backend method runs on the GPU${skipReason}`, () => {
  const data = (dev: Dev, shape: number[], seed = 0) => {
    torch.manual_seed(seed);
    return torch.randn(shape).to(dev);
  };

  it('alloc, fromArray, write, read', () => {
    walk('alloc', (dev) => () => [fresh(dev, torch.float32, [0])], { dispatches: false });
    walk('fromArray', (dev) => () => [{ storage: be(dev).fromArray(torch.int32, Int32Array.from([3, -4, 5]), 0), dtype: torch.int32, shape: [3], strides: [1], offset: 0 }], { uploads: 1, dispatches: false });
    walk('write contiguous', (dev) => {
      const v = fresh(dev, torch.float32, [4]);
      return () => {
        be(dev).write(v, Float32Array.from([1, 2, 3, 4]));
        return [v];
      };
    }, { uploads: 1, dispatches: false });
    walk('write strided', (dev) => {
      const t = torch.zeros([3, 4], { device: dev });
      return () => {
        be(dev).write(viewOf(t.T), Float32Array.from({ length: 12 }, (_, i) => i));
        return [viewOf(t)];
      };
    }, { uploads: 1, dispatches: true });
    const s0 = _deviceStats();
    expect(Array.from(webgpuBackend.read(viewOf(torch.arange(5, { device: 'cuda' }).get('1::2'))))).toEqual([1, 3]);
    expect(_deviceStats().reads - s0.reads).toBe(1);
  });

  it('pointwise, reduce, argreduce, scan, sort, matmul, take, put, random', () => {
    const id = { key: 'walk_identity', f: <V>(_A: unknown, x: V) => x };
    walk('pointwise', (dev) => {
      const out = fresh(dev, torch.float32, [3, 4]);
      const x = viewOf(data(dev, [4, 3]).T);
      return () => (be(dev).pointwise(id, out, [x]), [out]);
    });
    walk('reduce', (dev) => {
      const out = fresh(dev, torch.float32, [3]);
      const x = viewOf(data(dev, [3, 5, 70]));
      return () => (be(dev).reduce('sum', x, out, 2), [out]);
    });
    walk('argreduce', (dev) => {
      const vals = fresh(dev, torch.float32, [4]);
      const idx = fresh(dev, torch.int64, [4]);
      const x = viewOf(data(dev, [4, 9]));
      return () => (be(dev).argreduce('max', x, vals, idx), [vals, idx]);
    });
    walk('scan', (dev) => {
      const out = fresh(dev, torch.float32, [2, 6]);
      const idx = fresh(dev, torch.int64, [2, 6]);
      const x = viewOf(data(dev, [2, 6]));
      return () => (be(dev).scan('cummax', x, out, idx), [out, idx]);
    });
    walk('sort', (dev) => {
      const vals = fresh(dev, torch.float32, [3, 7]);
      const idx = fresh(dev, torch.int64, [3, 7]);
      const x = viewOf(data(dev, [3, 7]).round());
      return () => (be(dev).sort(x, vals, idx, true), [vals, idx]);
    });
    walk('matmul', (dev) => {
      const out = fresh(dev, torch.float32, [2, 5, 3]);
      const a = viewOf(data(dev, [2, 5, 4], 1));
      const b = viewOf(data(dev, [2, 3, 4], 2).transpose(1, 2));
      return () => (be(dev).matmul(a, b, out), [out]);
    });
    walk('take', (dev) => {
      const out = fresh(dev, torch.float32, [4]);
      const src = data(dev, [10])._storage;
      const offs = viewOf(torch.tensor([9, 0, 3, 3], { device: dev }));
      return () => (be(dev).take(src, offs, out), [out]);
    });
    walk('put accumulate', (dev) => {
      const dst = torch.zeros([5], { device: dev });
      const offs = viewOf(torch.tensor([1, 1, 4], { device: dev }));
      const vals = viewOf(torch.tensor([2, 3.5, -1], { device: dev }));
      return () => (be(dev).put(dst._storage, offs, vals, true), [viewOf(dst)]);
    });
    // the CPU backend has no device sampler: compare the distribution's support only
    const s0 = _deviceStats();
    const r = fresh('cuda', torch.float32, [1000]);
    webgpuBackend.random!({ dist: 'uniform', from: 2, to: 3 }, r, 5n, 0);
    expect(_deviceStats().dispatches - s0.dispatches).toBe(1);
    const v = valuesOf('cuda', r);
    expect(v.ge(2).logical_and(v.lt(3)).all().item()).toBe(1);
    expect(be('cpu').random).toBeUndefined();
  });

  it('the fused softmax and nll kernels: one dispatch each, no host traffic, the composed ops\' values', () => {
    // the CPU backend has none of them: the reference is the composed op on the CPU
    const fusedOnce = (what: string, f: () => View[], ref: Tensor[]) => {
      const s0 = _deviceStats();
      const out = f();
      const s1 = _deviceStats();
      expect([s1.dispatches - s0.dispatches, s1.reads - s0.reads, s1.uploads - s0.uploads], `${what}: dispatches, reads, uploads`).toEqual([1, 0, 0]);
      out.forEach((v, i) => expectSame(valuesOf('cuda', v).cuda(), ref[i]!, 1e-5, 1e-6, `${what} [${i}]`));
    };
    const x = data('cpu', [5, 3, 7]);
    const xg = x.cuda();
    // rows along dim 1 (a strided view with the row dim last)
    const rows = (t: Tensor) => viewOf(t.transpose(1, 2));
    for (const log of [false, true]) {
      const o = torch.empty([5, 3, 7], { device: 'cuda' });
      fusedOnce(`softmax log=${log}`, () => (webgpuBackend.softmax!(rows(xg), rows(o), log), [viewOf(o)]), [log ? x.log_softmax(1) : x.softmax(1)]);
      const y = log ? x.log_softmax(1) : x.softmax(1);
      const g = data('cpu', [5, 3, 7], 3);
      const gi = torch.empty([5, 3, 7], { device: 'cuda' });
      const ref = log ? g.sub(y.exp().mul(g.sum(1, true))) : y.mul(g.sub(g.mul(y).sum(1, true)));
      const [gg, yg] = [g.cuda(), y.cuda()];
      fusedOnce(`softmaxBackward log=${log}`, () => (webgpuBackend.softmaxBackward!(rows(gg), rows(yg), rows(gi), log), [viewOf(gi)]), [ref]);
    }
    const logits = data('cpu', [6, 4], 4);
    const target = torch.tensor([0, 3, -100, 1, 2, 3]);
    const weight = torch.tensor([1, 2, 0.5, 3], { dtype: torch.float32 });
    const lg = logits.cuda();
    const tg = target.cuda();
    const wg = weight.cuda();
    const loss = torch.empty([6], { device: 'cuda' });
    const w = torch.empty([6], { device: 'cuda' });
    const safe = target.clamp_min(0);
    const wRef = weight.get(safe).mul(target.ne(-100));
    const lossRef = logits.gather(1, safe.unsqueeze(1)).squeeze(1).mul(wRef).neg();
    fusedOnce('nllLoss', () => (webgpuBackend.nllLoss!(viewOf(lg), viewOf(tg), viewOf(wg), -100, viewOf(loss), viewOf(w)), [viewOf(loss), viewOf(w)]), [lossRef, wRef]);
    // the gradient: -w·scale at the target class; scale broadcast from one value
    const gi = torch.empty([6, 4], { device: 'cuda' });
    const scale = torch.tensor(0.25, { dtype: torch.float32 }).cuda();
    const scaleView = { ...viewOf(scale), shape: [6], strides: [0] };
    const giRef = torch.zeros([6, 4]).scatter(1, safe.unsqueeze(1), wRef.mul(-0.25).unsqueeze(1));
    fusedOnce('nllLossBackward', () => (webgpuBackend.nllLossBackward!(viewOf(tg), viewOf(w), scaleView, -100, viewOf(gi)), [viewOf(gi)]), [giRef]);
  });

  it('the index check and putMultiply: one dispatch each, no host traffic, the values the host computes', () => {
    // the CPU backend has neither: it checks indices by reading them, and multiplies in rounds
    expect([be('cpu').checkIndex, be('cpu').putMultiply]).toEqual([undefined, undefined]);
    const once = (what: string, f: () => View, ref: number[]) => {
      const s0 = _deviceStats();
      const out = f();
      const s1 = _deviceStats();
      expect([s1.dispatches - s0.dispatches, s1.reads - s0.reads, s1.uploads - s0.uploads], `${what}: dispatches, reads, uploads`).toEqual([1, 0, 0]);
      expect(Array.from(webgpuBackend.read(out)), what).toEqual(ref);
    };
    // a transposed int64 index, negatives wrapped: [[0, 2], [-3, -1]] in [-3, 3)
    const idx = torch.tensor([[0, -3], [2, -1]], { device: 'cuda' });
    const out = torch.empty([2, 2], { dtype: torch.int64, device: 'cuda' });
    once('checkIndex wrap', () => (webgpuBackend.checkIndex!(viewOf(idx.T), viewOf(out), 3, true, { kind: 'bounds', dim: 0 }), viewOf(out)), [0, 2, 0, 2]);
    // int32 without wrap: a negative index is out of range, becomes 0 and is raised at the next read
    const i32 = torch.tensor([1, -1, 4], { dtype: torch.int32, device: 'cuda' });
    const o32 = torch.empty([3], { dtype: torch.int32, device: 'cuda' });
    torch.cuda.synchronize();
    const s0 = _deviceStats();
    webgpuBackend.checkIndex!(viewOf(i32), viewOf(o32), 5, false, { kind: 'range', dim: 2 });
    expect(_deviceStats().reads - s0.reads).toBe(0);
    expect(() => torch.cuda.synchronize()).toThrow(/device-side assert triggered: index out of range in self \(index -1, dimension 2 with size 5\)/);
    expect(Array.from(webgpuBackend.read(viewOf(o32)))).toEqual([1, 0, 4]);
    // repeated offsets multiply up, float32 and int32
    for (const dtype of [torch.float32, torch.int32]) {
      const dst = torch.full([5], 1, { dtype, device: 'cuda' });
      const offs = torch.tensor([1, 4, 1], { device: 'cuda' });
      const vals = torch.tensor([2, -1, 3], { dtype, device: 'cuda' });
      once(`putMultiply ${dtype.name}`, () => (webgpuBackend.putMultiply!(dst._storage, viewOf(offs), viewOf(vals)), viewOf(dst)), [1, 6, 1, 1, -1]);
    }
  });
});

describe.skipIf(!hasGpu)(`every definition of the elementwise op table compiles to WGSL and runs on the GPU${skipReason}`, () => {
  it('float32 and int32 operands, one dispatch each, the CPU kernel\'s values', () => {
    const defs = allPointwiseDefs();
    expect(defs.length).toBeGreaterThan(80);
    defs.forEach((def, i) => {
      const arity = def.f.length - 1;
      const fn = { key: `walk${i}_${def.name}`, f: def.f };
      for (const dtype of [torch.float32, torch.int32]) {
        const outDtype = def.kind === 'bool' ? torch.bool : def.kind === 'float' ? torch.float32 : dtype;
        const operands = (dev: Dev) =>
          Array.from({ length: arity }, (_, k) => {
            torch.manual_seed(k + 1);
            const x = torch.rand([4, 5]).mul(4).sub(2);
            return (dtype === torch.int32 ? x.mul(2).round().to(dtype) : x).to(dev);
          });
        walk(`${def.name} (${def.node}) ${dtype.name}`, (dev) => {
          const out = fresh(dev, outDtype, [4, 5]);
          // the first operand transposed, so every kernel also walks a strided view
          const xs = operands(dev).map((t, k) => (k === 0 ? viewOf(t.T.contiguous().T) : viewOf(t)));
          return () => (be(dev).pointwise(fn, out, xs), [out]);
        }, { dispatches: 1 });
      }
    });
  });
});
