/**
 * Layers, activation and loss modules, containers and Maxout: PyTorch's reprs (from
 * test/golden/nn.json), forward behaviour, train/eval, and container operations.
 */

import { describe, expect, it } from 'vitest';
import torch, { F, nn, Tensor } from '../../lib/index.js';
import { expectClose } from '../helpers/golden.js';
import { expectPyError, nnGolden, type PyError } from './helpers.js';

interface LayerRepr { cls: string; args: (number | number[])[]; kw: Record<string, unknown>; repr: string }
interface G { repr: { layers: LayerRepr[] }; module_errors: Record<string, PyError> }
const g = nnGolden<G>();

type Ctor = new (...args: unknown[]) => nn.Module;
const layers = nn as unknown as Record<string, Ctor>;

describe('layer reprs match PyTorch', () => {
  for (const c of g.repr.layers) {
    it(c.repr, () => {
      const args: unknown[] = [...c.args];
      if (Object.keys(c.kw).length > 0) args.push(c.kw);
      expect(String(new layers[c.cls]!(...args))).toBe(c.repr);
    });
  }
});

describe('layers', () => {
  it('Linear: shapes, options, no bias', () => {
    const lin = new nn.Linear(4, 3, { bias: false, dtype: torch.float64 });
    expect(lin.bias).toBeNull();
    expect(lin.weight.dtype).toBe(torch.float64);
    expect(lin(torch.ones([5, 4], { dtype: torch.float64 })).shape).toEqual([5, 3]);
    expect(new nn.Linear(4, 3, false).bias).toBeNull();
    expect(new nn.Linear(4, 3)(torch.ones([2, 7, 4])).shape).toEqual([2, 7, 3]);
  });

  it('Identity, Flatten, Unflatten', () => {
    const x = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);
    expect(new nn.Identity(54, { unused: 1 })(x)).toBe(x);
    expect(new nn.Flatten()(x).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0, 1)(x).shape).toEqual([6, 4]);
    expect(new nn.Unflatten(1, [3, 1])(x.flatten(1, 2).reshape(2, 3, 4)).shape).toEqual([2, 3, 1, 4]);
  });

  it('Dropout drops in training mode only', () => {
    const drop = new nn.Dropout(0.5);
    const x = torch.ones([1000]);
    torch.manual_seed(1);
    const zeros = (drop(x).eq(0).sum().item());
    expect(zeros).toBeGreaterThan(400);
    expect(zeros).toBeLessThan(600);
    drop.eval();
    expect(drop(x)).toBe(x);
    expectPyError(() => new nn.Dropout(1.5), g.module_errors.dropout_p!);
  });

  it('activation modules compute their functions', () => {
    const x = torch.tensor([-2, -0.5, 0, 0.5, 3], { dtype: torch.float32 });
    const pairs: [nn.Module, Tensor][] = [
      [new nn.ReLU(), F.relu(x)], [new nn.LeakyReLU(0.1), F.leaky_relu(x, 0.1)], [new nn.ELU({ alpha: 0.3 }), F.elu(x, 0.3)],
      [new nn.GELU('tanh'), F.gelu(x, 'tanh')], [new nn.SiLU(), F.silu(x)], [new nn.Sigmoid(), x.sigmoid()], [new nn.Tanh(), x.tanh()],
      [new nn.Softplus(2, 1), F.softplus(x, 2, 1)], [new nn.Hardtanh(-1, 2), F.hardtanh(x, -1, 2)],
      [new nn.Softmax(0), x.softmax(0)], [new nn.LogSoftmax({ dim: 0 }), x.log_softmax(0)],
    ];
    for (const [m, expected] of pairs) expectClose((m(x) as Tensor).tolist(), expected.tolist());
  });

  it('Softmax without dim uses PyTorch\'s implicit choice, with its warning', () => {
    const seen: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => void seen.push(m);
    try {
      const y = new nn.Softmax()(torch.zeros([2, 5]));
      expectClose(y.tolist(), [[0.2, 0.2, 0.2, 0.2, 0.2], [0.2, 0.2, 0.2, 0.2, 0.2]]);
    } finally {
      console.warn = warn;
    }
    expect(seen[0]).toBe('UserWarning: Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.');
  });

  it('loss modules call their functions with their options', () => {
    const logits = torch.tensor([[1, 2, 0.5], [0.1, -1, 2]], { dtype: torch.float32 });
    const y = torch.tensor([1, 2]);
    const w = torch.tensor([1, 2, 3], { dtype: torch.float32 });
    const ce = new nn.CrossEntropyLoss({ weight: w, label_smoothing: 0.1, reduction: 'sum' });
    expect(ce.weight).toBe(w);
    expect([...ce.named_buffers()].map(([n]) => n)).toEqual(['weight']);
    expectClose(ce(logits, y).item(), F.cross_entropy(logits, y, { weight: w, label_smoothing: 0.1, reduction: 'sum' }).item());
    expectClose(new nn.CrossEntropyLoss(w)(logits, y).item(), F.cross_entropy(logits, y, { weight: w }).item());
    expectClose(new nn.NLLLoss({ ignore_index: 2 })(logits, y).item(), F.nll_loss(logits, y, { ignore_index: 2 }).item());
    const t = torch.tensor([[0, 1, 0.5], [1, 0, 0]], { dtype: torch.float32 });
    expectClose(new nn.MSELoss()(logits, t).item(), F.mse_loss(logits, t).item());
    expectClose(new nn.L1Loss({ reduction: 'sum' })(logits, t).item(), F.l1_loss(logits, t, { reduction: 'sum' }).item());
    expectClose(new nn.SmoothL1Loss({ beta: 0.5 })(logits, t).item(), F.smooth_l1_loss(logits, t, { beta: 0.5 }).item());
    expectClose(new nn.HuberLoss({ delta: 0.5 })(logits, t).item(), F.huber_loss(logits, t, { delta: 0.5 }).item());
    expectClose(new nn.BCELoss()(logits.sigmoid(), t).item(), F.binary_cross_entropy(logits.sigmoid(), t).item());
    const pw = torch.tensor([2, 1, 1], { dtype: torch.float32 });
    expectClose(new nn.BCEWithLogitsLoss({ pos_weight: pw })(logits, t).item(), F.binary_cross_entropy_with_logits(logits, t, { pos_weight: pw }).item());
  });

  it('Maxout (a torchlab addition) takes the max of pool_size affine pieces per output', () => {
    torch.manual_seed(0);
    const m = new nn.Maxout(3, 2);
    expect(m.weight.shape).toEqual([4, 3]);
    expect(m.bias!.shape).toEqual([4]);
    expect(String(m)).toBe('Maxout(in_features=3, out_features=2, pool_size=2, bias=True)');
    const x = torch.tensor([[1, -2, 0.5], [0.3, 0.3, -1]], { dtype: torch.float32, requires_grad: true });
    const pieces = F.linear(x, m.weight, m.bias);
    const expected = pieces.reshape(2, 2, 2).amax(-1);
    const y = m(x);
    expectClose(y.tolist(), expected.tolist());
    y.sum().backward();
    expect(x.grad).not.toBeNull();
    const k3 = new nn.Maxout(5, 4, { pool_size: 3, bias: false });
    expect(k3.weight.shape).toEqual([12, 5]);
    expect(k3(torch.ones([7, 5])).shape).toEqual([7, 4]);
  });
});

describe('containers', () => {
  it('Sequential chains, indexes, slices, appends and inserts', () => {
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    expect(seq(torch.ones([3, 4])).shape).toEqual([3, 2]);
    expect(seq[0]).toBeInstanceOf(nn.Linear);
    expect(seq.get(-1)).toBe(seq[2]);
    expect(seq.length).toBe(3);
    expect([...seq].length).toBe(3);
    expect(String(seq.slice(1))).toBe('Sequential(\n  (1): ReLU()\n  (2): Linear(in_features=8, out_features=2, bias=True)\n)');
    seq.append(new nn.Sigmoid());
    seq.insert(1, new nn.Dropout());
    expect([...seq.named_children()].map(([n, m]) => `${n}:${m._get_name()}`)).toEqual(['0:Linear', '1:Dropout', '2:ReLU', '3:Linear', '4:Sigmoid']);
    expect(() => seq.get(9)).toThrow('index 9 is out of range');
    const named = new nn.Sequential(new Map<string, nn.Module>([['a', new nn.Tanh()], ['b', new nn.ReLU()]]));
    expect([...named.named_children()].map(([n]) => n)).toEqual(['a', 'b']);
  });

  it('ModuleList registers its modules as children', () => {
    class MLP extends nn.Module {
      layers = new nn.ModuleList([new nn.Linear(4, 8), new nn.Linear(8, 3)]);
      override forward(x: Tensor): Tensor {
        for (const l of this.layers) x = F.relu(l(x));
        return x;
      }
    }
    const mlp = new MLP();
    expect([...mlp.named_parameters()].map(([n]) => n)).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
    expect(mlp(torch.ones([2, 4])).shape).toEqual([2, 3]);
    mlp.layers.append(new nn.Linear(3, 3));
    expect(mlp.layers.length).toBe(3);
    expect(mlp.layers.get(-1)).toBe(mlp.layers[2]);
    const popped = mlp.layers.pop(0);
    expect(popped).toBeInstanceOf(nn.Linear);
    expect([...mlp.layers.named_children()].map(([n]) => n)).toEqual(['0', '1']);
    expectPyError(() => new nn.ModuleList().forward(), { type: 'NotImplementedError', message: 'Module [ModuleList] is missing the required "forward" function' });
  });

  it('ModuleDict keeps insertion order and dict operations', () => {
    const d = new nn.ModuleDict({ b: new nn.ReLU(), a: new nn.Tanh() });
    expect(d.keys()).toEqual(['b', 'a']);
    d.set('c', new nn.Sigmoid());
    expect([...d]).toEqual(['b', 'a', 'c']);
    expect(d.has('a')).toBe(true);
    expect(d.pop('a')).toBeInstanceOf(nn.Tanh);
    expect(d.length).toBe(2);
    expect(() => d.get('zzz')).toThrow("'zzz'");
    expect(d.items().map(([k]) => k)).toEqual(['b', 'c']);
  });
});
