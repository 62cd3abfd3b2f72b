/**
 * nn.RNN / nn.LSTM / nn.GRU and the cells against PyTorch (test/golden/rnn.json, made by
 * test/golden/make_rnn.py): seeded initialisation, state_dict names and order, outputs,
 * gradients of a weighted sum of every output, reprs and error messages.
 */

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import torch, { nn, type Tensor } from '../../lib/index.js';
import { expectClose, loadGolden } from '../helpers/golden.js';
import { dtypeOf, expectPyError, type Nested, type PyError } from './helpers.js';

interface Case {
  name: string; cls: string; args: number[]; kw: Record<string, unknown>; dtype: string; seed: number; repr: string;
  state_dict: [string, Nested][]; shapes: [string, number[]][];
  input: Nested; hx: Nested[] | null; outputs: Nested[]; output_shapes: number[][]; weights: Nested[]; loss: number;
  grad_input: Nested; grad_hx: Nested[]; grads: [string, Nested][];
}
interface G {
  cases: Case[];
  dropout_eval: { state_dict: [string, Nested][]; input: Nested; outputs: Nested[] };
  reprs: { cls: string; args: number[]; kw: Record<string, unknown>; repr: string }[];
  nested_repr: string;
  param_names: Record<string, [string, number[]][]>;
  dropout_warning: string;
  errors: Record<string, PyError>;
  checkpoint: { keys: string[]; input: Nested; output: Nested };
}
const g = loadGolden<G>('rnn.json');

type Ctor = new (...args: unknown[]) => nn.Module;
const make = (cls: string, args: unknown[], kw: Record<string, unknown> = {}): nn.Module =>
  new (nn as unknown as Record<string, Ctor>)[cls]!(...args, kw);

/** The tensors a forward returned, in order: output, h_n[, c_n] (cells: h'[, c']). */
function flat(res: unknown): Tensor[] {
  return Array.isArray(res) ? res.flatMap(flat) : [res as Tensor];
}

const tol = (dtype: string): [number, number] => (dtype === 'float64' ? [1e-9, 1e-10] : [2e-4, 2e-5]);

describe('RNN, LSTM, GRU and cells match PyTorch', () => {
  for (const c of g.cases) {
    it(`${c.name}: seeded init, outputs and gradients`, () => {
      const dtype = dtypeOf(c.dtype);
      const [rtol, atol] = tol(c.dtype);
      torch.manual_seed(c.seed);
      const m = make(c.cls, c.args, { ...c.kw, dtype });
      expect(String(m)).toBe(c.repr);
      // the same seed draws PyTorch's initial weights, in its order
      const sd = m.state_dict();
      expect(Object.keys(sd)).toEqual(c.state_dict.map(([k]) => k));
      for (const [k, v] of c.state_dict) expectClose(sd[k]!.tolist(), v, 1e-6, 1e-7, k);
      // then load them anyway, so the rest does not depend on the generator
      const loaded: Record<string, Tensor> = {};
      for (const [k, v] of c.state_dict) loaded[k] = torch.tensor(v, { dtype });
      m.load_state_dict(loaded);

      const x = torch.tensor(c.input, { dtype, requires_grad: true });
      const hx = (c.hx ?? []).map((h) => torch.tensor(h, { dtype, requires_grad: true }));
      const call = m as unknown as (...a: unknown[]) => unknown;
      const res = c.hx === null ? call(x) : call(x, hx.length === 1 ? hx[0] : hx);
      const outs = flat(res);
      expect(outs.map((o) => o.shape)).toEqual(c.output_shapes);
      outs.forEach((o, i) => expectClose(o.tolist(), c.outputs[i], rtol, atol, `output ${i}`));
      let loss = outs[0]!.mul(torch.tensor(c.weights[0]!, { dtype })).sum();
      for (let i = 1; i < outs.length; i++) loss = loss.add(outs[i]!.mul(torch.tensor(c.weights[i]!, { dtype })).sum());
      expectClose(loss.item(), c.loss, rtol, atol * 10, 'loss');
      loss.backward();
      expectClose(x.grad!.tolist(), c.grad_input, rtol, atol, 'grad input');
      hx.forEach((h, i) => expectClose(h.grad!.tolist(), c.grad_hx[i], rtol, atol, `grad hx[${i}]`));
      const params = Object.fromEntries(m.named_parameters());
      expect(Object.keys(params)).toEqual(c.grads.map(([k]) => k));
      for (const [k, v] of c.grads) expectClose(params[k]!.grad!.tolist(), v, rtol, atol, `grad ${k}`);
    });
  }

  it('dropout between layers is the identity in eval mode', () => {
    const m = new nn.LSTM(3, 4, 3, { dropout: 0.5 });
    const sd: Record<string, Tensor> = {};
    for (const [k, v] of g.dropout_eval.state_dict) sd[k] = torch.tensor(v, { dtype: torch.float32 });
    m.load_state_dict(sd);
    m.eval();
    const [o, [h, c]] = m(torch.tensor(g.dropout_eval.input, { dtype: torch.float32 }));
    [o, h, c].forEach((t, i) => expectClose(t.tolist(), g.dropout_eval.outputs[i], 2e-4, 2e-5));
  });
});

describe('RNN modules: construction', () => {
  for (const r of g.reprs) {
    it(r.repr, () => {
      const warn = console.warn;
      console.warn = () => {};
      try {
        expect(String(make(r.cls, r.args, r.kw))).toBe(r.repr);
      } finally {
        console.warn = warn;
      }
    });
  }

  it('nested in Sequential', () => {
    expect(String(new nn.Sequential(new nn.LSTM(10, 20, 2, { batch_first: true }), new nn.Linear(20, 2)))).toBe(g.nested_repr);
  });

  it('parameter names, shapes and order', () => {
    const mods: Record<string, () => nn.Module> = {
      rnn_2layer_bidir: () => new nn.RNN(3, 4, 2, { bidirectional: true }),
      lstm_proj_2layer_bidir: () => new nn.LSTM(3, 4, 2, { proj_size: 2, bidirectional: true }),
      lstm_proj_nobias: () => new nn.LSTM(3, 4, { proj_size: 2, bias: false }),
      gru_2layer: () => new nn.GRU(3, 4, 2),
      rnncell_nobias: () => new nn.RNNCell(3, 4, false),
      lstmcell: () => new nn.LSTMCell(3, 4),
      grucell: () => new nn.GRUCell(3, 4),
    };
    for (const [key, mk] of Object.entries(mods)) {
      expect([...mk().named_parameters()].map(([k, p]) => [k, p.shape]), key).toEqual(g.param_names[key]);
    }
  });

  it('positional and keyword forms agree; attributes as PyTorch', () => {
    const a = new nn.RNN(4, 5, 2, 'relu', false, true, 0.1, true);
    const b = new nn.RNN({ input_size: 4, hidden_size: 5, num_layers: 2, nonlinearity: 'relu', bias: false, batch_first: true, dropout: 0.1, bidirectional: true });
    for (const m of [a, b]) {
      expect([m.input_size, m.hidden_size, m.num_layers, m.nonlinearity, m.bias, m.batch_first, m.dropout, m.bidirectional]).toEqual(
        [4, 5, 2, 'relu', false, true, 0.1, true],
      );
      expect(m.mode).toBe('RNN_RELU');
    }
    const lstm = new nn.LSTM(4, 6, 1, true, false, 0, false, 3);
    expect(lstm.proj_size).toBe(3);
    expect(lstm.weight_hr_l0.shape).toEqual([3, 6]);
    expect(lstm.all_weights.map((ws) => ws.length)).toEqual([5]);
    expect(lstm.all_weights[0]![0]).toBe(lstm.weight_ih_l0);
    const cell = new nn.RNNCell(3, 4, { nonlinearity: 'relu' });
    expect([cell.nonlinearity, cell.bias]).toEqual(['relu', true]);
    const gru = new nn.GRU(3, 4, { dtype: torch.float64 });
    expect(gru.weight_ih_l0.dtype).toBe(torch.float64);
    expect(new nn.GRUCell(3, 4, false).bias_ih).toBeNull();
    expect(() => new nn.LSTM(10 as unknown as nn.LSTMOptions)).toThrow("RNNBase.__init__() missing 1 required positional argument: 'hidden_size'");
  });

  it('warns when dropout is given with one layer', () => {
    const seen: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => void seen.push(m);
    try {
      new nn.LSTM(10, 20, { dropout: 0.5 });
    } finally {
      console.warn = warn;
    }
    expect(seen).toEqual([`UserWarning: ${g.dropout_warning}`]);
  });

  it('loads a .pt checkpoint written by torch.save and gives PyTorch\'s outputs', () => {
    class Net extends nn.Module {
      lstm = new nn.LSTM(3, 4, 2, { batch_first: true, bidirectional: true });
      fc = new nn.Linear(8, 2);
      override forward(x: Tensor): Tensor {
        const [out] = this.lstm(x);
        return this.fc(out.get(':', -1));
      }
    }
    const net = new Net();
    const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'rnn', 'lstm_classifier.pt');
    const sd = torch.load<Record<string, Tensor>>(file);
    expect(Object.keys(sd)).toEqual(g.checkpoint.keys);
    expect(Object.keys(net.state_dict())).toEqual(g.checkpoint.keys);
    const res = net.load_state_dict(sd);
    expect([res.missing_keys, res.unexpected_keys]).toEqual([[], []]);
    const y = torch.no_grad(() => net(torch.tensor(g.checkpoint.input, { dtype: torch.float32 })));
    expectClose(y.tolist(), g.checkpoint.output, 1e-4, 1e-5);
  });

  it('state_dict round trip between modules', () => {
    torch.manual_seed(3);
    const a = new nn.GRU(3, 4, 2, { bidirectional: true });
    const b = new nn.GRU(3, 4, 2, { bidirectional: true });
    b.load_state_dict(a.state_dict());
    const x = torch.randn(5, 2, 3);
    expectClose(b(x)[0].tolist(), a(x)[0].tolist());
  });
});

describe('RNN modules: errors as PyTorch', () => {
  const e = g.errors;
  const lstm = new nn.LSTM(10, 20, 2);
  const gru = new nn.GRU(10, 20);
  const rnn = new nn.RNN(10, 20);
  const lcell = new nn.LSTMCell(10, 20);
  const rcell = new nn.RNNCell(10, 20);
  const gcell = new nn.GRUCell(10, 20);
  const r = (...s: number[]) => torch.randn(s);
  const cases: [string, () => unknown][] = [
    ['input_size', () => lstm(r(5, 3, 5))],
    ['input_size_gru', () => gru(r(5, 3, 7))],
    ['input_size_unbatched', () => rnn(r(5, 7))],
    ['hidden_size', () => rnn(r(5, 3, 10), r(1, 4, 20))],
    ['hidden_size_gru', () => gru(r(5, 3, 10), r(2, 3, 20))],
    ['hidden0_size', () => lstm(r(5, 3, 10), [r(2, 3, 19), r(2, 3, 20)])],
    ['hidden1_size', () => lstm(r(5, 3, 10), [r(2, 3, 20), r(1, 3, 20)])],
    ['hidden_unbatched_size', () => rnn(r(5, 10), r(2, 20))],
    ['batched_hx_dim', () => rnn(r(5, 3, 10), r(3, 20))],
    ['unbatched_hx_dim', () => gru(r(5, 10), r(1, 3, 20))],
    ['lstm_batched_hx_dim', () => lstm(r(5, 3, 10), [r(3, 20), r(2, 3, 20)])],
    ['lstm_unbatched_hx_dim', () => lstm(r(5, 10), [r(2, 20), r(2, 1, 20)])],
    ['dropout_range', () => new nn.LSTM(10, 20, 2, { dropout: 1.5 })],
    ['dropout_bool', () => new nn.LSTM(10, 20, 2, { dropout: true as unknown as number })],
    ['proj_negative', () => new nn.LSTM(10, 20, { proj_size: -1 })],
    ['proj_too_big', () => new nn.LSTM(10, 20, { proj_size: 20 })],
    ['proj_rnn', () => new nn.RNN(10, 20, { proj_size: 5 } as nn.RNNOptions)],
    ['proj_gru', () => new nn.GRU(10, 20, { proj_size: 5 } as nn.GRUOptions)],
    ['nonlinearity', () => new nn.RNN(10, 20, { nonlinearity: 'sigmoid' as 'tanh' })],
    ['cell_input_size', () => lcell(r(3, 7))],
    ['cell_input_size_rnn', () => rcell(r(3, 7))],
    ['cell_batch', () => gcell(r(3, 10), r(4, 20))],
    ['cell_hidden_size', () => rcell(r(3, 10), r(3, 21))],
    ['lstmcell_hidden0_size', () => lcell(r(3, 10), [r(3, 21), r(3, 20)])],
    ['lstmcell_hidden1_size', () => lcell(r(3, 10), [r(3, 20), r(3, 21)])],
    ['lstmcell_hidden1_batch', () => lcell(r(3, 10), [r(3, 20), r(2, 20)])],
    [
      'cell_nonlinearity',
      () => {
        const bad = new nn.RNNCell(10, 20);
        bad.nonlinearity = 'sigmoid';
        return bad(r(3, 10));
      },
    ],
  ];
  for (const [key, fn] of cases) it(key, () => expectPyError(fn, e[key]!));

  it("wrong input dims: PyTorch 2's ValueError (1.13 has no clear message)", () => {
    expectPyError(() => lstm(r(2, 5, 3, 10)), { type: 'ValueError', message: 'LSTM: Expected input to be 2D or 3D, got 4D instead' });
    expectPyError(() => rnn(r(10)), { type: 'ValueError', message: 'RNN: Expected input to be 2D or 3D, got 1D tensor instead' });
    expectPyError(() => gru(r(1, 2, 3, 10)), { type: 'ValueError', message: 'GRU: Expected input to be 2D or 3D, got 4D instead' });
    expectPyError(() => lcell(r(2, 3, 10)), { type: 'ValueError', message: 'LSTMCell: Expected input to be 1D or 2D, got 3D instead' });
    expectPyError(() => lcell(r(3, 10), [r(1, 3, 20), r(3, 20)]), { type: 'ValueError', message: 'LSTMCell: Expected hx[0] to be 1D or 2D, got 3D instead' });
    expectPyError(() => rcell(r(3, 10), r(1, 3, 20)), { type: 'ValueError', message: 'RNNCell: Expected hidden to be 1D or 2D, got 3D instead' });
    expectPyError(() => new nn.GRU(10, 0), { type: 'ValueError', message: 'hidden_size must be greater than zero' });
    expectPyError(() => new nn.GRU(10, 2.5), { type: 'TypeError', message: 'hidden_size should be of type int, got: float' });
    expectPyError(() => new nn.GRU(10, 20, 0), { type: 'ValueError', message: 'num_layers must be greater than zero' });
  });
});

describe('RNN modules: behaviour', () => {
  it('dropout between layers applies in training only, and not after the last layer', () => {
    torch.manual_seed(0);
    const m = new nn.GRU(4, 8, 2, { dropout: 0.999 });
    const x = torch.randn(3, 2, 4);
    m.eval();
    const [evalOut] = m(x);
    m.train();
    const [trainOut, hn] = m(x);
    // the second layer sees an (almost surely) all-zero input, so its output differs from eval's
    expect(trainOut.sub(evalOut).abs().max().item()).toBeGreaterThan(1e-3);
    expect(hn.shape).toEqual([2, 2, 8]);
    // single-layer modules never drop
    const one = new nn.RNN(4, 8);
    expectClose(one(x)[0].tolist(), one.eval()(x)[0].tolist());
  });

  it('batch_first output is contiguous and agrees with the time-major module', () => {
    torch.manual_seed(1);
    const a = new nn.LSTM(3, 4, 2, { bidirectional: true });
    const b = new nn.LSTM(3, 4, 2, { bidirectional: true, batch_first: true });
    b.load_state_dict(a.state_dict());
    const x = torch.randn(5, 2, 3);
    const [oa, [ha, ca]] = a(x);
    const [ob, [hb, cb]] = b(x.transpose(0, 1));
    expect(ob.is_contiguous()).toBe(true);
    expectClose(ob.transpose(0, 1).tolist(), oa.tolist());
    expectClose(hb.tolist(), ha.tolist());
    expectClose(cb.tolist(), ca.tolist());
  });

  it('a cell stepped by hand equals the sequence module', () => {
    torch.manual_seed(2);
    const lstm = new nn.LSTM(3, 4);
    const cell = new nn.LSTMCell(3, 4);
    cell.load_state_dict({ weight_ih: lstm.weight_ih_l0, weight_hh: lstm.weight_hh_l0, bias_ih: lstm.bias_ih_l0, bias_hh: lstm.bias_hh_l0 });
    const x = torch.randn(6, 2, 3);
    let [h, c] = cell(x.get(0));
    for (let t = 1; t < 6; t++) [h, c] = cell(x.get(t), [h, c]);
    const [, [hn, cn]] = lstm(x);
    expectClose(h.tolist(), hn.get(0).tolist(), 1e-5, 1e-6);
    expectClose(c.tolist(), cn.get(0).tolist(), 1e-5, 1e-6);
  });

  it('moves with .double() and runs in float64', () => {
    torch.manual_seed(4);
    const m = new nn.GRU(3, 4).double();
    const [out] = m(torch.randn(2, 1, 3, { dtype: torch.float64 }));
    expect(out.dtype).toBe(torch.float64);
  });
});
