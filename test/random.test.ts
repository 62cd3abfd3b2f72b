import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import torch, { Tensor, type DType } from '../lib/index.js';

// ---- goldens from test/golden/make_random.py (PyTorch 1.13's CPU generator) ----

interface TensorSpec {
  values: number[];
  shape: number[];
  dtype?: string;
}
interface Op {
  fn: string;
  seed?: number | string;
  name?: string;
  gen?: string;
  label?: string;
  size?: number[];
  dtype?: string;
  low?: number;
  high?: number;
  n?: number;
  base?: number[];
  perm?: number[];
  narrow?: [number, number, number];
  from?: number;
  to?: number;
  mean?: number | TensorSpec;
  std?: number | TensorSpec;
  lambd?: number;
  args?: (number | null)[];
  p?: number | TensorSpec;
  input?: TensorSpec;
  scalar_p?: number;
  replacement?: boolean;
}
interface TensorResult {
  shape: number[];
  stride: number[];
  dtype: string;
  values?: number[];
  sha256?: string;
}
type Result = TensorResult | { int: number } | null;
interface Case {
  name: string;
  ops: Op[];
  results: Result[];
  exact: boolean;
}
interface Golden {
  cases: Case[];
  pytorch_state: { bytes: number[]; after: number[] };
}

const golden = JSON.parse(readFileSync(new URL('./golden/random.json', import.meta.url), 'utf8')) as Golden;

const DT: Record<string, DType> = {
  float32: torch.float32, float64: torch.float64, int32: torch.int32, int64: torch.int64, uint8: torch.uint8, bool: torch.bool,
};

const tensorOf = (s: TensorSpec): Tensor => torch.tensor(s.values, { dtype: DT[s.dtype ?? 'float32'] }).reshape(s.shape);

function target(op: Op): Tensor {
  let x = torch.empty(op.base!, { dtype: DT[op.dtype ?? 'float32'] });
  if (op.perm) x = x.permute(op.perm);
  if (op.narrow) x = x.narrow(...op.narrow);
  return x;
}

/** Runs one golden op as the Python script does. */
function run(op: Op, gens: Map<string, InstanceType<typeof torch.Generator>>, saved: Map<string, Tensor>): Tensor | number | null {
  const g = op.gen !== undefined ? gens.get(op.gen)! : undefined;
  const gopt = { generator: g };
  const dtype = op.dtype !== undefined ? DT[op.dtype] : undefined;
  switch (op.fn) {
    case 'seed':
      torch.manual_seed(typeof op.seed === 'string' ? BigInt(op.seed) : op.seed!);
      return null;
    case 'new_gen':
      gens.set(op.name!, new torch.Generator().manual_seed(op.seed as number));
      return null;
    case 'rand':
      return torch.rand(op.size!, { dtype, generator: g });
    case 'randn':
      return torch.randn(op.size!, { dtype, generator: g });
    case 'randint':
      return torch.randint(op.low!, op.high!, op.size!, { dtype, generator: g });
    case 'randperm':
      return torch.randperm(op.n!, { dtype, generator: g });
    case 'uniform_':
      return target(op).uniform_(op.from, op.to, gopt);
    case 'normal_':
      return target(op).normal_(op.mean as number, op.std as number, gopt);
    case 'exponential_':
      return target(op).exponential_(op.lambd, gopt);
    case 'random_': {
      const [a, b] = op.args!;
      return target(op).random_(a ?? undefined, op.args!.length > 1 ? b : undefined, gopt);
    }
    case 'bernoulli_':
      return target(op).bernoulli_(typeof op.p === 'number' ? op.p : tensorOf(op.p!), gopt);
    case 'bernoulli':
      return op.scalar_p !== undefined ? torch.bernoulli(tensorOf(op.input!), op.scalar_p, gopt) : torch.bernoulli(tensorOf(op.input!), gopt);
    case 'multinomial':
      return torch.multinomial(tensorOf(op.input!), op.n!, op.replacement!, gopt);
    case 'normal': {
      const { mean, std } = op;
      if (typeof mean === 'number' && typeof std === 'number') return torch.normal(mean, std, op.size!, gopt);
      if (typeof mean === 'number') return torch.normal(mean, tensorOf(std as TensorSpec), gopt);
      return torch.normal(tensorOf(mean!), typeof std === 'number' ? std : tensorOf(std!), gopt);
    }
    case 'rand_like':
      return torch.rand_like(target(op));
    case 'randn_like':
      return torch.randn_like(target(op));
    case 'randint_like':
      return torch.randint_like(target(op), op.low!, op.high!);
    case 'get_state':
      return (g ?? torch.default_generator).get_state();
    case 'save':
      saved.set(op.label!, torch.get_rng_state());
      return null;
    case 'restore':
      torch.set_rng_state(saved.get(op.label!)!);
      return null;
    case 'initial_seed':
      return (g ?? torch.default_generator).initial_seed();
  }
  throw new Error(`unknown op ${op.fn}`);
}

function sha256(t: Tensor): string {
  const v = t.numpy();
  let bytes: ArrayBufferView = v;
  if (t.dtype === torch.int64) bytes = BigInt64Array.from(Array.from(v, (x) => BigInt(x)));
  return createHash('sha256').update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).digest('hex');
}

function ulpClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-14 * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

describe('PyTorch streams (goldens)', () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      const gens = new Map<string, InstanceType<typeof torch.Generator>>();
      const saved = new Map<string, Tensor>();
      torch.manual_seed(0);
      c.ops.forEach((op, i) => {
        const r = run(op, gens, saved);
        const want = c.results[i]!;
        if (want === null) return expect(r).toBeNull();
        if ('int' in want) return expect(r).toBe(want.int);
        if (!(r instanceof Tensor)) throw new Error(`op ${i} (${op.fn}) gave no tensor`);
        expect([...r.shape], `op ${i} shape`).toEqual(want.shape);
        expect(r.stride(), `op ${i} stride`).toEqual(want.stride);
        expect(r.dtype.name, `op ${i} dtype`).toBe(want.dtype);
        if (want.sha256 !== undefined) return expect(sha256(r), `op ${i} bytes`).toBe(want.sha256);
        const got = Array.from(r.contiguous().numpy());
        if (c.exact) expect(got, `op ${i} (${op.fn}) values`).toEqual(want.values);
        else {
          const bad = got.filter((v, k) => !ulpClose(v, want.values![k]!));
          expect(bad, `op ${i} (${op.fn}) values within 1e-14`).toEqual([]);
        }
      });
    });
  }

  it('restores a state saved by PyTorch', () => {
    const { bytes, after } = golden.pytorch_state;
    torch.set_rng_state(torch.tensor(bytes, { dtype: torch.uint8 }));
    expect(Array.from(torch.get_rng_state().numpy())).toEqual(bytes);
    const got = [...(torch.randn(5).tolist() as number[]), ...(torch.rand(5).tolist() as number[])];
    expect(got).toEqual(after);
  });

  it('manual_seed(0); rand(3) gives PyTorch\'s tensor([0.4963, 0.7682, 0.0885])', () => {
    torch.manual_seed(0);
    expect(torch.rand(3).tolist()).toEqual([0.49625658988952637, 0.7682217955589294, 0.08847743272781372]);
  });
});

// ---- behaviour without goldens ----

describe('generators', () => {
  it('manual_seed returns the default generator; Generator methods chain', () => {
    expect(torch.manual_seed(1)).toBe(torch.default_generator);
    const g = new torch.Generator();
    expect(g.initial_seed()).toBe(67280421310721);
    expect(g.manual_seed(3)).toBe(g);
    expect(g.initial_seed()).toBe(3);
    expect(g.set_state(g.get_state())).toBe(g);
    expect(String(g.device)).toBe('cpu');
    expect(torch.initial_seed()).toBe(1);
  });

  it('torch.manual_seed truncates floats like int(); Generator.manual_seed refuses them', () => {
    torch.manual_seed(2.9);
    expect(torch.initial_seed()).toBe(2);
    expect(() => new torch.Generator().manual_seed(1.5)).toThrow('manual_seed expected a long, but got float');
    expect(() => torch.manual_seed(2n ** 64n)).toThrow('Overflow when unpacking long');
    torch.manual_seed(-1);
    expect(torch.initial_seed()).toBe(2 ** 64 - 1);
  });

  it('seed() reseeds non-deterministically and reports the seed', () => {
    const s = torch.seed();
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(torch.initial_seed()).toBe(s);
    const a = torch.rand(4).tolist();
    torch.manual_seed(s);
    expect(torch.rand(4).tolist()).toEqual(a);
  });

  it('get_state is a copy: later draws do not change it', () => {
    torch.manual_seed(0);
    const s = torch.get_rng_state();
    const before = Array.from(s.numpy());
    torch.rand(10);
    expect(Array.from(s.numpy())).toEqual(before);
    expect(s.dtype).toBe(torch.uint8);
    expect([...s.shape]).toEqual([5056]);
  });

  it('set_state checks its argument as PyTorch does', () => {
    expect(() => torch.set_rng_state(torch.zeros(5056))).toThrow('RNG state must be a torch.ByteTensor');
    expect(() => torch.set_rng_state(torch.zeros([10], { dtype: torch.uint8 }))).toThrow(
      'Expected either a CPUGeneratorImplStateLegacy of size 5048 or a CPUGeneratorImplState of size 5056 but found the input RNG state size to be 10',
    );
    expect(() => torch.set_rng_state(torch.zeros([5056], { dtype: torch.uint8 }))).toThrow('Invalid mt19937 state');
  });

  it('a generator must match the tensor device type', () => {
    const g = new torch.Generator('cuda');
    expect(() => torch.rand(2, { generator: g })).toThrow("Expected a 'cpu' device type for generator but found 'cuda'");
  });
});

describe('determinism and statistics where values are not bit-exact', () => {
  it('float64 normals repeat exactly under the same seed', () => {
    torch.manual_seed(5);
    const a = torch.randn(1000, { dtype: torch.float64 }).tolist();
    torch.manual_seed(5);
    expect(torch.randn(1000, { dtype: torch.float64 }).tolist()).toEqual(a);
  });

  it('float64 normals and exponentials have the right moments', () => {
    torch.manual_seed(1);
    const x = torch.randn(200000, { dtype: torch.float64 });
    expect(Math.abs(x.mean().item())).toBeLessThan(0.01);
    expect(Math.abs(x.std().item() - 1)).toBeLessThan(0.01);
    const y = torch.empty(3, 70000, { dtype: torch.float64 }).normal_(2, 3);
    expect(Math.abs(y.mean().item() - 2)).toBeLessThan(0.03);
    expect(Math.abs(y.std().item() - 3)).toBeLessThan(0.03);
    const e = torch.empty(200000, { dtype: torch.float64 }).exponential_(2);
    expect(Math.abs(e.mean().item() - 0.5)).toBeLessThan(0.01);
    expect(e.min().item()).toBeGreaterThanOrEqual(0);
  });

  it('frequencies follow the probabilities', () => {
    torch.manual_seed(2);
    const b = torch.empty(100000).bernoulli_(0.3);
    expect(Math.abs(b.mean().item() - 0.3)).toBeLessThan(0.01);
    const m = torch.multinomial(torch.tensor([0.2, 0.8]), 50000, true);
    expect(Math.abs(m.float().mean().item() - 0.8)).toBeLessThan(0.01);
    const r = torch.randint(0, 4, [40000]);
    expect(r.min().item()).toBe(0);
    expect(r.max().item()).toBe(3);
    const u = torch.rand(100000);
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
    expect(Math.abs(u.mean().item() - 0.5)).toBeLessThan(0.01);
  });

  it('multinomial without replacement draws distinct categories', () => {
    torch.manual_seed(3);
    const p = torch.rand(4, 10);
    const s = torch.multinomial(p, 10) as Tensor;
    for (const row of s.tolist() as number[][]) expect([...row].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
  });

  it('randperm is a permutation', () => {
    const p = torch.randperm(1000).tolist() as number[];
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
  });
});

describe('results: dtype, shape, device, options', () => {
  it('factories take sizes as PyTorch does', () => {
    expect([...torch.rand(2, 3).shape]).toEqual([2, 3]);
    expect([...torch.randn([4]).shape]).toEqual([4]);
    expect([...torch.rand().shape]).toEqual([]);
    expect([...torch.rand(0).shape]).toEqual([0]);
    expect(torch.rand(2, { dtype: torch.float64 }).dtype).toBe(torch.float64);
    expect(torch.randint(5, [3]).dtype).toBe(torch.int64);
    expect(torch.randperm(4).dtype).toBe(torch.int64);
    expect(torch.randint_like(torch.zeros(2), 5).dtype).toBe(torch.float32);
    expect(torch.normal(0, 1, [2]).dtype).toBe(torch.float32);
    expect(torch.normal(1, torch.ones(3, { dtype: torch.float64 })).dtype).toBe(torch.float64);
    expect(torch.bernoulli(torch.full([2], 0.5, { dtype: torch.float64 })).dtype).toBe(torch.float64);
    expect(torch.multinomial(torch.tensor([0.5, 0.5]), 1).dtype).toBe(torch.int64);
    expect([...torch.normal(torch.zeros(2, 1), torch.ones(3)).shape]).toEqual([2, 3]);
    expect(torch.rand(2).device.type).toBe('cpu');
  });

  it('follows the default dtype', () => {
    torch.set_default_dtype(torch.float64);
    try {
      expect(torch.rand(2).dtype).toBe(torch.float64);
      expect(torch.randn(2).dtype).toBe(torch.float64);
    } finally {
      torch.set_default_dtype(torch.float32);
    }
  });

  it('requires_grad makes leaves; only floats may require grad', () => {
    const x = torch.randn(2, 3, { requires_grad: true });
    expect(x.requires_grad && x.is_leaf).toBe(true);
    expect(() => torch.randint(0, 5, [3], { requires_grad: true })).toThrow(
      'Only Tensors of floating point and complex dtype can require gradients',
    );
  });

  it('*_like keep a dense input\'s strides', () => {
    const x = torch.zeros(4, 3).t();
    expect(torch.rand_like(x).stride()).toEqual([1, 3]);
    expect(torch.bernoulli(torch.full([4, 3], 0.5).t()).stride()).toEqual([4, 1]);
    expect(torch.randn_like(torch.zeros(4, 6).narrow(1, 0, 3)).stride()).toEqual([3, 1]);
  });

  it('in-place fills return self, write through views and bump the version', () => {
    const base = torch.zeros(3, 4);
    const v0 = base._storage.version;
    const view = base.narrow(1, 1, 2);
    expect(view.uniform_(5, 6)).toBe(view);
    expect(base._storage.version).toBeGreaterThan(v0);
    const rows = base.tolist() as number[][];
    for (const r of rows) {
      expect(r[0]).toBe(0);
      expect(r[3]).toBe(0);
      expect(r[1]).toBeGreaterThanOrEqual(5);
      expect(r[2]).toBeLessThan(6);
    }
  });

  it('random_ forms on each dtype stay in range', () => {
    expect((torch.empty(50, { dtype: torch.uint8 }).random_().max().item())).toBeLessThanOrEqual(255);
    expect(torch.empty(50, { dtype: torch.bool }).random_(0, 2).dtype).toBe(torch.bool);
    const r = torch.empty(200, { dtype: torch.int32 }).random_(-3, 3);
    expect(r.min().item()).toBe(-3);
    expect(r.max().item()).toBe(2);
    expect(torch.empty(100).random_(5).max().item()).toBeLessThan(5);
  });
});

describe('autograd around in-place sampling', () => {
  it('refuses leaves that require grad, except under no_grad', () => {
    const w = torch.zeros(3, { requires_grad: true });
    expect(() => w.normal_()).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => w.uniform_()).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    torch.no_grad(() => w.normal_(0, 0.01));
    expect(w.requires_grad).toBe(true);
    expect(w.abs().max().item()).toBeGreaterThan(0);
  });

  it('records PyTorch\'s nodes with zero gradients', () => {
    const x = torch.ones(3, { requires_grad: true });
    const names: [string, (y: Tensor) => Tensor][] = [
      ['NormalBackward0', (y) => y.normal_()],
      ['UniformBackward0', (y) => y.uniform_()],
      ['BernoulliBackward2', (y) => y.bernoulli_(0.5)],
      ['BernoulliBackward1', (y) => y.bernoulli_(torch.rand(3))],
      ['RandomBackward0', (y) => y.random_(0, 3)],
      ['RandomBackward1', (y) => y.random_(3)],
      ['RandomBackward2', (y) => y.random_()],
      ['ExponentialBackward0', (y) => y.exponential_()],
    ];
    for (const [name, f] of names) {
      const y = f(x.mul(2));
      expect(y.grad_fn?.name()).toBe(name);
      x.grad = null;
      y.sum().backward();
      expect(x.grad!.tolist()).toEqual([0, 0, 0]);
    }
    expect(torch.normal(x, 1).grad_fn?.name()).toBe('NormalBackward1');
    expect(torch.normal(0, x).grad_fn?.name()).toBe('NormalBackward2');
    expect(torch.normal(x, x).grad_fn?.name()).toBe('NormalBackward3');
    expect(torch.bernoulli(x.mul(0.5)).grad_fn?.name()).toBe('BernoulliBackward0');
    x.grad = null;
    torch.normal(x, x).sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
  });
});

describe('errors as PyTorch words them', () => {
  const cases: [string, () => unknown, string][] = [
    ['randint from >= to', () => torch.randint(5, 3, [3]), "random_ expects 'from' to be less than 'to', but got from=5 >= to=3"],
    ['random_ out of dtype range', () => torch.empty(3, { dtype: torch.uint8 }).random_(0, 300), 'to - 1 is out of bounds for unsigned char'],
    ['random_ bool range', () => torch.empty(3, { dtype: torch.bool }).random_(0, 3), 'to - 1 is out of bounds for bool'],
    ['random_ float from past 2^24', () => torch.empty(3).random_(2 ** 24, null),
      "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from=16777216 > to_inc=16777216"],
    ['bernoulli_ p range', () => torch.empty(3).bernoulli_(1.5), 'bernoulli_ expects p to be in [0, 1], but got p=1.5'],
    ['bernoulli tensor p range', () => torch.bernoulli(torch.tensor([1.5])),
      'Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)'],
    ['bernoulli integer p', () => torch.bernoulli(torch.tensor([1, 0])), '"bernoulli_tensor_cpu_p_" not implemented for \'Long\''],
    ['multinomial without replacement', () => torch.multinomial(torch.tensor([0.5, 0.5]), 3),
      'cannot sample n_sample > prob_dist.size(-1) samples without replacement'],
    ['multinomial negative (fast path)', () => torch.multinomial(torch.tensor([-0.5, 0.5]), 1),
      'probability tensor contains either `inf`, `nan` or element < 0'],
    ['multinomial negative', () => torch.multinomial(torch.tensor([-0.5, 0.5]), 2, true),
      'invalid multinomial distribution (encountering probability entry < 0)'],
    ['multinomial infinite', () => torch.multinomial(torch.tensor([Infinity, 1]), 2, true),
      'invalid multinomial distribution (encountering probability entry = infinity or NaN)'],
    ['multinomial zero sum', () => torch.multinomial(torch.tensor([0, 0], { dtype: torch.float32 }), 2, true),
      'invalid multinomial distribution (sum of probabilities <= 0)'],
    ['multinomial zero sum (fast path)', () => torch.multinomial(torch.tensor([0, 0], { dtype: torch.float32 }), 1),
      'invalid multinomial distribution (sum of probabilities <= 0)'],
    ['multinomial integer input', () => torch.multinomial(torch.tensor([1, 2]), 1), 'multinomial only supports floating-point dtypes for input, got: Long'],
    ['multinomial no samples', () => torch.multinomial(torch.tensor([1.5, 2]), 0), 'cannot sample n_sample <= 0 samples'],
    ['multinomial 3-d', () => torch.multinomial(torch.ones(2, 2, 2), 1), 'prob_dist must be 1 or 2 dim'],
    ['normal_ std', () => torch.empty(3).normal_(0, -1), 'normal expects std >= 0.0, but found std -1'],
    ['normal_ nan std', () => torch.empty(3).normal_(0, NaN), 'normal expects std >= 0.0, but found std nan'],
    ['normal tensor std', () => torch.normal(torch.zeros(2), torch.tensor([-1.5, 1])), 'normal expects all elements of std >= 0.0'],
    ['normal integer mean', () => torch.normal(torch.zeros([2, 1], { dtype: torch.int64 }), 2), '"normal_kernel_cpu" not implemented for \'Long\''],
    ['normal shapes', () => torch.normal(torch.zeros(2), torch.ones(3)),
      'The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0'],
    ['uniform_ range', () => torch.empty(3).uniform_(3, 2), 'uniform_ expects to return a [from, to) range, but found from=3 > to=2'],
    ['uniform_ float bounds', () => torch.empty(3).uniform_(-1e39, 1), 'from is out of bounds for float'],
    ['uniform_ span', () => torch.empty(3).uniform_(-3e38, 3e38),
      'uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 and from=-3e+38 which result in to-from to exceed the limit'],
    ['uniform_ integer', () => torch.empty(3, { dtype: torch.int64 }).uniform_(), '"check_uniform_bounds" not implemented for \'Long\''],
    ['rand integer', () => torch.rand(3, { dtype: torch.int64 }), '"check_uniform_bounds" not implemented for \'Long\''],
    ['randn integer', () => torch.randn(3, { dtype: torch.int32 }), '"normal_kernel_cpu" not implemented for \'Int\''],
    ['exponential_ integer', () => torch.empty(3, { dtype: torch.int64 }).exponential_(), '"exponential_cpu" not implemented for \'Long\''],
    ['exponential_ lambda', () => torch.empty(3).exponential_(-1), 'exponential_ expects lambda >= 0.0, but found lambda=-1'],
    ['randperm negative', () => torch.randperm(-1), 'Trying to create tensor with negative dimension -1: [-1]'],
    ['randperm float range', () => torch.randperm(2 ** 24 + 2, { dtype: torch.float32 }), 'n cannot be greater than 2^24+1 for Float type.'],
    ['randperm uint8 range', () => torch.randperm(300, { dtype: torch.uint8 }), 'value cannot be converted to type uint8_t without overflow'],
    ['in-place on an expanded tensor', () => torch.zeros(3).expand(2, 3).uniform_(),
      'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.'],
    ['generator of another device', () => torch.randn(3, { generator: new torch.Generator('cuda') }),
      "Expected a 'cpu' device type for generator but found 'cuda'"],
  ];
  for (const [name, f, msg] of cases) {
    it(name, () => {
      expect(f).toThrow(msg);
    });
  }

  it('uses the right error classes', () => {
    expect(() => torch.randint(5, 3, [3])).toThrow(torch.RuntimeError);
    expect(() => torch.set_rng_state(torch.zeros(5056))).toThrow(TypeError);
  });
});
