/**
 * The ops added by the API coverage audit against PyTorch 1.13 (test/golden/api.json, made by
 * test/golden/make_api.py): every case is replayed by name with the same arguments (keyword
 * arguments as the trailing options object); values, dtypes and shapes must match, gradients
 * and grad_fn names too where the case asks, and error cases must raise PyTorch's exception type and message.
 * A few properties PyTorch leaves open (which sign an eigenvector has) are checked as such.
 */

import { describe, expect, it } from 'vitest';
import torch, { Tensor } from '../lib/index.js';
import { gradcheck, gradgradcheck } from '../lib/autograd/gradcheck.js';
import { expectClose, loadGolden } from './helpers/golden.js';

type Json = number | boolean | string | null | Json[] | { [k: string]: Json };
interface TensorSpec { t: Json; dtype: string; shape: number[] }
interface Case {
  call: string; args: Json[]; kw?: Record<string, Json>; out: Json; tol?: [number, number];
  abs?: number[]; sq?: number[]; gouts?: (Json | null)[]; grads?: (Json | null)[]; grad_fn?: (string | null)[]; note?: string;
}
interface ErrCase { call: string; args: Json[]; kw: Record<string, Json>; type: string; message: string }
const golden = loadGolden<{ cases: Case[]; errors: ErrCase[] }>('api.json');

const isSpec = (v: unknown): v is TensorSpec => typeof v === 'object' && v !== null && !Array.isArray(v) && 't' in v && 'dtype' in v;
const dtypeOf = (name: string) => torch[name as 'float32'];

function decode(v: Json, grad: boolean, leaves: Tensor[]): unknown {
  if (isSpec(v)) {
    const t = torch.tensor(v.t as number[], { dtype: dtypeOf(v.dtype) }).reshape(v.shape);
    const leaf = grad && t.is_floating_point() ? t.requires_grad_() : t;
    leaves.push(leaf);
    return leaf;
  }
  if (Array.isArray(v)) return v.map((e) => decode(e, grad, leaves));
  if (typeof v === 'object' && v !== null && 'dtype_value' in v) return dtypeOf(v['dtype_value'] as string);
  return v;
}

type Fn = (...a: unknown[]) => unknown;
function invoke(call: string, args: unknown[], kw: Record<string, unknown> | undefined): unknown {
  const [space, name] = call.split('.') as [string, string];
  const rest = kw && Object.keys(kw).length ? [...args, kw] : args;
  if (space === 'torch') return ((torch as unknown as Record<string, Fn>)[name]!)(...rest);
  if (space === 'linalg') return ((torch.linalg as unknown as Record<string, Fn>)[name]!)(...rest);
  const self = args[0] as unknown as Record<string, unknown>;
  if (space === 'prop') return self[name];
  return (self[name] as Fn).call(self, ...rest.slice(1));
}

function run(c: Case, grad: boolean): { out: unknown; leaves: Tensor[] } {
  const leaves: Tensor[] = [];
  const args = c.args.map((a) => decode(a, grad, leaves));
  const kw = c.kw ? Object.fromEntries(Object.entries(c.kw).map(([k, v]) => [k, decode(v, false, [])])) : undefined;
  return { out: invoke(c.call, args, kw), leaves };
}

const tolFor = (c: Case, dtype: string): [number, number] => c.tol ?? (dtype === 'float64' ? [1e-9, 1e-10] : [1e-4, 1e-5]);

function checkOut(c: Case, actual: unknown, expected: Json, what: string, index: { i: number }): void {
  if (isSpec(expected)) {
    expect(actual, `${what}: a tensor`).toBeInstanceOf(Tensor);
    const t = actual as Tensor;
    const i = index.i++;
    expect(t.dtype.name, `${what} dtype`).toBe(expected.dtype);
    expect([...t.shape], `${what} shape`).toEqual(expected.shape);
    const [rtol, atol] = tolFor(c, expected.dtype);
    const absOnly = c.abs?.includes(i) ?? false;
    const got = absOnly ? t.abs().tolist() : t.tolist();
    const want = absOnly ? (JSON.parse(JSON.stringify(expected.t)) as Json) : expected.t;
    expectClose(got, absOnly ? mapAbs(want) : want, rtol, atol, what);
    return;
  }
  if (typeof expected === 'object' && expected !== null && !Array.isArray(expected) && 'tuple' in expected) {
    const items = expected['tuple'] as Json[];
    expect(Array.isArray(actual), `${what}: a tuple`).toBe(true);
    const arr = actual as unknown[];
    expect(arr.length, `${what} length`).toBe(items.length);
    items.forEach((e, k) => checkOut(c, arr[k], e, `${what}[${k}]`, index));
    const fields = expected['fields'] as string[] | undefined;
    // PyTorch lists a named tuple's fields alphabetically here: check each one names an element
    for (const f of fields ?? []) expect(arr, `${what}.${f}`).toHaveProperty(f);
    return;
  }
  if (typeof expected === 'number' && typeof actual === 'number') {
    expectClose(actual, expected, 1e-6, 1e-9, what);
    return;
  }
  expect(actual, what).toEqual(expected);
}

function mapAbs(v: Json): Json {
  if (Array.isArray(v)) return v.map(mapAbs);
  return typeof v === 'number' ? Math.abs(v) : v;
}

function outputsOf(o: unknown): Tensor[] {
  if (o instanceof Tensor) return [o];
  if (Array.isArray(o)) return o.flatMap(outputsOf);
  return [];
}

/** Ops PyTorch itself composes of other ops, differently from torchlab: their grad_fn names the last part. */
const composedDifferently = new Set([
  'torch.quantile', 'torch.nanquantile', 'torch.cov', 'torch.combinations', 'torch.inner', 'torch.tensordot', 'torch.kron',
  'linalg.multi_dot', 'linalg.matrix_norm',
]);

const label = (c: Case, k: number) => `${k}: ${c.call}(${c.args.map((a) => (isSpec(a) ? `${a.dtype}[${a.shape.join(',')}]` : JSON.stringify(a))).join(', ')}${c.kw ? `, ${JSON.stringify(c.kw)}` : ''})`;

describe('ops added by the API audit, against PyTorch 1.13', () => {
  golden.cases.forEach((c, k) => {
    it(label(c, k), () => {
      const { out } = run(c, false);
      checkOut(c, out, c.out, c.call, { i: 0 });
      if (!c.gouts) return;
      const { out: o2, leaves } = run(c, true);
      const outs = outputsOf(o2);
      if (!composedDifferently.has(c.call)) {
        c.grad_fn?.forEach((n, i) => expect(outs[i]?.grad_fn?.name() ?? null, `grad_fn of output ${i}`).toBe(n));
      }
      let loss: Tensor | null = null;
      c.gouts.forEach((g, i) => {
        if (g === null) return;
        const o = outs[i]!;
        expect(o.requires_grad, `output ${i} requires grad`).toBe(true);
        const v = c.sq?.includes(i) ? o.mul(o) : o;
        const term = v.mul(torch.tensor(g as number[], { dtype: o.dtype }).reshape([...o.shape])).sum();
        loss = loss ? loss.add(term) : term;
      });
      (loss as Tensor | null)?.backward();
      c.grads!.forEach((g, i) => {
        const leaf = leaves[i]!;
        if (g === null) {
          if (leaf.grad) expect(leaf.grad.abs().sum().item(), `grad ${i} is zero`).toBe(0);
          return;
        }
        expect(leaf.grad, `grad of argument tensor ${i}`).not.toBeNull();
        const [rtol, atol] = c.tol ?? (leaf.dtype === torch.float64 ? [1e-8, 1e-9] : [1e-4, 1e-4]);
        expectClose(leaf.grad!.tolist(), g, rtol, atol, `grad ${i}`);
      });
    });
  });
});

const errorName: Record<string, string> = { LinAlgError: 'torch.linalg.LinAlgError' };

describe("PyTorch's errors", () => {
  golden.errors.forEach((c, k) => {
    it(`${k}: ${c.call} raises ${c.type}: ${c.message.slice(0, 60)}`, () => {
      const leaves: Tensor[] = [];
      const args = c.args.map((a) => decode(a, false, leaves));
      const kw = Object.fromEntries(Object.entries(c.kw).map(([key, v]) => [key, decode(v, false, [])]));
      let thrown: unknown = null;
      try {
        invoke(c.call, args, kw);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, 'an error').toBeInstanceOf(Error);
      expect((thrown as Error).message).toBe(c.message);
      expect((thrown as Error).name).toBe(errorName[c.type] ?? c.type);
    });
  });
});

describe('properties PyTorch leaves open', () => {
  const A = torch.tensor([[4, 1, 2], [1, 3, 0.5], [2, 0.5, 5]], { dtype: torch.float64 });
  it('eigh: orthonormal eigenvectors with A V = V diag(w)', () => {
    const { eigenvalues: w, eigenvectors: V } = torch.linalg.eigh(A);
    expectClose(A.matmul(V).tolist(), V.mul(w).tolist(), 1e-12, 1e-12);
    expectClose(V.t().matmul(V).tolist(), torch.eye(3, { dtype: torch.float64 }).tolist(), 1e-12, 1e-12);
  });
  it('svd: U diag(S) Vh rebuilds A, for tall, wide and rank-deficient matrices', () => {
    for (const M of [torch.randn(5, 3, { dtype: torch.float64 }), torch.randn(2, 4, { dtype: torch.float64 }),
      torch.tensor([[1, 2], [2, 4], [3, 6]], { dtype: torch.float64 })]) {
      const { U, S, Vh } = torch.linalg.svd(M);
      const k = S.shape[0]!;
      const rebuilt = U.narrow(1, 0, k).mul(S).matmul(Vh.narrow(0, 0, k));
      expectClose(rebuilt.tolist(), M.tolist(), 1e-12, 1e-12);
      expectClose(U.t().matmul(U).tolist(), torch.eye(U.shape[0]!, { dtype: torch.float64 }).tolist(), 1e-12, 1e-12);
      expectClose(Vh.matmul(Vh.t()).tolist(), torch.eye(Vh.shape[0]!, { dtype: torch.float64 }).tolist(), 1e-12, 1e-12);
    }
  });
  // values from PyTorch 1.13 for A below: the gradient of sum(U² · arange) and of sum(Q · arange) + sum(R)
  const f64 = { dtype: torch.float64 };
  const A32 = [[1.5409961082440433, -0.2934289057609464], [-2.1787893820745574, 0.5684312772806678], [-1.084522342424021, -1.3985953953708767]];
  const W = torch.arange(6, f64).view(3, 2);
  it("svd: gradients through U and Vh, PyTorch's values and finite differences (tall, square, wide, full_matrices)", () => {
    const a = torch.tensor(A32, f64).requires_grad_();
    torch.linalg.svd(a, { full_matrices: false }).U.pow(2).mul(W).sum().backward();
    expectClose(a.grad!.tolist(), [[-0.5278121753828579, 0.19645899145349482], [-0.3563378231888331, 0.13263386603318025], [-0.03409006998489422, 0.01268879552267708]], 1e-10, 1e-10);
    torch.manual_seed(3);
    for (const [m, n] of [[5, 3], [3, 3], [2, 4]] as const) {
      const k = Math.min(m, n);
      const [w1, w2, w3] = [torch.randn(m, k, f64), torch.randn(k, f64), torch.randn(k, n, f64)];
      // squares: the loss must not depend on the singular vectors' signs
      const loss = (U: Tensor, S: Tensor | null, Vh: Tensor | null): Tensor => {
        let l = U.narrow(1, 0, k).pow(2).mul(w1).sum();
        if (S) l = l.add(S.mul(w2).sum());
        if (Vh) l = l.add(Vh.narrow(0, 0, k).pow(2).mul(w3).sum());
        return l;
      };
      const x = torch.randn(m, n, f64).requires_grad_();
      expect(gradcheck((t) => { const r = torch.linalg.svd(t, { full_matrices: false }); return loss(r.U, r.S, r.Vh); }, [x]), `thin ${m}x${n}`).toBe(true);
      expect(gradcheck((t) => loss(torch.linalg.svd(t, { full_matrices: false }).U, null, null), [x]), `U only ${m}x${n}`).toBe(true);
      expect(gradcheck((t) => torch.linalg.svd(t, { full_matrices: false }).Vh.pow(2).mul(w3).sum(), [x]), `Vh only ${m}x${n}`).toBe(true);
      expect(gradcheck((t) => { const r = torch.linalg.svd(t); return loss(r.U, null, r.Vh); }, [x]), `full ${m}x${n}`).toBe(true);
    }
  });
  it("qr: gradients through Q and R, PyTorch's values, finite differences, second order, and PyTorch's refusals", () => {
    const a = torch.tensor(A32, f64).requires_grad_();
    const { Q, R } = torch.linalg.qr(a);
    Q.mul(W).sum().add(R.sum()).backward();
    expectClose(a.grad!.tolist(), [[-0.8192511626052841, -1.8573925456555838], [0.21786163209600473, -0.5913554070458948], [1.0543666148286501, 1.2049782299139569]], 1e-10, 1e-10);
    torch.manual_seed(4);
    for (const shape of [[5, 3], [3, 3], [2, 4], [2, 4, 3]]) {
      const x = torch.randn(shape, f64).requires_grad_();
      const wq = torch.randn(torch.linalg.qr(x).Q.shape, f64);
      const wr = torch.randn(torch.linalg.qr(x).R.shape, f64);
      expect(gradcheck((t) => { const r = torch.linalg.qr(t); return r.Q.mul(wq).sum().add(r.R.mul(wr).sum()); }, [x]), shape.join('x')).toBe(true);
    }
    expect(gradgradcheck((t) => torch.linalg.qr(t).R.pow(2).sum(), [torch.randn(3, 3, f64).requires_grad_()])).toBe(true);
    const tall = torch.randn(4, 2, f64).requires_grad_();
    expect(() => torch.linalg.qr(tall, 'r').R.sum().backward()).toThrow("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.");
    expect(() => torch.linalg.qr(tall, 'complete').R.sum().backward()).toThrow("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.");
  });
  it('in-place views change the tensor itself and keep the graph', () => {
    const x = torch.randn(2, 1, 3, { requires_grad: true });
    const y = x.mul(2);
    y.squeeze_(1).t_();
    expect([...y.shape]).toEqual([3, 2]);
    expect(y.grad_fn).not.toBeNull();
    y.sum().backward();
    expectClose(x.grad!.tolist(), torch.full([2, 1, 3], 2).tolist());
    expect(() => torch.zeros(2, 1, { requires_grad: true }).squeeze_()).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
  });
  it('data_ptr, nbytes and itemsize', () => {
    const x = torch.zeros(4, 3);
    expect(x.get(1).data_ptr() - x.data_ptr()).toBe(12);
    expect(x.view(-1).data_ptr()).toBe(x.data_ptr());
    expect(x.clone().data_ptr()).not.toBe(x.data_ptr());
    expect(x.nbytes).toBe(48);
    expect(torch.zeros(2, { dtype: torch.float64 }).itemsize).toBe(8);
  });
  it('torch.linalg.LinAlgError is a RuntimeError', () => {
    let e: unknown = null;
    try {
      torch.linalg.inv(torch.zeros(2, 2));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(torch.linalg.LinAlgError);
    expect(e).toBeInstanceOf(torch.RuntimeError);
  });
});
