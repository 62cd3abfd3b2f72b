/**
 * Random numbers on 'cuda': drawn on the device by Philox4x32-10 (known-answer vectors, and a
 * host reference of the counter layout), seeded by torch.manual_seed / torch.cuda.manual_seed,
 * reproducible, with the right distributions, and never uploaded from the host.
 */

import { describe, expect, it } from 'vitest';
import torch, { F } from '../../lib/index.js';
import { _deviceStats, _philoxWords } from '../../lib/backends/webgpu/client.js';
import { expectSame, hasGpu, requireAdapterInCI, skipReason } from './setup.js';

requireAdapterInCI();

/** 32x32 -> 64-bit product as [hi, lo], exactly. */
function mulhilo(a: number, b: number): [number, number] {
  const p = BigInt(a) * BigInt(b);
  return [Number(p >> 32n), Number(p & 0xffffffffn)];
}

/** Host reference of Philox4x32-10 (Random123's philox4x32 with 10 rounds). */
function philox(ctr: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = ctr as [number, number, number, number];
  let [k0, k1] = key as [number, number];
  for (let r = 0; r < 10; r++) {
    const [h0, l0] = mulhilo(0xd2511f53, c0);
    const [h1, l1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(h1 ^ c1 ^ k0) >>> 0, l1, (h0 ^ c3 ^ k1) >>> 0, l0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

const hex = (ws: readonly number[]) => ws.map((w) => w.toString(16).padStart(8, '0')).join(' ');
const keyOf = (seed: bigint) => [Number(seed & 0xffffffffn), Number(seed >> 32n)];
const ctrOf = (i: number, offset: number) => [i, 0, offset % 2 ** 32, Math.floor(offset / 2 ** 32)];

describe('Philox4x32-10 host reference', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(philox([0, 0, 0, 0], [0, 0]))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(hex(philox([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe('d16cfe09 94fdcceb 5001e420 24126ea1');
  });
});

describe.skipIf(!hasGpu)(`random numbers drawn on the cuda device${skipReason}`, () => {
  it('the WGSL Philox gives the reference words for every counter, seed and offset', () => {
    expect(hex([..._philoxWords(0n, 0, 1)])).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    for (const [seed, offset, blocks] of [[0n, 0, 300], [0xa4093822299f31d0n, 7, 70], [2n ** 64n - 1n, 2 ** 33 + 5, 5]] as const) {
      const got = _philoxWords(seed, offset, blocks);
      for (let k = 0; k < blocks; k++) {
        expect(hex([...got.subarray(4 * k, 4 * k + 4)]), `seed ${seed} offset ${offset} block ${k}`).toBe(hex(philox(ctrOf(k, offset), keyOf(seed))));
      }
    }
  });

  it('rand is the 24-bit uniform of each element\'s first word; each call takes the next offset', () => {
    torch.manual_seed(1234);
    const a = torch.rand([3, 5], { device: 'cuda' });
    const b = torch.rand([7], { device: 'cuda' });
    const u = (i: number, offset: number) => (philox(ctrOf(i, offset), keyOf(1234n))[0]! >>> 8) / 2 ** 24;
    expect(a.cpu().reshape(-1).tolist()).toEqual(Array.from({ length: 15 }, (_, i) => u(i, 0)));
    expect(b.cpu().tolist()).toEqual(Array.from({ length: 7 }, (_, i) => u(i, 1)));
    // randn: Box-Muller on the first two words
    torch.manual_seed(1234);
    const n = torch.randn([6], { device: 'cuda' }).cpu().tolist() as number[];
    n.forEach((v, i) => {
      const [w0, w1] = philox(ctrOf(i, 0), keyOf(1234n)) as [number, number];
      const e = Math.sqrt(-2 * Math.log(((w0 >>> 8) + 1) / 2 ** 24)) * Math.cos(2 * Math.PI * ((w1 >>> 8) / 2 ** 24));
      expect(Math.abs(v - e), `randn[${i}] = ${v}, expected ${e}`).toBeLessThan(1e-4);
    });
  });

  it('samples are made on the device: one dispatch, nothing uploaded or read', () => {
    const x = torch.empty([1000], { device: 'cuda' });
    const draws: [string, () => unknown][] = [
      ['uniform_', () => x.uniform_(-1, 2)], ['normal_', () => x.normal_(3, 0.5)], ['bernoulli_', () => x.bernoulli_(0.25)],
      ['random_', () => x.random_(5, 17)], ['rand', () => torch.rand([10, 10], { device: 'cuda' })],
      ['randn', () => torch.randn([33], { device: 'cuda' })], ['randint', () => torch.randint(0, 10, [64], { device: 'cuda' })],
      ['dropout', () => F.dropout(x, 0.3)],
    ];
    for (const [what, f] of draws) {
      const before = _deviceStats();
      f();
      const after = _deviceStats();
      expect(after.uploads - before.uploads, `${what} uploads`).toBe(0);
      expect(after.reads - before.reads, `${what} reads`).toBe(0);
      expect(after.dispatches - before.dispatches, `${what} dispatches`).toBeGreaterThanOrEqual(1);
    }
  });

  it('reproducible: torch.manual_seed and torch.cuda.manual_seed replay; the cuda stream is separate from the cpu one', () => {
    const draw = () => [torch.rand([4], { device: 'cuda' }), torch.randn([20], { device: 'cuda' }), torch.randint(-5, 5, [9], { device: 'cuda' }), F.dropout(torch.ones([30], { device: 'cuda' }), 0.5)];
    torch.manual_seed(7);
    const a = draw();
    torch.manual_seed(7);
    const b = draw();
    a.forEach((t, i) => expectSame(b[i]!, t.cpu(), 0, 0, `replay ${i}`));
    torch.cuda.manual_seed(7);
    const c = draw();
    a.forEach((t, i) => expectSame(c[i]!, t.cpu(), 0, 0, `cuda.manual_seed replay ${i}`));
    // torch.cuda.manual_seed leaves the CPU stream alone
    torch.manual_seed(3);
    const cpu1 = torch.rand([3]).tolist();
    torch.manual_seed(3);
    torch.cuda.manual_seed(99);
    expect(torch.rand([3]).tolist()).toEqual(cpu1);
    expect(torch.cuda.initial_seed()).toBe(99);
    // get/set_rng_state: 16 bytes of seed and offset
    const s = torch.cuda.get_rng_state();
    expect(s.dtype).toBe(torch.uint8);
    expect(s.numel()).toBe(16);
    const x = torch.randn([8], { device: 'cuda' }).cpu();
    torch.cuda.set_rng_state(s);
    expectSame(torch.randn([8], { device: 'cuda' }), x, 0, 0, 'set_rng_state replay');
    // an explicit cuda Generator
    const g = new torch.Generator('cuda').manual_seed(7);
    expectSame(torch.rand([4], { device: 'cuda', generator: g }), a[0]!.cpu(), 0, 0, 'generator');
    expect(() => torch.rand([4], { generator: g })).toThrow("Expected a 'cpu' device type for generator but found 'cuda'");
  });

  it('distributions: moments, ranges, every integer of a randint range, bernoulli with tensor p', () => {
    torch.manual_seed(0);
    const n = torch.randn([200_000], { device: 'cuda' });
    expect(Math.abs(n.mean().item())).toBeLessThan(0.01);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.01);
    expect(n.isfinite().all().item()).toBe(1);
    const m = torch.empty([100_000], { device: 'cuda' }).normal_(5, 0.25);
    expect(Math.abs(m.mean().item() - 5)).toBeLessThan(0.01);
    expect(Math.abs(m.std().item() - 0.25)).toBeLessThan(0.005);
    const u = torch.empty([100_000], { device: 'cuda' }).uniform_(-2, 3);
    expect(u.min().item()).toBeGreaterThanOrEqual(-2);
    expect(u.max().item()).toBeLessThan(3);
    expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.02);
    const r = torch.randint(-3, 4, [20_000], { device: 'cuda' });
    expect(r.dtype).toBe(torch.int64);
    expect([...new Set(r.tolist() as number[])].sort((x, y) => x - y)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(Math.abs(r.float().mean().item())).toBeLessThan(0.05);
    const ib = torch.empty([1000], { dtype: torch.uint8, device: 'cuda' }).random_(250, 256);
    expect(ib.min().item()).toBe(250);
    expect(ib.max().item()).toBe(255);
    const bp = torch.empty([100_000], { device: 'cuda' }).bernoulli_(0.3);
    expect(Math.abs(bp.mean().item() - 0.3)).toBeLessThan(0.01);
    expect(torch.empty([100], { device: 'cuda' }).bernoulli_(1).sum().item()).toBe(100);
    expect(torch.empty([100], { device: 'cuda' }).bernoulli_(0).sum().item()).toBe(0);
    const p = torch.tensor([0, 0.2, 0.9, 1], { dtype: torch.float32 }).repeat([25_000, 1]).cuda();
    const bt = torch.bernoulli(p);
    expect(bt.device.type).toBe('cuda');
    expectSame(bt.mean(0), torch.tensor([0, 0.2, 0.9, 1], { dtype: torch.float32 }), 0, 0.01, 'bernoulli(p) means');
    expect(() => torch.bernoulli(torch.tensor([0.5, 1.5], { dtype: torch.float32, device: 'cuda' }))).toThrow(/Expected p_in >= 0 && p_in <= 1/);
    const boolOut = torch.empty([50], { dtype: torch.bool, device: 'cuda' }).bernoulli_(0.5);
    expect(boolOut.dtype).toBe(torch.bool);
  });

  it('fills strided views in place, leaving the rest alone', () => {
    const x = torch.zeros([6, 8], { device: 'cuda' });
    x.get(':', '1::2').T.uniform_(5, 6);
    const c = x.cpu();
    expect(c.get(':', '0::2').eq(0).all().item()).toBe(1);
    const filled = c.get(':', '1::2');
    expect(filled.ge(5).logical_and(filled.lt(6)).all().item()).toBe(1);
    expect(new Set(filled.reshape(-1).tolist() as number[]).size).toBe(24);
    // bernoulli_ with probabilities from the tensor itself
    const y = torch.full([4, 4], 1, { dtype: torch.float32, device: 'cuda' });
    y.get(0).fill_(0);
    y.bernoulli_(y);
    expect(y.sum().item()).toBe(12);
  });
});
