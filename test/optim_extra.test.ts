/**
 * RMSprop, Adagrad, Adadelta and optim.lr_scheduler against PyTorch (test/golden/optim2.json,
 * made by test/golden/make_optim2.py): five-step trajectories per option set, learning-rate
 * (and momentum) sequences per scheduler, state dicts, reprs and PyTorch's errors.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import torch, { optim, Tensor } from '../lib/index.js';
import { expectTrajectory, problem as makeProblem, type Step } from './helpers/optim_problem.js';
import { expectClose, loadGolden } from './helpers/golden.js';
import { expectPyError, type Nested, type PyError } from './nn/helpers.js';

const { lr_scheduler } = optim;

type OptName = 'RMSprop' | 'Adagrad' | 'Adadelta';
interface Trajectory { name: OptName; kw: Record<string, unknown>; steps: Step[]; state_w: Record<string, Nested>; group_keys: string[] }
interface Snapshot { lr: number[]; group_lr: number[]; momentum?: number[]; beta1?: number[] }
interface SchedRun {
  name: 'StepLR' | 'MultiStepLR' | 'ExponentialLR' | 'CosineAnnealingLR' | 'LambdaLR' | 'LinearLR' | 'OneCycleLR';
  opt: 'SGD' | 'Adam'; lrs: number[]; kw: Record<string, unknown>; seq: Snapshot[]; state_keys: string[]; group_keys: string[];
}
interface PlateauStep { lr: number[]; best: number; num_bad_epochs: number; cooldown_counter: number; last_epoch: number }
interface G {
  optimizers: { W0: number[][]; B0: number[]; A: number[][]; C: number[][]; trajectories: Trajectory[] };
  optimizer_errors: Record<string, PyError>;
  adagrad_initial_state: Record<string, Nested>;
  reprs: Record<OptName, string>;
  schedulers: SchedRun[];
  plateau: { metrics: number[]; runs: { lrs: number[]; kw: Record<string, unknown>; seq: PlateauStep[]; state_keys: string[] }[] };
  closed_form: { name: SchedRun['name']; kw: Record<string, unknown>; epochs: number[]; lr: number[] }[];
  resume: { lr_after_construct: number[]; last_epoch: number; seq: number[] };
  scheduler_errors: Record<string, PyError>;
  repr_with_scheduler: string;
}
const g = loadGolden<G>('optim2.json');
const o = g.optimizers;

const problem = () => makeProblem(o);

const ctors = { RMSprop: optim.RMSprop, Adagrad: optim.Adagrad, Adadelta: optim.Adadelta };
/** Python-only option keys PyTorch keeps in every group (torchlab has no foreach/fused kernels). */
const PY_ONLY_GROUP_KEYS = new Set(['foreach', 'differentiable', 'capturable', 'fused']);

function run(opt: optim.Optimizer, loss: () => Tensor, steps: number): void {
  for (let i = 0; i < steps; i++) {
    opt.zero_grad();
    loss().backward();
    opt.step();
  }
}

describe('RMSprop, Adagrad and Adadelta follow PyTorch step by step', () => {
  for (const t of o.trajectories) {
    it(`${t.name}(${JSON.stringify(t.kw)})`, () => {
      const p = problem();
      const opt = new ctors[t.name]([p.w, p.b], t.kw);
      expectTrajectory(opt, p, t.steps);
      const sd = opt.state_dict();
      const state = sd.state[0]!;
      expect(Object.keys(state).sort()).toEqual(Object.keys(t.state_w).sort());
      for (const [k, v] of Object.entries(t.state_w)) {
        const mine = state[k] as Tensor;
        expect(mine).toBeInstanceOf(Tensor);
        if (k === 'step') expect(mine.item()).toBe(v);
        else expectClose(mine.tolist(), v, 1e-4, 1e-6, `state ${k}`);
      }
      const groupKeys = Object.keys(sd.param_groups[0]!).sort();
      expect(groupKeys).toEqual(t.group_keys.filter((k) => !PY_ONLY_GROUP_KEYS.has(k)));
    });
  }

  it('positional lr and the options object bind as in PyTorch', () => {
    const { w } = problem();
    expect(new optim.RMSprop([w], 0.05, { alpha: 0.9 }).param_groups[0]).toMatchObject({ lr: 0.05, alpha: 0.9, eps: 1e-8, momentum: 0, centered: false });
    expect(new optim.Adagrad([w]).defaults).toEqual({ lr: 0.01, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false });
    expect(new optim.Adadelta([w], { rho: 0.5 }).defaults).toEqual({ lr: 1.0, rho: 0.5, eps: 1e-6, weight_decay: 0, maximize: false });
  });

  it('Adagrad creates its state in the constructor, as PyTorch', () => {
    const w = torch.zeros([2], { requires_grad: true });
    const opt = new optim.Adagrad([w], { initial_accumulator_value: 0.25 });
    const state = opt.state_dict().state[0]!;
    expect(Object.keys(state).sort()).toEqual(Object.keys(g.adagrad_initial_state).sort());
    expect((state.step as Tensor).item()).toBe(g.adagrad_initial_state.step);
    expect((state.step as Tensor).dtype).toBe(torch.float32);
    expectClose((state.sum as Tensor).tolist(), g.adagrad_initial_state.sum);
    // a group added later gets its state on its first step
    const v = torch.ones([3], { requires_grad: true });
    opt.add_param_group({ params: [v], lr: 0.5 });
    v.mul(v).sum().backward();
    opt.step();
    const moved = 1 - (0.5 * 2) / Math.sqrt(0.25 + 4); // the group's accumulator starts at the default 0.25
    expectClose(v.tolist(), [moved, moved, moved], 1e-6, 1e-7);
  });


  it('step counters: written in place each step, and read back after anything else changed them', () => {
    const w = torch.ones([2], { requires_grad: true });
    const opt = new optim.Adam([w], { lr: 0.1 });
    const stepOnce = () => {
      opt.zero_grad();
      w.mul(w).sum().backward();
      opt.step();
    };
    stepOnce();
    stepOnce();
    const counter = opt.state.get(w)!.step as Tensor;
    expect(counter.item()).toBe(2);
    expect(counter._storage.version).toBe(2);
    // changed in place by the user: the next step counts from there
    counter.fill_(10);
    stepOnce();
    expect(counter.item()).toBe(11);
    // a state dict from elsewhere brings its own counter tensor
    const saved = opt.state_dict();
    (saved.state[0]!.step as Tensor) = torch.tensor(100, { dtype: torch.float32 });
    opt.load_state_dict(saved);
    stepOnce();
    expect((opt.state.get(w)!.step as Tensor).item()).toBe(101);
    // a float32 counter rounds as float32 does, as PyTorch's `step_t += 1`
    (opt.state.get(w)!.step as Tensor).fill_(2 ** 24);
    stepOnce();
    expect((opt.state.get(w)!.step as Tensor).item()).toBe(2 ** 24);
  });
  for (const name of ['RMSprop', 'Adagrad', 'Adadelta'] as const) {
    it(`${name}: state_dict / load_state_dict resume the same trajectory`, () => {
      const kw = name === 'RMSprop' ? { lr: 0.02, momentum: 0.5, centered: true } : name === 'Adagrad' ? { lr: 0.1, lr_decay: 0.05 } : { lr: 0.5 };
      const a = problem();
      run(new ctors[name]([a.w, a.b], kw), a.loss, 5);
      const c = problem();
      const optC = new ctors[name]([c.w, c.b], kw);
      run(optC, c.loss, 2);
      const saved = optC.state_dict();
      expect((saved.state[0]!.step as Tensor).item()).toBe(2);
      const d = problem();
      torch.no_grad(() => {
        d.w.copy_(c.w);
        d.b.copy_(c.b);
      });
      const optD = new ctors[name]([d.w, d.b], { lr: 3 });
      optD.load_state_dict(saved);
      expect(optD.param_groups[0]!.lr).toBe(kw.lr);
      run(optD, d.loss, 3);
      expectClose(d.w.tolist(), a.w.tolist(), 1e-6, 1e-7);
      expectClose(d.b.tolist(), a.b.tolist(), 1e-6, 1e-7);
      // the saved state was copied, not shared
      expect((optC.state.get(c.w)!.step as Tensor).item()).toBe(2);
    });
  }

  it('reprs list the options as PyTorch prints them', () => {
    const w = torch.zeros([2], { requires_grad: true });
    const strip = (s: string) => s.split('\n').filter((l) => !/capturable|differentiable|foreach|fused/.test(l)).join('\n');
    expect(String(new optim.RMSprop([w], { lr: 0.1 }))).toBe(strip(g.reprs.RMSprop));
    expect(String(new optim.Adagrad([w]))).toBe(strip(g.reprs.Adagrad));
    expect(String(new optim.Adadelta([w]))).toBe(strip(g.reprs.Adadelta));
  });

  it("raises PyTorch's errors", () => {
    const w = torch.zeros([2], { requires_grad: true });
    const e = g.optimizer_errors;
    // PyTorch 1.13's messages for params that are not tensors (torch.typename of each)
    for (const [bad, name] of [['a', 'str'], [1, 'int'], [null, 'NoneType'], [[1.0], 'list']] as const) {
      expect(() => new optim.SGD([w, bad] as never, { lr: 0.1 })).toThrow(`optimizer can only optimize Tensors, but one of the params is ${name}`);
    }
    expectPyError(() => new optim.RMSprop([w], { lr: -1 }), e.rmsprop_lr!);
    expectPyError(() => new optim.RMSprop([w], { eps: -1e-3 }), e.rmsprop_eps!);
    expectPyError(() => new optim.RMSprop([w], { momentum: -0.5 }), e.rmsprop_momentum!);
    expectPyError(() => new optim.RMSprop([w], { weight_decay: -1 }), e.rmsprop_weight_decay!);
    expectPyError(() => new optim.RMSprop([w], { alpha: -0.5 }), e.rmsprop_alpha!);
    expectPyError(() => new optim.Adagrad([w], -1), e.adagrad_lr!);
    expectPyError(() => new optim.Adagrad([w], { lr_decay: -0.5 }), e.adagrad_lr_decay!);
    expectPyError(() => new optim.Adagrad([w], { weight_decay: -1 }), e.adagrad_weight_decay!);
    expectPyError(() => new optim.Adagrad([w], { initial_accumulator_value: -1 }), e.adagrad_initial_accumulator_value!);
    expectPyError(() => new optim.Adagrad([w], { eps: -1 }), e.adagrad_eps!);
    expectPyError(() => new optim.Adadelta([w], { lr: -1 }), e.adadelta_lr!);
    expectPyError(() => new optim.Adadelta([w], { rho: 1.5 }), e.adadelta_rho!);
    expectPyError(() => new optim.Adadelta([w], { rho: -0.5 }), e.adadelta_rho_neg!);
    expectPyError(() => new optim.Adadelta([w], { eps: -1 }), e.adadelta_eps!);
    expectPyError(() => new optim.Adadelta([w], { weight_decay: -1 }), e.adadelta_weight_decay!);
  });
});

// ---------------------------------------------------------------------------------------------

const LAMBDAS: Record<string, optim.lr_scheduler.LrLambda> = {
  pow095: (e) => 0.95 ** e,
  inv: (e) => 1 / (e + 1),
  floor3: (e) => Math.floor(e / 3),
};

function makeOpt(kind: 'SGD' | 'Adam', lrs: number[]): optim.Optimizer {
  const groups = lrs.map((lr) => ({ params: [torch.zeros([2], { requires_grad: true })], lr }));
  return kind === 'SGD' ? new optim.SGD(groups, { lr: lrs[0], momentum: 0.9 }) : new optim.Adam(groups, { lr: lrs[0] });
}

type AnyScheduler = optim.lr_scheduler.LRScheduler;

/** The golden kwargs as torchlab's options object (lambdas looked up by name). */
function optionsOf(r: { name: string; kw: Record<string, unknown> }): Record<string, unknown> {
  const kw = { ...r.kw };
  if (r.name === 'LambdaLR') {
    const lam = kw.lr_lambda;
    kw.lr_lambda = Array.isArray(lam) ? lam.map((n) => LAMBDAS[n as string]!) : LAMBDAS[lam as string]!;
  }
  return kw;
}

function build(name: SchedRun['name'], opt: optim.Optimizer, kw: Record<string, unknown>): AnyScheduler {
  // the options object is typed per scheduler; the golden file gives it as plain JSON
  const Ctor = lr_scheduler[name] as unknown as new (opt: optim.Optimizer, kw: Record<string, unknown>) => AnyScheduler;
  return new Ctor(opt, kw);
}

function snapshot(opt: optim.Optimizer, sched: AnyScheduler | optim.lr_scheduler.ReduceLROnPlateau, expected: Snapshot): Snapshot {
  const groups = opt.param_groups;
  const s: Snapshot = { lr: [...sched.get_last_lr()], group_lr: groups.map((pg) => pg.lr as number) };
  if (expected.momentum) s.momentum = groups.map((pg) => pg.momentum as number);
  if (expected.beta1) s.beta1 = groups.map((pg) => (pg.betas as number[])[0]!);
  return s;
}

/** Learning rates are doubles computed by the same formulas: equal up to libm's last bits. */
const expectSameDoubles = (a: unknown, e: unknown, what: string) => expectClose(a, e, 1e-12, 1e-15, what);

describe('schedulers follow PyTorch epoch by epoch', () => {
  for (const r of g.schedulers) {
    it(`${r.name}(${r.opt}, lrs=${JSON.stringify(r.lrs)}, ${JSON.stringify(r.kw)})`, () => {
      const opt = makeOpt(r.opt, r.lrs);
      const sched = build(r.name, opt, optionsOf(r));
      r.seq.forEach((expected, i) => {
        if (i > 0) {
          opt.step();
          sched.step();
        }
        const got = snapshot(opt, sched, expected);
        for (const k of ['lr', 'group_lr', 'momentum', 'beta1'] as const) expectSameDoubles(got[k], expected[k], `${k} at epoch ${i}`);
      });
      expect(sched.last_epoch).toBe(r.seq.length - 1);
      // PyTorch 1.13's extra attributes: verbose (deprecated in 2) and OneCycleLR's bound anneal_func
      const keys = Object.keys(sched.state_dict());
      for (const k of r.state_keys) if (k !== 'verbose' && k !== 'anneal_func') expect(keys).toContain(k);
      expect(keys).not.toContain('optimizer');
      expect(Object.keys(opt.param_groups[0]!).sort()).toEqual(r.group_keys.filter((k) => !PY_ONLY_GROUP_KEYS.has(k)));
    });
  }

  it('takes its arguments positionally, by name, or both', () => {
    const lrsOf = (make: (opt: optim.Optimizer) => AnyScheduler) => {
      const opt = makeOpt('SGD', [0.1]);
      const sched = make(opt);
      const out: number[] = [];
      for (let i = 0; i < 8; i++) {
        opt.step();
        sched.step();
        out.push(sched.get_last_lr()[0]!);
      }
      return out;
    };
    const S = lr_scheduler;
    const same = (...makers: ((opt: optim.Optimizer) => AnyScheduler)[]) => {
      const first = lrsOf(makers[0]!);
      for (const m of makers.slice(1)) expect(lrsOf(m)).toEqual(first);
    };
    same((p) => new S.StepLR(p, 3, 0.5), (p) => new S.StepLR(p, { step_size: 3, gamma: 0.5 }), (p) => new S.StepLR(p, 3, { gamma: 0.5 }));
    same((p) => new S.MultiStepLR(p, [2, 5], 0.5), (p) => new S.MultiStepLR(p, { milestones: [2, 5], gamma: 0.5 }));
    same((p) => new S.ExponentialLR(p, 0.9), (p) => new S.ExponentialLR(p, { gamma: 0.9 }));
    same((p) => new S.CosineAnnealingLR(p, 6, 0.01), (p) => new S.CosineAnnealingLR(p, { T_max: 6, eta_min: 0.01 }), (p) => new S.CosineAnnealingLR(p, 6, { eta_min: 0.01 }));
    same((p) => new S.LambdaLR(p, LAMBDAS.inv!), (p) => new S.LambdaLR(p, { lr_lambda: LAMBDAS.inv! }));
    same((p) => new S.LinearLR(p, 0.5, 1.0, 4), (p) => new S.LinearLR(p, { start_factor: 0.5, total_iters: 4 }), (p) => new S.LinearLR(p, 0.5, { total_iters: 4 }));
    same((p) => new S.OneCycleLR(p, 0.1, 8), (p) => new S.OneCycleLR(p, { max_lr: 0.1, total_steps: 8 }), (p) => new S.OneCycleLR(p, 0.1, null, 2, 4), (p) => new S.OneCycleLR(p, 0.1, { epochs: 4, steps_per_epoch: 2 }));
    const opt = makeOpt('SGD', [0.1]);
    const plateau = new S.ReduceLROnPlateau(opt, 'max', 0.5, { patience: 3 });
    expect([plateau.mode, plateau.factor, plateau.patience, plateau.threshold]).toEqual(['max', 0.5, 3, 1e-4]);
  });

  it('the scheduled learning rate drives the optimizer (OneCycleLR cycles Adam\'s beta1)', () => {
    const w = torch.tensor([1.0, -2.0], { dtype: torch.float32, requires_grad: true });
    const opt = new optim.Adam([w], { lr: 0.01 });
    const sched = new lr_scheduler.OneCycleLR(opt, { max_lr: 0.1, total_steps: 10 });
    // the same steps by hand: Adam with the lr and betas the schedule sets
    const v = torch.tensor([1.0, -2.0], { dtype: torch.float32, requires_grad: true });
    const ref = new optim.Adam([v], { lr: 0.01 });
    for (let i = 0; i < 10; i++) {
      ref.param_groups[0]!.lr = opt.param_groups[0]!.lr;
      ref.param_groups[0]!.betas = opt.param_groups[0]!.betas;
      for (const [p, o2] of [[w, opt], [v, ref]] as const) {
        o2.zero_grad();
        p.pow(2).sum().backward();
        o2.step();
      }
      sched.step();
    }
    expect(w.tolist()).toEqual(v.tolist());
    expect(opt.param_groups[0]!.lr).not.toBe(0.01);
  });
});

describe('ReduceLROnPlateau follows PyTorch metric by metric', () => {
  for (const r of g.plateau.runs) {
    it(`lrs=${JSON.stringify(r.lrs)}, ${JSON.stringify(r.kw)}`, () => {
      const opt = makeOpt('SGD', r.lrs);
      const sched = new lr_scheduler.ReduceLROnPlateau(opt, r.kw as optim.lr_scheduler.ReduceLROnPlateauOptions);
      expect(sched.get_last_lr()).toEqual(r.lrs);
      g.plateau.metrics.forEach((m, i) => {
        opt.step();
        // alternate numbers and one-element tensors, as float(metrics) takes both
        sched.step(i % 2 ? torch.tensor(m, { dtype: torch.float64 }) : m);
        const e = r.seq[i]!;
        expectSameDoubles(sched.get_last_lr(), e.lr, `lr after metric ${i}`);
        expectSameDoubles(opt.param_groups.map((pg) => pg.lr as number), e.lr, `group lr after metric ${i}`);
        expect([sched.best, sched.num_bad_epochs, sched.cooldown_counter, sched.last_epoch], `after metric ${i}`)
          .toEqual([e.best, e.num_bad_epochs, e.cooldown_counter, e.last_epoch]);
      });
      const keys = Object.keys(sched.state_dict());
      for (const k of r.state_keys) if (k !== 'verbose') expect(keys).toContain(k);
    });
  }

  it('state_dict / load_state_dict carry best, counters and mode across', () => {
    const metrics = g.plateau.metrics;
    const a = makeOpt('SGD', [0.1]);
    const sa = new lr_scheduler.ReduceLROnPlateau(a, { patience: 1, cooldown: 1, factor: 0.5 });
    for (const m of metrics) sa.step(m);
    const b = makeOpt('SGD', [0.1]);
    const sb = new lr_scheduler.ReduceLROnPlateau(b, { patience: 1, cooldown: 1, factor: 0.5 });
    for (const m of metrics.slice(0, 9)) sb.step(m);
    const saved = sb.state_dict();
    const c = makeOpt('SGD', [0.1]);
    c.load_state_dict(b.state_dict());
    const sc = new lr_scheduler.ReduceLROnPlateau(c, { mode: 'max', patience: 7 });
    sc.load_state_dict(saved);
    expect([sc.mode, sc.patience, sc.mode_worse]).toEqual(['min', 1, Infinity]);
    for (const m of metrics.slice(9)) sc.step(m);
    expect(sc.get_last_lr()).toEqual(sa.get_last_lr());
    expect([sc.best, sc.num_bad_epochs, sc.cooldown_counter, sc.last_epoch]).toEqual([sa.best, sa.num_bad_epochs, sa.cooldown_counter, sa.last_epoch]);
  });

  it('min_lr given per group must follow the groups (PyTorch 2)', () => {
    const opt = makeOpt('SGD', [0.1]);
    const sched = new lr_scheduler.ReduceLROnPlateau(opt, { patience: 0, min_lr: [0.01] });
    opt.add_param_group({ params: [torch.zeros([1], { requires_grad: true })], lr: 0.2 });
    sched.step(1);
    expect(() => sched.step(2)).toThrow(/The number of param groups in the `optimizer` \(2\) differs from when `ReduceLROnPlateau` was initialized \(1\)/);
    const opt2 = makeOpt('SGD', [0.1]);
    const sched2 = new lr_scheduler.ReduceLROnPlateau(opt2, { patience: 0, min_lr: 0.05 });
    opt2.add_param_group({ params: [torch.zeros([1], { requires_grad: true })], lr: 0.2 });
    sched2.step(1);
    sched2.step(2);
    expectSameDoubles(sched2.get_last_lr(), [0.05, 0.05], 'lrs');
  });
});

describe('scheduler state and the rest of the API', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('step(epoch) uses the closed forms (deprecated, as in PyTorch)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const c of g.closed_form) {
      const opt = makeOpt('SGD', [0.1]);
      const sched = build(c.name, opt, optionsOf(c));
      const lrs = c.epochs.map((e) => {
        opt.step();
        sched.step(e);
        return sched.get_last_lr()[0]!;
      });
      expectSameDoubles(lrs, c.lr, c.name);
    }
    expect(warn.mock.calls.some(([m]) => String(m).startsWith('UserWarning: The epoch parameter in `scheduler.step()` was not necessary'))).toBe(true);
  });

  it('resuming with last_epoch continues from initial_lr', () => {
    const opt = makeOpt('SGD', [0.1]);
    const s1 = new lr_scheduler.StepLR(opt, { step_size: 2, gamma: 0.5 });
    for (let i = 0; i < 5; i++) {
      opt.step();
      s1.step();
    }
    const s2 = new lr_scheduler.StepLR(opt, 2, 0.5, s1.last_epoch);
    expectSameDoubles(s2.get_last_lr(), g.resume.lr_after_construct, 'after construction');
    expect(s2.last_epoch).toBe(g.resume.last_epoch);
    const seq = [];
    for (let i = 0; i < 4; i++) {
      opt.step();
      s2.step();
      seq.push(s2.get_last_lr()[0]!);
    }
    expectSameDoubles(seq, g.resume.seq, 'resumed');
  });

  const roundTrips: [string, (opt: optim.Optimizer) => AnyScheduler][] = [
    ['StepLR', (p) => new lr_scheduler.StepLR(p, 2, 0.5)],
    ['MultiStepLR', (p) => new lr_scheduler.MultiStepLR(p, [1, 4, 4, 6])],
    ['CosineAnnealingLR', (p) => new lr_scheduler.CosineAnnealingLR(p, 4, 0.001)],
    ['LambdaLR', (p) => new lr_scheduler.LambdaLR(p, [LAMBDAS.inv!, LAMBDAS.pow095!])],
    ['LinearLR', (p) => new lr_scheduler.LinearLR(p, { start_factor: 0.1, total_iters: 6 })],
    ['OneCycleLR', (p) => new lr_scheduler.OneCycleLR(p, [0.5, 0.2], { total_steps: 12, three_phase: true })],
  ];
  for (const [name, make] of roundTrips) {
    it(`${name}: state_dict / load_state_dict resume the same schedule`, () => {
      const seqOf = (sched: AnyScheduler, opt: optim.Optimizer, n: number) => {
        const out: number[][] = [];
        for (let i = 0; i < n; i++) {
          opt.step();
          sched.step();
          out.push([...sched.get_last_lr(), ...opt.param_groups.map((pg) => pg.momentum as number)]);
        }
        return out;
      };
      const a = makeOpt('SGD', [0.1, 0.2]);
      const full = seqOf(make(a), a, 10);
      const b = makeOpt('SGD', [0.1, 0.2]);
      const sb = make(b);
      seqOf(sb, b, 4);
      const saved = sb.state_dict();
      const optSaved = b.state_dict();
      seqOf(sb, b, 2); // the saved copy must not follow the live scheduler
      // PyTorch's order for resuming: build both, then load both
      const c = makeOpt('SGD', [0.3, 0.4]);
      const sc = make(c);
      c.load_state_dict(optSaved);
      sc.load_state_dict(saved);
      expect(sc.last_epoch).toBe(4);
      expect(seqOf(sc, c, 6)).toEqual(full.slice(4));
      if (name === 'LambdaLR') expect(saved.lr_lambdas).toEqual([null, null]);
    });
  }

  it('records initial_lr in the parameter groups (shown by the optimizer repr)', () => {
    const p = torch.zeros([2], { requires_grad: true });
    const sgd = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    new lr_scheduler.StepLR(sgd, 3);
    expect(String(sgd)).toBe(g.repr_with_scheduler.split('\n').filter((l) => !/differentiable|foreach/.test(l)).join('\n'));
  });

  it('warns when scheduler.step() comes before optimizer.step(), and when get_lr() is called directly', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ok = makeOpt('SGD', [0.1]);
    const s1 = new lr_scheduler.ExponentialLR(ok, 0.5);
    ok.step();
    s1.step();
    expect(warn).not.toHaveBeenCalled();
    const opt = makeOpt('SGD', [0.1]);
    const sched = new lr_scheduler.ExponentialLR(opt, 0.5);
    sched.step();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^UserWarning: Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`/);
    expect(sched.get_lr()).toEqual([0.05 * 0.5]);
    expect(String(warn.mock.calls[1]![0])).toBe('UserWarning: To get the last learning rate computed by the scheduler, please use `get_last_lr()`.');
    // two schedulers on one optimizer wrap its step once; closures still return their loss
    const two = makeOpt('SGD', [0.1]);
    new lr_scheduler.StepLR(two, 2);
    new lr_scheduler.LinearLR(two);
    expect(two.step(() => 7)).toBe(7);
  });

  it('subclasses of LRScheduler and _LRScheduler define get_lr', () => {
    class Halving extends lr_scheduler._LRScheduler {
      declare every: number;
      constructor(opt: optim.Optimizer, every: number) {
        super(opt, -1, { every });
      }
      get_lr(): number[] {
        return this.base_lrs.map((lr) => lr * 0.5 ** Math.floor(this.last_epoch / this.every));
      }
    }
    const opt = makeOpt('SGD', [0.1]);
    const sched = new Halving(opt, 2);
    const lrs = [sched.get_last_lr()[0]];
    for (let i = 0; i < 5; i++) {
      opt.step();
      sched.step();
      lrs.push(sched.get_last_lr()[0]);
    }
    expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    expect(sched).toBeInstanceOf(lr_scheduler.LRScheduler);
    expect(new lr_scheduler.StepLR(opt, 3)).not.toBeInstanceOf(lr_scheduler._LRScheduler);
  });

  it("raises PyTorch's errors", () => {
    const e = g.scheduler_errors;
    const sgd = () => new optim.SGD([torch.zeros([2], { requires_grad: true })], 0.1);
    const S = lr_scheduler;
    // what TypeScript's types already reject, as a notebook cell without types would pass it
    type Loose = new (...args: unknown[]) => unknown;
    expectPyError(() => new (S.StepLR as unknown as Loose)({}, 3), e.not_optimizer!);
    expectPyError(() => new (S.StepLR as unknown as Loose)(sgd()), e.missing_step_size!);
    expectPyError(() => new (S.ExponentialLR as unknown as Loose)(sgd(), {}), e.missing_gamma!);
    expectPyError(() => new (S.StepLR as unknown as Loose)(sgd(), { step_size: 3, gama: 0.5 }), e.unexpected_kw!);
    expectPyError(() => new (S.ReduceLROnPlateau as unknown as Loose)([1, 2]), e.plateau_not_optimizer!);
    expectPyError(() => new S.StepLR(sgd(), 3, { last_epoch: 4 }), e.no_initial_lr!);
    expectPyError(() => new S.LambdaLR(sgd(), [LAMBDAS.inv!, LAMBDAS.inv!]), e.lambda_count!);
    expectPyError(() => new S.LinearLR(sgd(), { end_factor: -0.5 }), e.linear_end!);
    expectPyError(() => new S.OneCycleLR(sgd(), 0.1), e.onecycle_no_steps!);
    expectPyError(() => new S.OneCycleLR(sgd(), 0.1, 0), e.onecycle_total!);
    expectPyError(() => new S.OneCycleLR(sgd(), 0.1, { epochs: -2, steps_per_epoch: 3 }), e.onecycle_epochs!);
    expectPyError(() => new S.OneCycleLR(sgd(), 0.1, { epochs: 2, steps_per_epoch: 0 }), e.onecycle_spe!);
    expectPyError(() => new S.OneCycleLR(sgd(), 0.1, { total_steps: 10, pct_start: 1.5 }), e.onecycle_pct!);
    expectPyError(() => new S.ReduceLROnPlateau(sgd(), { factor: 1.0 }), e.plateau_factor!);
    expectPyError(() => new (S.ReduceLROnPlateau as unknown as Loose)(sgd(), 'avg'), e.plateau_mode!);
    expectPyError(() => new (S.ReduceLROnPlateau as unknown as Loose)(sgd(), { threshold_mode: 'pct' }), e.plateau_threshold_mode!);
    expectPyError(() => new S.ReduceLROnPlateau(sgd(), { min_lr: [0.1, 0.2] }), e.plateau_min_lrs!);
    // PyTorch 2 reworded these (the golden file has 1.13's wording)
    const v2 = (key: string, message: string): PyError => ({ type: e[key]!.type, message });
    expectPyError(() => new S.LinearLR(sgd(), { start_factor: 1.5 }), v2('linear_start', 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.'));
    expectPyError(
      () => new (S.OneCycleLR as unknown as Loose)(sgd(), 0.1, { total_steps: 10, anneal_strategy: 'exp' }),
      v2('onecycle_anneal', "anneal_strategy must be one of 'cos' or 'linear', instead got exp"),
    );
    expectPyError(
      () => new S.OneCycleLR(new optim.Adagrad([torch.zeros([2], { requires_grad: true })], 0.1), 0.1, { total_steps: 10 }),
      v2('onecycle_momentum', 'optimizer must support momentum or beta1 with `cycle_momentum` option enabled'),
    );
    expectPyError(
      () => new S.OneCycleLR(sgd(), [0.1, 0.2], { total_steps: 10 }),
      v2('onecycle_max_lr_len', 'max_lr must have the same length as optimizer.param_groups. max_lr has 2 values, param_groups has 1.'),
    );
    const one = new S.OneCycleLR(new optim.SGD([torch.zeros([2], { requires_grad: true })], { lr: 0.1, momentum: 0.9 }), 0.1, { total_steps: 3 });
    for (let i = 0; i < 3; i++) one.step();
    // PyTorch 1.13 counted the constructor's step too ("Tried to step 5 times")
    expectPyError(() => one.step(), v2('onecycle_overstep', 'Tried to step 4 times. The specified number of total steps is 3'));
  });

  it('is reachable as optim.lr_scheduler from the package entry', async () => {
    const mod = await import('../lib/index.js');
    expect(mod.optim.lr_scheduler.StepLR).toBe(lr_scheduler.StepLR);
    expect(Object.keys(mod.optim.lr_scheduler).sort()).toEqual(expect.arrayContaining([
      'CosineAnnealingLR', 'ExponentialLR', 'LRScheduler', 'LambdaLR', 'LinearLR', 'MultiStepLR', 'OneCycleLR',
      'ReduceLROnPlateau', 'StepLR', '_LRScheduler',
    ]));
  });
});
