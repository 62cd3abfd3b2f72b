/**
 * Autograd semantics against PyTorch (test/golden/autograd.json, made by
 * test/golden/make_autograd.py): each scenario of the script is replayed here, with the values,
 * gradients, graph shapes and error messages PyTorch gave. The op-table sweep walks
 * lib/ops/pointwise.ts itself, so an op added with a gradient but no domain here fails.
 */

import { afterEach, describe, expect, it } from 'vitest';
import torch, { Tensor } from '../lib/index.js';
import { binaryOps, unaryOps, type BinaryName, type UnaryName } from '../lib/ops/pointwise.js';
import type { FunctionCtx } from '../lib/autograd/index.js';
import { AccumulateGrad, type Node } from '../lib/autograd/node.js';
import { expectClose, loadGolden } from './helpers/golden.js';

type Nested = number | Nested[];
interface Err { type: string; message: string }
interface Tree { name: string; next: [Tree | null, number][] }
type V = number[];
interface Golden {
  requires_grad: { default: boolean; after_requires_grad_: boolean; after_false: boolean; int_error: Err; nonleaf_false_error: Err };
  accumulate: { x: V; grad1: V; grad2: V };
  backward_gradient: { x: V; v: V; grad: V; implicit_error: Err; shape_error: Err; scalar_shape_error: Err; no_grad_fn_error: Err };
  retain_graph: { x: V; grad1: V; grad2: V; third_error: Err; freed_error: Err; nothing_saved_grad: V };
  detach: {
    x: V; d_requires_grad: boolean; d_is_leaf: boolean; d_grad_fn: boolean; y_after: V;
    y2_requires_grad: boolean; y2_is_leaf: boolean; y2_grad_fn_none: boolean; is_leaf: Record<string, boolean>;
  };
  graph: Record<'full' | 'const_b' | 'exp_sum' | 'mean_pow', Tree>;
  retain_grad: { x: V; y_grad: V; x_grad: V; retains_grad: boolean; w_retains_grad: boolean; w_grad_none: boolean };
  hooks: { x: V; seen_y: V; grad_with_hooks: V; grad_after_remove: V; retained_after_hook: V; x2_grad: V; no_grad_error: Err };
  grad_mode: Record<string, boolean>;
  autograd_grad: {
    cube: { x: V; d1: V; d2: V; d3: V; d1_requires_grad: boolean; d1_grad_fn: string; plain_requires_grad: boolean; x_grad_untouched: boolean;
      create_graph_backward: { grad1: V; requires_grad: boolean; grad2: V } };
    sin: { x: V; d1: V; d2: V };
    mlp: { X: V[]; W1: V[]; b1: V; w2: V; loss: number; g: Nested[]; penalty: number; h: Nested[] };
    unused: { error: Err; allowed: [V, null]; no_requires_grad_error: Err; output_error: Err };
    grad_outputs: { x: V; v: V; grad: V; two_outputs: V };
    nonleaf_input: V;
  };
  function: {
    x: V; exp_y: V; exp_grad: V; exp_grad_fn: string; exp_next: Tree;
    scaled: { a: V; b: V; k: number; y: V; needs: boolean[]; grad_a: V; grad_b: V; needs_const_b: boolean[]; grad_a2: V };
    freed_error: Err; double: { d1: V; d2: V }; too_few_error: Err; bad_shape_error: Err; version_error: Err;
    dirty: { same: boolean; name: string; y: V; grad: V; leaf_error: Err; view_base_name: string; view_y: V; view_grad: V };
  };
  inplace: {
    leaf_error: Err; leaf_view_error: Err; leaf_zero_error: Err; leaf_after_no_grad: V; leaf_version: number;
    version_output: Err; version_const: Err; version_input: Err;
    add_name: string; add_next: Tree; add_grad: V; add_y: V; chain_y: V; chain_grad: V; sub_alpha_grad: V;
    view_base_name: string; view_y: V; view_grad: V; view_version_error: Err;
    copy_view_y: V[]; copy_view_grad_x: V[]; copy_view_grad_k: V; strided_base_y: V[]; strided_base_grad_k: V;
  };
  clamp_tensors: { p: V[]; q: V; r: V; gy: V[]; y: V[]; grad_p: V[]; grad_q: V; grad_r: V };
  zero_dim_view: { y: V[]; grad: number };
  gradcheck: { x: V; ok: boolean; wrong: boolean; wrong_error: Err; flat_first: boolean; flat_second: boolean; gg_ok: boolean; none_error: Err };
  regression: { x: V[]; y: V[]; a0: V; b0: V; lr: number; steps: { loss: number; a_grad: V; b_grad: V }[]; a: V; b: V };
  sweep: {
    unary: Record<string, { x: V } | undefined>;
    binary: Record<string, { a: V[]; b: V; scalar: number } | undefined>;
    gradgrad_unary: string[];
    gradgrad_binary: string[];
  };
}
const golden = loadGolden<Golden>('autograd.json');

const f64 = torch.float64;
const T = (v: Nested, requires_grad = false): Tensor => torch.tensor(v, { dtype: f64, requires_grad });
const vals = (t: Tensor | null | undefined): unknown => {
  expect(t, 'tensor expected').toBeInstanceOf(Tensor);
  return t!.tolist();
};
const close = (t: Tensor | null | undefined, expected: unknown, what = '', rtol = 1e-12, atol = 1e-12): void =>
  expectClose(vals(t), expected, rtol, atol, what);

function errorOf(fn: () => unknown): Err {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return { type: e.name, message: e.message };
    throw e;
  }
  throw new Error('expected an error');
}

function tree(n: Node | null): Tree | null {
  if (!n) return null;
  return { name: n.name(), next: n.next_functions.map(([c, nr]): [Tree | null, number] => [tree(c), nr]) };
}

afterEach(() => {
  // a failed grad-mode test must not leak its mode into the next
  torch.set_grad_enabled(true);
  torch.autograd.set_detect_anomaly(false);
});

describe('requires_grad', () => {
  const g = golden.requires_grad;
  it('defaults, requires_grad_ and its errors', () => {
    const x = torch.tensor([1.0, 2.0], { dtype: torch.float32 });
    expect(x.requires_grad).toBe(g.default);
    x.requires_grad_();
    expect(x.requires_grad).toBe(g.after_requires_grad_);
    x.requires_grad_(false);
    expect(x.requires_grad).toBe(g.after_false);
    expect(errorOf(() => torch.tensor([1, 2]).requires_grad_())).toEqual(g.int_error);
    expect(errorOf(() => torch.ones(2, { requires_grad: true }).mul(2).requires_grad_(false))).toEqual(g.nonleaf_false_error);
    const y = torch.ones(2, { requires_grad: true }).mul(2);
    expect(y.requires_grad_(true)).toBe(y); // allowed on a non-leaf, a no-op
  });
  it('the requires_grad setter', () => {
    const x = torch.ones(2);
    x.requires_grad = true;
    expect(x.requires_grad).toBe(true);
    expect(x.is_leaf).toBe(true);
  });
});

describe('backward', () => {
  it('accumulates .grad over two backward calls', () => {
    const g = golden.accumulate;
    const x = T(g.x, true);
    expect(x.grad).toBeNull();
    x.mul(x).sum().backward();
    close(x.grad, g.grad1);
    const first = x.grad;
    x.pow(3).sum().backward();
    close(x.grad, g.grad2);
    expect(x.grad).toBe(first); // accumulated in place, as PyTorch does outside create_graph
  });

  it('takes a gradient for non-scalar outputs, and checks it', () => {
    const g = golden.backward_gradient;
    const x = T(g.x, true);
    x.mul(x).backward(T(g.v));
    close(x.grad, g.grad);
    expect(errorOf(() => x.mul(2).backward())).toEqual(g.implicit_error);
    expect(errorOf(() => x.mul(2).backward(torch.ones(2, { dtype: f64 })))).toEqual(g.shape_error);
    expect(errorOf(() => x.mul(2).sum().backward(torch.ones(2, { dtype: f64 })))).toEqual(g.scalar_shape_error);
    expect(errorOf(() => torch.ones(2).sum().backward())).toEqual(g.no_grad_fn_error);
  });

  it('retain_graph, and the error for a freed graph', () => {
    const g = golden.retain_graph;
    let x = T(g.x, true);
    const z = x.exp().sum();
    z.backward(null, { retain_graph: true });
    close(x.grad, g.grad1);
    z.backward();
    close(x.grad, g.grad2);
    expect(errorOf(() => z.backward())).toEqual(g.third_error);
    x = T(g.x, true);
    const z2 = x.mul(x).sum();
    z2.backward();
    expect(errorOf(() => z2.backward())).toEqual(g.freed_error);
    expect(g.freed_error.message.startsWith('Trying to backward through the graph a second time')).toBe(true);
    x = T(g.x, true);
    const z3 = x.add(1).sum();
    z3.backward();
    z3.backward();
    close(x.grad, g.nothing_saved_grad);
  });

  it('backward on a leaf, and torch.autograd.backward on several roots', () => {
    const x = T([1, 2, 3], true);
    x.backward(T([1, 1, 2]));
    close(x.grad, [1, 1, 2]);
    const y = T([0.5, -1], true);
    torch.autograd.backward([y.mul(y).sum(), y.mul(3)], [null, T([1, 2])]);
    close(y.grad, [1 + 3, -2 + 6]);
  });

  it('backward(inputs) accumulates into those tensors only', () => {
    const a = T([1, 2], true);
    const b = T([3, 4], true);
    const h = a.mul(b);
    h.sum().backward(null, { inputs: [a] });
    close(a.grad, [3, 4]);
    expect(b.grad).toBeNull();
    const h2 = a.mul(b);
    h2.mul(h2).sum().backward(null, { inputs: [h2, b] });
    close(h2.grad, [6, 16]); // a non-leaf input gets its .grad
    close(b.grad, [6 * 1, 16 * 2]);
    close(a.grad, [3, 4]);
  });
});

describe('detach and leaves', () => {
  const g = golden.detach;
  it('detach shares storage and cuts the graph; detach_ cuts in place', () => {
    const x = T(g.x, true);
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requires_grad).toBe(g.d_requires_grad);
    expect(d.is_leaf).toBe(g.d_is_leaf);
    expect(d.grad_fn === null).toBe(g.d_grad_fn);
    d.add_(10);
    close(y, g.y_after);
    const y2 = x.mul(3);
    y2.detach_();
    expect(y2.requires_grad).toBe(g.y2_requires_grad);
    expect(y2.is_leaf).toBe(g.y2_is_leaf);
    expect(y2.grad_fn === null).toBe(g.y2_grad_fn_none);
    const madeInNoGrad = torch.no_grad(() => x.mul(2));
    expect({ x: x.is_leaf, y: y.is_leaf, const: torch.ones(2).is_leaf, no_grad: madeInNoGrad.is_leaf,
      no_grad_requires_grad: madeInNoGrad.requires_grad }).toEqual(g.is_leaf);
  });
  it('an in-place op on a detached tensor stays out of the original graph', () => {
    const x = T([1, 2], true);
    const y = x.mul(2);
    const k = T([5, 6], true);
    const d = y.detach();
    d.mul_(k); // d now depends on k; y's history is untouched
    expect(d.grad_fn?.name()).toBe('MulBackward0');
    expect(y.grad_fn?.name()).toBe('MulBackward0');
    y.sum().backward();
    close(x.grad, [2, 2]);
    expect(k.grad).toBeNull();
  });
  it("detach_ refuses views, as PyTorch does", () => {
    const y = T([[1, 2], [3, 4]], true).mul(1);
    expect(errorOf(() => y.select(0, 0).detach_()).message.startsWith("Can't detach views in-place. Use detach() instead.")).toBe(true);
  });
});

describe('graph structure', () => {
  const g = golden.graph;
  it('grad_fn names and next_functions', () => {
    const a = torch.tensor([1.0, 2.0], { dtype: torch.float32, requires_grad: true });
    const b = torch.tensor([3.0, 4.0], { dtype: torch.float32, requires_grad: true });
    const c = torch.tensor([5.0, 6.0], { dtype: torch.float32, requires_grad: true });
    const k = torch.tensor([3.0, 4.0], { dtype: torch.float32 });
    expect(tree(a.mul(b).add(c).sum().grad_fn)).toEqual(g.full);
    expect(tree(a.mul(k).add(c).sum().grad_fn)).toEqual(g.const_b);
    expect(tree(a.exp().sum().grad_fn)).toEqual(g.exp_sum);
    // the lecture's loss: compared by the chain of names, because torchlab gives pow(x, 2) a second,
    // empty edge for the exponent where PyTorch's Scalar overload has none
    const chain = (t: Tree | null): string[] => (t ? [t.name, ...chain(t.next[0]?.[0] ?? null)] : []);
    expect(chain(tree(a.sub(c).pow(2).mean().grad_fn))).toEqual(chain(g.mean_pow));
    expect(chain(g.mean_pow)).toEqual(['MeanBackward0', 'PowBackward0', 'SubBackward0', 'torch::autograd::AccumulateGrad']);
  });
  it('the leaf accumulators are the leaves', () => {
    const a = T([1, 2], true);
    const b = T([3, 4], true);
    const mul = a.mul(b).grad_fn!;
    const [[accA], [accB]] = mul.next_functions;
    expect(accA).toBe(a.grad_fn ?? a._accumulator());
    expect(accA).toBeInstanceOf(AccumulateGrad);
    expect(accA instanceof AccumulateGrad && accA.variable).toBe(a);
    expect(accB instanceof AccumulateGrad && accB.variable).toBe(b);
    // every use of a leaf shares its accumulator
    expect(a.exp().grad_fn!.next_functions[0]![0]).toBe(accA);
  });
});

describe('retain_grad and hooks', () => {
  it('retain_grad keeps a non-leaf gradient', () => {
    const g = golden.retain_grad;
    const x = T(g.x, true);
    const y = x.mul(2);
    y.retain_grad();
    const w = y.mul(3);
    y.mul(w).sum().backward();
    close(y.grad, g.y_grad);
    close(x.grad, g.x_grad);
    expect(y.retains_grad).toBe(g.retains_grad);
    expect(w.retains_grad).toBe(g.w_retains_grad);
    expect(w.grad === null).toBe(g.w_grad_none);
  });

  it('register_hook on leaves and non-leaves, and handle.remove()', () => {
    const g = golden.hooks;
    const x = T(g.x, true);
    let seen: unknown = null;
    const hLeaf = x.register_hook((grad) => grad.mul(10));
    let y = x.mul(x);
    y.register_hook((grad) => {
      seen = grad.tolist();
    });
    y.register_hook((grad) => grad.add(1));
    y.sum().backward();
    expectClose(seen, g.seen_y);
    close(x.grad, g.grad_with_hooks);
    hLeaf.remove();
    x.grad = null;
    y = x.mul(x);
    y.sum().backward();
    close(x.grad, g.grad_after_remove);

    const x2 = T(g.x, true);
    const y2 = x2.mul(2);
    y2.register_hook((grad) => grad.mul(100));
    y2.retain_grad();
    y2.mul(y2).sum().backward();
    close(y2.grad, g.retained_after_hook);
    close(x2.grad, g.x2_grad);
    expect(errorOf(() => torch.ones(2).register_hook((grad) => grad))).toEqual(g.no_grad_error);
  });
});

describe('grad mode', () => {
  it('no_grad, enable_grad, set_grad_enabled, is_grad_enabled', () => {
    const g = golden.grad_mode;
    const x = torch.tensor([1.0, 2.0], { dtype: torch.float32, requires_grad: true });
    const gm: Record<string, boolean> = {};
    torch.no_grad(() => {
      gm.no_grad_rg = x.mul(2).requires_grad;
      gm.no_grad_enabled = torch.is_grad_enabled();
      torch.enable_grad(() => {
        gm.enable_inside_rg = x.mul(2).requires_grad;
        gm.enable_inside_enabled = torch.is_grad_enabled();
      });
      gm.after_enable_enabled = torch.is_grad_enabled();
    });
    gm.after_enabled = torch.is_grad_enabled();
    torch.set_grad_enabled(false);
    gm.set_false_enabled = torch.is_grad_enabled();
    gm.set_false_rg = x.mul(2).requires_grad;
    torch.set_grad_enabled(true);
    gm.set_true_enabled = torch.is_grad_enabled();
    torch.set_grad_enabled(false, () => {
      gm.ctx_false_rg = x.mul(2).requires_grad;
    });
    gm.ctx_after_enabled = torch.is_grad_enabled();
    expect(gm).toEqual(g);
  });
  it('restores the mode when the callback throws, and returns its value', () => {
    expect(() => torch.no_grad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(torch.is_grad_enabled()).toBe(true);
    expect(torch.no_grad(() => 42)).toBe(42);
  });
  it('holds the mode until an async callback settles', async () => {
    const x = T([1], true);
    const p = torch.no_grad(async () => {
      await Promise.resolve();
      return x.mul(2).requires_grad;
    });
    expect(torch.is_grad_enabled()).toBe(false);
    expect(await p).toBe(false);
    expect(torch.is_grad_enabled()).toBe(true);
  });
});

describe('torch.autograd.grad', () => {
  const g = golden.autograd_grad;
  it('higher derivatives of x**3', () => {
    const c = g.cube;
    const x = T(c.x, true);
    const [d1] = torch.autograd.grad(x.pow(3).sum(), x, { create_graph: true });
    close(d1, c.d1);
    expect(d1!.requires_grad).toBe(c.d1_requires_grad);
    expect(d1!.grad_fn!.name()).toBe(c.d1_grad_fn);
    const [d2] = torch.autograd.grad(d1!.sum(), x, { create_graph: true });
    close(d2, c.d2);
    const [d3] = torch.autograd.grad(d2!.sum(), x);
    close(d3, c.d3);
    expect(x.grad === null).toBe(c.x_grad_untouched);
    const xp = T(c.x, true);
    const [p1] = torch.autograd.grad(xp.pow(3).sum(), xp);
    expect(p1!.requires_grad).toBe(c.plain_requires_grad);
  });
  it('backward with create_graph, then backward through the gradient', () => {
    const c = g.cube.create_graph_backward;
    const x = T(g.cube.x, true);
    x.pow(3).sum().backward(null, { create_graph: true });
    close(x.grad, c.grad1);
    expect(x.grad!.requires_grad).toBe(c.requires_grad);
    x.grad!.sum().backward();
    close(x.grad, c.grad2);
  });
  it('second derivative of sin', () => {
    const s = g.sin;
    const x = T(s.x, true);
    const [d1] = torch.autograd.grad(x.sin().sum(), x, { create_graph: true });
    close(d1, s.d1);
    const [d2] = torch.autograd.grad(d1!.sum(), x);
    close(d2, s.d2);
  });
  it('an MLP-like expression: gradients, and the gradient of a gradient penalty', () => {
    const m = g.mlp;
    const X = T(m.X);
    const W1 = T(m.W1, true);
    const b1 = T(m.b1, true);
    const w2 = T(m.w2, true);
    const h = X.unsqueeze(2).mul(W1).sum(1).add(b1).tanh();
    const loss = h.mul(w2).sum(1).pow(2).mean();
    expect(loss.item()).toBeCloseTo(m.loss, 12);
    const grads = torch.autograd.grad(loss, [W1, b1, w2], { create_graph: true });
    grads.forEach((gr, i) => close(gr, m.g[i], `g${i}`));
    const penalty = grads.map((gr) => gr!.pow(2).sum()).reduce((p, q) => p.add(q));
    expect(penalty.item()).toBeCloseTo(m.penalty, 12);
    const hs = torch.autograd.grad(penalty, [W1, b1, w2]);
    hs.forEach((gr, i) => close(gr, m.h[i], `h${i}`, 1e-10, 1e-12));
  });
  it('allow_unused and its errors', () => {
    const u = g.unused;
    const x = T(g.cube.x, true);
    const unusedT = T([1], true);
    expect(errorOf(() => torch.autograd.grad(x.mul(x).sum(), [x, unusedT]))).toEqual(u.error);
    const [gx, gu] = torch.autograd.grad(x.mul(x).sum(), [x, unusedT], { allow_unused: true });
    close(gx, u.allowed[0]);
    expect(gu).toBeNull();
    expect(errorOf(() => torch.autograd.grad(x.mul(2).sum(), torch.ones(2)))).toEqual(u.no_requires_grad_error);
    expect(errorOf(() => torch.autograd.grad([x.mul(2).sum(), torch.ones([])], x))).toEqual(u.output_error);
  });
  it('grad_outputs, several outputs, and a non-leaf input', () => {
    const go = g.grad_outputs;
    const x = T(go.x, true);
    const [g1] = torch.autograd.grad(x.mul(x), x, { grad_outputs: T(go.v) });
    close(g1, go.grad);
    const [g2] = torch.autograd.grad([x.mul(x), x.sin()], x, { grad_outputs: [T(go.v), torch.ones(3, { dtype: f64 })] });
    close(g2, go.two_outputs);
    const h = x.exp();
    const [gh] = torch.autograd.grad(h.mul(h).sum(), h);
    close(gh, g.nonleaf_input);
    expect(x.grad).toBeNull();
  });
  it('runs only the part of the graph that leads to the inputs', () => {
    const x = T([1, 2], true);
    const other = T([3, 4], true);
    const frozen = other.exp(); // its backward would fail once freed
    frozen.sum().backward();
    const y = x.mul(2).add(frozen);
    const [gx] = torch.autograd.grad(y.sum(), x);
    close(gx, [2, 2]);
    // the target's own node does not run either: capturing at a non-leaf stops there
    const e = x.exp();
    e.sum().backward(); // frees ExpBackward0
    const [ge] = torch.autograd.grad(e.mul(3).sum(), e);
    close(ge, [3, 3]);
  });
});

class Exp extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, i: Tensor): Tensor {
    const result = i.exp();
    ctx.save_for_backward(result);
    return result;
  }
  static override backward(ctx: FunctionCtx, grad_output: Tensor): Tensor {
    const [result] = ctx.saved_tensors;
    return grad_output.mul(result!);
  }
}

/** a * b * k with k a plain number; records what needs_input_grad said. */
class ScaledMul extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, a: Tensor, b: Tensor, k: number): Tensor {
    ctx.save_for_backward(a, b);
    ctx.k = k;
    seenNeeds = ctx.needs_input_grad.slice();
    return a.mul(b).mul(k);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): (Tensor | null)[] {
    const [a, b] = ctx.saved_tensors;
    const k = ctx.k as number;
    return [
      ctx.needs_input_grad[0] ? g.mul(b!).mul(k) : null,
      ctx.needs_input_grad[1] ? g.mul(a!).mul(k) : null,
      null,
    ];
  }
}
let seenNeeds: boolean[] = [];

class TooFew extends torch.autograd.Function {
  static override forward(_ctx: FunctionCtx, a: Tensor, b: Tensor): Tensor {
    return a.mul(b);
  }
  static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
    return g;
  }
}

class BadShape extends torch.autograd.Function {
  static override forward(_ctx: FunctionCtx, a: Tensor): Tensor {
    return a.mul(2);
  }
  static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
    return torch.ones(5, { dtype: g.dtype });
  }
}

class WrongSin extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, a: Tensor): Tensor {
    ctx.save_for_backward(a);
    return a.sin();
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [a] = ctx.saved_tensors;
    return g.mul(a!.cos()).mul(1.1);
  }
}

/** The right first derivative, but a backward that is not differentiable w.r.t. the input. */
class FlatSin extends torch.autograd.Function {
  static override forward(ctx: FunctionCtx, a: Tensor): Tensor {
    ctx.save_for_backward(a);
    return a.sin();
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [a] = ctx.saved_tensors;
    return g.mul(a!.detach().cos());
  }
}

describe('torch.autograd.Function', () => {
  const g = golden.function;
  it('a custom Exp with save_for_backward', () => {
    const x = T(g.x, true);
    const y = Exp.apply(x);
    close(y, g.exp_y);
    expect(y.grad_fn!.name()).toBe(g.exp_grad_fn);
    expect(tree(y.grad_fn)).toEqual(g.exp_next);
    y.sum().backward();
    close(x.grad, g.exp_grad);
  });
  it('two tensor inputs and a number, with needs_input_grad', () => {
    const s = g.scaled;
    const a = T(s.a, true);
    const b = T(s.b, true);
    const y = ScaledMul.apply(a, b, s.k);
    expect(seenNeeds).toEqual(s.needs);
    close(y, s.y);
    y.sum().backward();
    close(a.grad, s.grad_a);
    close(b.grad, s.grad_b);
    const a2 = T(s.a, true);
    const y2 = ScaledMul.apply(a2, T(s.b), s.k);
    expect(seenNeeds).toEqual(s.needs_const_b);
    y2.sum().backward();
    close(a2.grad, s.grad_a2);
    torch.no_grad(() => ScaledMul.apply(a, b, 1));
    expect(seenNeeds).toEqual([false, false, false]);
  });
  it('frees saved tensors after backward, and differentiates twice', () => {
    const x = T(g.x, true);
    const y = Exp.apply(x).sum();
    y.backward();
    expect(errorOf(() => y.backward())).toEqual(g.freed_error);
    const x2 = T(g.x, true);
    const [e1] = torch.autograd.grad(Exp.apply(x2).sum(), x2, { create_graph: true });
    close(e1, g.double.d1);
    const [e2] = torch.autograd.grad(e1!.sum(), x2);
    close(e2, g.double.d2);
  });
  it("checks backward's results and saved tensors", () => {
    const x = T(g.x, true);
    expect(errorOf(() => TooFew.apply(x, x).sum().backward())).toEqual(g.too_few_error);
    expect(errorOf(() => BadShape.apply(x).sum().backward())).toEqual(g.bad_shape_error);
    const y = Exp.apply(T(g.x, true));
    torch.no_grad(() => y.mul_(2));
    expect(errorOf(() => y.sum().backward())).toEqual(g.version_error);
  });
  it('mark_dirty: a Function that modifies its input in place', () => {
    class AddOneInplace extends torch.autograd.Function {
      static override forward(ctx: FunctionCtx, a: Tensor): Tensor {
        a.add_(1);
        ctx.mark_dirty(a);
        return a;
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(3);
      }
    }
    const d = g.dirty;
    const x = T(g.x, true);
    const y = x.mul(2);
    const z = AddOneInplace.apply(y);
    expect(z === y).toBe(d.same);
    expect(y.grad_fn!.name()).toBe(d.name);
    y.mul(y).sum().backward();
    close(y, d.y);
    close(x.grad, d.grad);
    expect(errorOf(() => AddOneInplace.apply(T(g.x, true)))).toEqual(d.leaf_error);
    const x2 = T(g.x, true);
    const y2 = x2.mul(2);
    AddOneInplace.apply(y2.narrow(0, 0, 2));
    expect(y2.grad_fn!.name()).toBe(d.view_base_name);
    y2.mul(y2).sum().backward();
    close(y2, d.view_y);
    close(x2.grad, d.view_grad);
  });
  it('apply needs its class', () => {
    // the type checker already refuses `const f = Exp.apply; f(x)`; at run time it is a clear TypeError
    expect(() => Reflect.apply(Exp.apply, undefined, [T([1], true)])).toThrow(/called without its class/);
  });
  it('mark_non_differentiable and an input returned as-is', () => {
    class SortLike extends torch.autograd.Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor[] {
        const flag = x.gt(0).to(x.dtype);
        ctx.mark_non_differentiable(flag);
        return [x.mul(2), flag, x];
      }
      static override backward(_ctx: FunctionCtx, g0: Tensor, g1: Tensor, g2: Tensor): Tensor {
        expect(g1.tolist()).toEqual([0, 0]); // non-differentiable outputs get zeros
        return g0.mul(2).add(g2);
      }
    }
    const x = T([1, -2], true);
    const [y, flag, same] = SortLike.apply(x);
    expect(flag!.requires_grad).toBe(false);
    expect(same).not.toBe(x);
    expect(same!.grad_fn).toBe(y!.grad_fn);
    y!.add(same!).sum().backward();
    close(x.grad, [3, 3]);
  });
});

describe('in-place operations', () => {
  const g = golden.inplace;
  it('refuses leaves that require grad, outside no_grad', () => {
    const x = T(golden.autograd_grad.cube.x, true);
    expect(errorOf(() => x.add_(1))).toEqual(g.leaf_error);
    expect(errorOf(() => x.narrow(0, 0, 2).mul_(2))).toEqual(g.leaf_view_error);
    expect(errorOf(() => x.zero_())).toEqual(g.leaf_zero_error);
    close(x, golden.autograd_grad.cube.x); // nothing was written
    torch.no_grad(() => x.mul_(2));
    close(x, g.leaf_after_no_grad);
    expect(x._storage.version).toBe(g.leaf_version);
  });
  it('the version-counter error names the saved tensor', () => {
    const xs = golden.autograd_grad.cube.x;
    let x = T(xs, true);
    const y = x.exp();
    y.add_(1);
    expect(errorOf(() => y.sum().backward())).toEqual(g.version_output);
    expect(g.version_output.message.startsWith(
      'one of the variables needed for gradient computation has been modified by an inplace operation')).toBe(true);
    x = T(xs, true);
    const c = T([1, 2, 3]);
    const z = x.mul(c);
    c.add_(1);
    expect(errorOf(() => z.sum().backward())).toEqual(g.version_const);
    x = T(xs, true);
    const y2 = x.mul(1);
    const w = y2.mul(y2);
    y2.add_(1);
    expect(errorOf(() => w.sum().backward())).toEqual(g.version_input);
  });
  it('in-place ops on non-leaves stay differentiable', () => {
    const xs = golden.autograd_grad.cube.x;
    let x = T(xs, true);
    let y = x.mul(2);
    y.add_(1);
    expect(y.grad_fn!.name()).toBe(g.add_name);
    expect(tree(y.grad_fn)).toEqual(g.add_next);
    y.sum().backward();
    close(x.grad, g.add_grad);
    close(y, g.add_y);
    x = T(xs, true);
    y = x.mul(1);
    y.mul_(x);
    y.exp_();
    y.sum().backward();
    close(y, g.chain_y);
    close(x.grad, g.chain_grad);
    x = T(xs, true);
    y = x.mul(1);
    y.sub_(x.sin(), { alpha: 2 });
    y.sum().backward();
    close(x.grad, g.sub_alpha_grad);
  });
  it('writing through a view of a non-leaf reaches the base (CopySlices)', () => {
    const xs = golden.autograd_grad.cube.x;
    let x = T(xs, true);
    let y = x.mul(2);
    y.narrow(0, 0, 2).mul_(3);
    expect(y.grad_fn!.name()).toBe(g.view_base_name);
    y.pow(2).sum().backward();
    close(y, g.view_y);
    close(x.grad, g.view_grad);

    x = T([[1, 2], [3, 4]], true);
    const e = x.exp();
    e.select(1, 0).zero_();
    expect(errorOf(() => e.sum().backward())).toEqual(g.view_version_error);

    x = T([[1, 2], [3, 4]], true);
    const k = T([0.5, -1.5], true);
    y = x.mul(1);
    y.select(1, 1).copy_(k.pow(2));
    y.mul(T([[1, 2], [3, 4]])).sum().backward();
    close(y, g.copy_view_y);
    close(x.grad, g.copy_view_grad_x);
    close(k.grad, g.copy_view_grad_k);
  });
  it('CopySlices on a base with non-contiguous strides', () => {
    const k = T([0.5, -1.5], true);
    const d = T([[1, 2], [3, 4]]).t().detach();
    expect(d.is_contiguous()).toBe(false);
    d.select(0, 1).mul_(k);
    expect(d.requires_grad).toBe(true);
    d.exp().mul(T([[1, 2], [3, 4]])).sum().backward();
    close(d, g.strided_base_y);
    close(k.grad, g.strided_base_grad_k);
    const f = (kk: Tensor): Tensor => {
      const base = T([[1, 2, 0.5], [3, 4, -1]]).t().detach();
      base.narrow(0, 1, 2).mul_(kk);
      base.select(1, 0).add_(kk.sum());
      return base.sin();
    };
    expect(torch.autograd.gradcheck(f, [T([0.5, -1.5], true)])).toBe(true);
    expect(torch.autograd.gradgradcheck(f, [T([0.5, -1.5], true)])).toBe(true);
  });
  it('CopySlices supports double backward and gradcheck', () => {
    const f = (x: Tensor, k: Tensor): Tensor => {
      const y = x.mul(x);
      y.narrow(1, 1, 2).mul_(k);
      y.select(0, 0).add_(k.sin().sum());
      return y.exp();
    };
    const x = T([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]], true);
    const k = T([0.7, -0.9], true);
    expect(torch.autograd.gradcheck(f, [x, k])).toBe(true);
    expect(torch.autograd.gradgradcheck(f, [x, k])).toBe(true);
  });
});

describe('op backward formulas', () => {
  it('clamp with tensor bounds where min > max', () => {
    const c = golden.clamp_tensors;
    const p = T(c.p, true);
    const q = T(c.q, true);
    const r = T(c.r, true);
    const y = p.clamp(q, r);
    close(y, c.y);
    y.backward(T(c.gy));
    close(p.grad, c.grad_p);
    close(q.grad, c.grad_q);
    close(r.grad, c.grad_r);
  });
  it('views of 0-d tensors, forward and backward', () => {
    const z = golden.zero_dim_view;
    const x = T(2.5, true);
    const y = x.reshape(1, 1).mul(T([[3]]));
    close(y, z.y);
    const [g1] = torch.autograd.grad(y.sum(), x, { create_graph: true });
    expect(g1!.shape).toEqual([]);
    close(g1, z.grad);
  });
});

describe('anomaly mode', () => {
  it('switches the version error hint, and rejects NaN gradients', () => {
    torch.autograd.set_detect_anomaly(true);
    expect(torch.autograd.is_anomaly_enabled()).toBe(true);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (m: string) => warnings.push(m);
    try {
      const x = T([1, 2], true);
      const y = x.exp();
      y.add_(1);
      expect(errorOf(() => y.sum().backward()).message).toMatch(
        /is at version 1; expected version 0 instead\. Hint: the backtrace further above shows the operation that failed to compute its gradient\. The variable in question was changed in there or anywhere later\. Good luck!$/,
      );
      expect(warnings[0]).toMatch(/^Error detected in ExpBackward0\. Traceback of forward call that caused the error:\n/);
      const z = T([0, 2], true);
      expect(errorOf(() => z.sqrt().mul(0).sum().backward())).toEqual({
        type: 'RuntimeError',
        message: "Function 'SqrtBackward0' returned nan values in its 0th output.",
      });
    } finally {
      console.warn = warn;
      torch.autograd.set_detect_anomaly(false);
    }
    const z = T([0, 2], true);
    z.sqrt().mul(0).sum().backward(); // outside anomaly mode a NaN gradient is just a value
    expect(Number.isNaN((z.grad!.tolist() as number[])[0])).toBe(true);
    const r = torch.autograd.detect_anomaly(() => torch.autograd.is_anomaly_enabled());
    expect(r).toBe(true);
    expect(torch.autograd.is_anomaly_enabled()).toBe(false);
  });
});

describe('gradcheck and gradgradcheck', () => {
  const g = golden.gradcheck;
  const t = (): Tensor => T(g.x, true);
  it('pass on correct functions, fail on wrong ones', () => {
    expect(torch.autograd.gradcheck((a) => a.sin().mul(a), [t()])).toBe(g.ok);
    expect(torch.autograd.gradcheck((a) => WrongSin.apply(a), [t()], { raise_exception: false })).toBe(g.wrong);
    const e = errorOf(() => torch.autograd.gradcheck((a) => WrongSin.apply(a), [t()]));
    expect(e.type).toBe(g.wrong_error.type);
    const m = /^(Jacobian mismatch for output 0 with respect to input 0,\nnumerical:)[^]*\nanalytical:[^]*\n$/.exec(e.message);
    expect(m, e.message).not.toBeNull();
    expect(g.wrong_error.message.startsWith(m![1])).toBe(true);
    expect(e).toEqual(expect.objectContaining({ type: 'GradcheckError' }));
    expect(torch.autograd.gradcheck((a) => FlatSin.apply(a), [t()])).toBe(g.flat_first);
    expect(torch.autograd.gradgradcheck((a) => FlatSin.apply(a), [t()], { raise_exception: false })).toBe(g.flat_second);
    expect(torch.autograd.gradgradcheck((a, b) => a.mul(b).exp(), [t(), t()])).toBe(g.gg_ok);
    expect(errorOf(() => torch.autograd.gradcheck((a) => a.sin(), [T([1])]))).toEqual(g.none_error);
  });
  it('gradcheck errors are RuntimeErrors', () => {
    try {
      torch.autograd.gradcheck((a) => WrongSin.apply(a), [t()]);
    } catch (e) {
      expect(e).toBeInstanceOf(torch.RuntimeError);
      expect(e).toBeInstanceOf(torch.autograd.GradcheckError);
    }
  });
  it('several outputs, non-contiguous inputs, explicit grad_outputs', () => {
    const a = T([[0.3, -1.2, 0.8], [1.1, 0.4, -0.5]]).t().detach().requires_grad_();
    expect(a.is_contiguous()).toBe(false);
    const b = T([0.9, -0.7], true);
    expect(torch.autograd.gradcheck((p, q) => [p.mul(q).sin(), p.sum(0).exp()], [a, b])).toBe(true);
    expect(torch.autograd.gradgradcheck((p, q) => [p.mul(q).sin(), p.sum(0).exp()], [a, b])).toBe(true);
    const go = T([[0.5, -1], [2, 0.25], [1, 1]]).requires_grad_();
    expect(torch.autograd.gradgradcheck((p) => p.pow(3), [a], go)).toBe(true);
    // the inputs are left as they were, including their version counters
    expect(a.tolist()).toEqual([[0.3, 1.1], [-1.2, 0.4], [0.8, -0.5]]);
    expect(a._storage.version).toBe(0);
  });
  it('a wrong derivative in a second output or a second input is found', () => {
    class HalfWrong extends torch.autograd.Function {
      static override forward(ctx: FunctionCtx, a: Tensor, b: Tensor): Tensor {
        ctx.save_for_backward(a, b);
        return a.mul(b);
      }
      static override backward(ctx: FunctionCtx, g: Tensor): Tensor[] {
        const [a, b] = ctx.saved_tensors;
        return [g.mul(b!), g.mul(a!).mul(2)];
      }
    }
    const a = T([0.5, 1.5], true);
    const b = T([-0.5, 2], true);
    const e = errorOf(() => torch.autograd.gradcheck((p, q) => HalfWrong.apply(p, q), [a, b]));
    expect(e.message.startsWith('Jacobian mismatch for output 0 with respect to input 1,\nnumerical:')).toBe(true);
  });
});

describe("the lecture's linear regression", () => {
  it('matches PyTorch over 20 steps', () => {
    const g = golden.regression;
    const x = torch.tensor(g.x, { dtype: torch.float32 });
    const y = torch.tensor(g.y, { dtype: torch.float32 });
    const a = torch.tensor(g.a0, { dtype: torch.float32 });
    const b = torch.tensor(g.b0, { dtype: torch.float32 });
    a.requires_grad_();
    b.requires_grad_();
    const lr = g.lr;
    g.steps.forEach((step, i) => {
      const loss = a.add(b.mul(x)).sub(y).pow(2).mean();
      loss.backward();
      expectClose(loss.item(), step.loss, 1e-5, 1e-7, `loss ${i}`);
      close(a.grad, step.a_grad, `a.grad ${i}`, 1e-4, 1e-6);
      close(b.grad, step.b_grad, `b.grad ${i}`, 1e-4, 1e-6);
      torch.no_grad(() => {
        a.sub_(a.grad!.mul(lr));
        b.sub_(b.grad!.mul(lr));
      });
      a.grad!.zero_();
      b.grad!.zero_();
    });
    close(a, g.a, 'a', 1e-5, 1e-6);
    close(b, g.b, 'b', 1e-5, 1e-6);
    expect(a.is_leaf && b.is_leaf).toBe(true);
    expect(a.grad!.shape).toEqual([1]);
    expect(a.grad!.tolist()).toEqual([0]);
  });
});

// ---- the op table, swept with gradcheck ----

const sweep = golden.sweep;
const gradgradUnary = new Set<string>(sweep.gradgrad_unary);
const gradgradBinary = new Set<string>(sweep.gradgrad_binary);

describe('gradcheck over the unary op table', () => {
  for (const [name, def] of Object.entries(unaryOps) as [UnaryName, (typeof unaryOps)[UnaryName]][]) {
    if (!def.grad) continue;
    it(name, () => {
      const entry = sweep.unary[name];
      expect(entry, `no gradcheck domain for ${name}: add one to test/golden/make_autograd.py`).toBeDefined();
      const x = T(entry!.x, true);
      const f = (t: Tensor): Tensor => t[name]();
      expect(torch.autograd.gradcheck(f, [x])).toBe(true);
      if (gradgradUnary.has(name)) expect(torch.autograd.gradgradcheck(f, [x])).toBe(true);
    });
  }
  it('the gradgradcheck subset names real ops', () => {
    for (const n of gradgradUnary) expect(unaryOps[n as UnaryName]?.grad, n).toBeDefined();
  });
});

describe('gradcheck over the binary op table', () => {
  for (const [name, def] of Object.entries(binaryOps) as [BinaryName, (typeof binaryOps)[BinaryName]][]) {
    if (!def.grad) continue;
    it(name, () => {
      const entry = sweep.binary[name];
      expect(entry, `no gradcheck domain for ${name}: add one to test/golden/make_autograd.py`).toBeDefined();
      const a = T(entry!.a, true);
      const b = T(entry!.b, true);
      const f = (p: Tensor, q: Tensor): Tensor => p[name](q);
      expect(torch.autograd.gradcheck(f, [a, b])).toBe(true); // b broadcasts over a's rows
      // ops PyTorch only defines for two tensors refuse a number, so there is no scalar case to check
      if (!def.tensorOnly) expect(torch.autograd.gradcheck((p) => p[name](entry!.scalar), [a])).toBe(true);
      // a non-contiguous leaf, and b constant
      const at = T(entry!.a).t().contiguous().t().detach().requires_grad_();
      expect(torch.autograd.gradcheck((p) => p[name](T(entry!.b)), [at])).toBe(true);
      if (gradgradBinary.has(name)) expect(torch.autograd.gradgradcheck(f, [a, b])).toBe(true);
    });
  }
  it('the gradgradcheck subset names real ops', () => {
    for (const n of gradgradBinary) expect(binaryOps[n as BinaryName]?.grad, n).toBeDefined();
  });
});

describe('gradcheck over the pointwise ops with extra arguments', () => {
  const a = (): Tensor => T([[0.3, -1.2, 0.8], [1.1, 0.45, -0.5]], true);
  const b = (): Tensor => T([0.9, -0.7, 1.3], true);
  const w = (): Tensor => T([0.2, 0.6, 0.9], true);
  const cases: [string, (p: Tensor, q: Tensor, r: Tensor) => Tensor][] = [
    ['add alpha', (p, q) => p.add(q, { alpha: 2.5 })],
    ['sub alpha', (p, q) => p.sub(q, { alpha: -1.5 })],
    ['div', (p, q) => p.div(q)],
    ['div floor', (p, q) => p.div(q, { rounding_mode: 'floor' }).add(p)],
    ['where', (p, q) => torch.where(p.gt(0), p, q) as Tensor],
    ['clamp numbers', (p) => p.clamp(-1, 1)],
    ['clamp tensors', (p, q, r) => p.clamp(q.mul(0.5), r)],
    ['clamp_min', (p) => p.clamp_min(0.1)],
    ['lerp number', (p, q) => p.lerp(q.expand(2, 3), 0.3)],
    ['lerp tensor', (p, q, r) => p.lerp(q.expand(2, 3), r)],
    ['addcmul', (p, q, r) => p.addcmul(q, r, { value: 0.5 })],
    ['addcdiv', (p, q, r) => p.addcdiv(q, r, { value: -2 })],
    ['masked_fill', (p, q) => p.mul(q).masked_fill(p.lt(0), 0.25)],
    ['masked_fill tensor value', (p, q) => p.masked_fill(p.lt(0), q.sum())],
  ];
  for (const [label, f] of cases) {
    it(label, () => {
      expect(torch.autograd.gradcheck(f, [a(), b(), w()])).toBe(true);
      expect(torch.autograd.gradgradcheck(f, [a(), b(), w()])).toBe(true);
    });
  }
});

describe('gradcheck over views and reductions', () => {
  const x = (): Tensor => T([[0.3, -1.2, 0.8, 0.1], [1.1, 0.45, -0.5, 2.0], [-0.7, 0.25, 1.6, -1.9]], true);
  const cases: [string, (p: Tensor) => Tensor][] = [
    ['view', (p) => p.view(4, 3).mul(T([1, 2, 3]))],
    ['reshape of a transpose', (p) => p.t().reshape(-1).mul(T([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))],
    ['permute', (p) => p.unsqueeze(0).permute(2, 0, 1).mul(T([1, 2, 3]))],
    ['expand', (p) => p.narrow(0, 0, 1).expand(3, 4).mul(p)],
    ['squeeze', (p) => p.unsqueeze(1).squeeze(1).pow(2)],
    ['narrow', (p) => p.narrow(1, 1, 2).mul(p.narrow(1, 0, 2))],
    ['select', (p) => p.select(1, 2).exp()],
    ['diagonal', (p) => p.diagonal(1).sin()],
    ['unfold', (p) => p.unfold(1, 2, 1).pow(2)],
    ['as_strided', (p) => p.as_strided([2, 2], [1, 4], 1).mul(T([[1, 2], [3, 4]]))],
    ['sum', (p) => p.sum(1).pow(2)],
    ['sum keepdim', (p) => p.sum([0], true).mul(p)],
    ['mean', (p) => p.mean(0).exp()],
    ['amax', (p) => p.amax(1)],
    ['max dim', (p) => p.max(1).values.mul(3)],
    ['min', (p) => p.min().mul(2)],
    ['var', (p) => p.var(1)],
    ['std', (p) => p.std(0)],
    ['logsumexp', (p) => p.logsumexp(1)],
    ['norm', (p) => p.norm()],
    ['norm dim', (p) => p.norm(2, 1)],
    ['norm p=3', (p) => p.norm(3, 0)],
    ['clone', (p) => p.clone().mul(p)],
  ];
  for (const [label, f] of cases) {
    it(label, () => {
      expect(torch.autograd.gradcheck(f, [x()])).toBe(true);
      expect(torch.autograd.gradgradcheck(f, [x()])).toBe(true);
    });
  }
});
