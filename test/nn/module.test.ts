/**
 * nn.Module against PyTorch (test/golden/nn.json, made by test/golden/make_nn.py): callable
 * instances typed from forward, registration on assignment (class fields and constructor
 * assignments), names and order, state dicts and their errors, modes, devices and dtypes,
 * hooks, and PyTorch's repr.
 */

import { inspect } from 'node:util';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import torch, { nn, print, Tensor } from '../../lib/index.js';
import { expectPyError, nnGolden, type PyError } from './helpers.js';
import { Net } from '../helpers/lecture.js';

interface G {
  repr: Record<string, string> & { layers: unknown[] };
  names: Record<string, string[]> & { state_dict_shapes: number[][] };
  load_errors: { missing_unexpected: PyError; size_mismatch: PyError; nested_missing: PyError; non_strict: string; all_matched: string };
  module_errors: Record<string, PyError>;
}
const g = nnGolden<G>();

/** The same structure as make_nn.py's Block, registered in a constructor the Python way. */
class Block extends nn.Module {
  declare body: nn.Sequential;
  declare heads: nn.ModuleDict;
  declare extra: nn.ModuleList;
  declare running: Tensor;
  declare scale: nn.Parameter;
  constructor() {
    super();
    this.body = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Dropout(0.1), new nn.Linear(8, 4));
    this.heads = new nn.ModuleDict({ cls: new nn.Linear(4, 3), reg: new nn.Linear(4, 1, { bias: false }) });
    this.extra = new nn.ModuleList([new nn.Tanh(), new nn.Linear(4, 4)]);
    this.register_buffer('running', torch.zeros(4));
    this.register_buffer('scratch', torch.zeros(2), { persistent: false });
    this.scale = new nn.Parameter(torch.ones(1));
  }
  override forward(x: Tensor): Tensor {
    return this.body(x).mul(this.scale);
  }
}

describe('calling and typing', () => {
  it('instances are callable and run forward; the call is typed from forward', () => {
    const net = new Net();
    const y = net(torch.zeros([3, 784]));
    expectTypeOf(y).toEqualTypeOf<Tensor>();
    expect(y.shape).toEqual([3, 10]);
    expect(y.grad_fn?.name()).toBe('LogSoftmaxBackward0');
    expect(typeof net).toBe('function');
    expect(net).toBeInstanceOf(nn.Module);
    expect(net).toBeInstanceOf(Net);
    const asModule: nn.Module = net;
    expect(asModule.training).toBe(true);
  });

  it('a module without forward raises PyTorch\'s error', () => {
    expectPyError(() => new nn.Module()(1), g.module_errors.forward_missing!);
  });

  it('forward hooks and pre-hooks see (and may replace) inputs and outputs; handles remove them', () => {
    const lin = new nn.Linear(2, 2);
    const seen: unknown[] = [];
    const h1 = lin.register_forward_pre_hook((_m, args) => [(args[0] as Tensor).mul(0)]);
    const h2 = lin.register_forward_hook((m, args, out) => {
      seen.push(m === lin, (args[0] as Tensor).sum().item());
      return (out as Tensor).add(1);
    });
    const y = lin(torch.ones([1, 2]));
    expect(seen).toEqual([true, 0]);
    expect(y.tolist()).toEqual([lin.bias!.add(1).tolist()]);
    h1.remove();
    h2.remove();
    expect(lin(torch.zeros([1, 2])).tolist()).toEqual([lin.bias!.tolist()]);
  });
});

describe('registration and traversal', () => {
  it('names and order match PyTorch (parameters, buffers, modules, children, state_dict)', () => {
    const b = new Block();
    expect([...b.named_parameters()].map(([n]) => n)).toEqual(g.names.named_parameters);
    expect([...b.named_buffers()].map(([n]) => n)).toEqual(g.names.named_buffers);
    expect([...b.named_modules()].map(([n]) => n)).toEqual(g.names.named_modules);
    expect([...b.named_children()].map(([n]) => n)).toEqual(g.names.named_children);
    const sd = b.state_dict();
    expect(Object.keys(sd)).toEqual(g.names.state_dict);
    expect(Object.values(sd).map((t) => [...t.shape])).toEqual(g.names.state_dict_shapes);
    expect(Object.keys(new Net().state_dict())).toEqual(g.names.net_state_dict);
    expect([...b.parameters()].length).toBe(g.names.named_parameters!.length);
    expect([...b.children()]).toEqual([b.body, b.heads, b.extra]);
    expect([...b.modules()].length).toBe(g.names.named_modules!.length);
    expect(b.heads.get('cls')).toBe([...b.heads.children()][0]);
  });

  it('state_dict values are detached aliases (keep_vars keeps the parameters)', () => {
    const lin = new nn.Linear(2, 3);
    const sd = lin.state_dict();
    expect(sd.weight!.requires_grad).toBe(false);
    expect(sd.weight!.tolist()).toEqual(lin.weight.tolist());
    expect(lin.state_dict({ keep_vars: true }).weight).toBe(lin.weight);
    expect(Object.keys(lin.state_dict({ prefix: 'head.' }))).toEqual(['head.weight', 'head.bias']);
  });

  it('shared modules and parameters are listed once', () => {
    const shared = new nn.Linear(2, 2);
    const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
    expect([...seq.named_parameters()].map(([n]) => n)).toEqual(['0.weight', '0.bias']);
    expect([...seq.named_modules()].map(([n]) => n)).toEqual(['', '0', '1']);
  });

  it('assignments PyTorch refuses raise its errors', () => {
    const e = g.module_errors;
    class A extends nn.Module {
      w = new nn.Parameter(torch.ones(1));
      l = new nn.Linear(1, 1);
      x = torch.ones(1);
    }
    const a = new A();
    const loose = a as unknown as Record<string, unknown>;
    expectPyError(() => { loose.w = torch.ones(1); }, e.param!);
    expectPyError(() => { loose.l = 3; }, e.module!);
    expectPyError(() => a.register_buffer('x', torch.ones(1)), e.buffer_exists!);
    expectPyError(() => a.register_buffer('a.b', torch.ones(1)), e.buffer_dot!);
    expectPyError(() => a.register_buffer('y', 3 as unknown as Tensor), e.buffer_type!);
    expectPyError(() => a.register_parameter('z', torch.ones(1) as nn.Parameter), e.register_parameter_type!);
    expectPyError(() => a.add_module('q', 3 as unknown as nn.Module), e.add_module_type!);
    expect(a.x).toBeInstanceOf(Tensor);
    expect([...a.named_buffers()]).toEqual([]);
  });

  it('reassigning and deleting update the registries; None keeps the slot', () => {
    const lin = new nn.Linear(3, 2);
    lin.bias = null;
    expect([...lin.named_parameters()].map(([n]) => n)).toEqual(['weight']);
    expect(lin.toString()).toBe('Linear(in_features=3, out_features=2, bias=False)');
    lin.bias = new nn.Parameter(torch.zeros(2));
    expect([...lin.named_parameters()].map(([n]) => n)).toEqual(['weight', 'bias']);
    const net = new Net();
    delete (net as unknown as Record<string, unknown>).fc2;
    expect(Object.keys(net.state_dict())).toEqual(['fc1.weight', 'fc1.bias', 'fc3.weight', 'fc3.bias', 'fc4.weight', 'fc4.bias']);
    const b = new Block();
    b.running = torch.ones(4);
    expect(b.state_dict().running!.tolist()).toEqual([1, 1, 1, 1]);
  });
});

describe('state dicts', () => {
  it('load_state_dict copies values in and reports mismatches with PyTorch\'s text', () => {
    const src = new Net();
    const dst = new Net();
    expect(String(dst.load_state_dict(src.state_dict()))).toBe(g.load_errors.all_matched);
    expect(dst.fc3.weight.tolist()).toEqual(src.fc3.weight.tolist());
    expect(dst.fc3.weight.requires_grad).toBe(true);
    const lin = new nn.Linear(2, 2);
    expectPyError(() => lin.load_state_dict({ weight: torch.zeros([2, 2]), foo: torch.zeros(1), bar: torch.zeros(1) }), g.load_errors.missing_unexpected);
    expectPyError(() => lin.load_state_dict({ weight: torch.zeros([3, 2]), bias: torch.zeros(2) }), g.load_errors.size_mismatch);
    const sd = new Block().state_dict();
    const partial = Object.fromEntries(Object.entries(sd).filter(([k]) => !k.startsWith('heads.')));
    expectPyError(() => new Block().load_state_dict(partial), g.load_errors.nested_missing);
    const r = lin.load_state_dict({ weight: torch.zeros([2, 2]), foo: torch.zeros(1) }, { strict: false });
    expect(String(r)).toBe(g.load_errors.non_strict);
    expect(r.missing_keys).toEqual(['bias']);
    expect(lin.weight.tolist()).toEqual([[0, 0], [0, 0]]);
  });
});

describe('modes, gradients, devices and dtypes', () => {
  it('train()/eval() recurse; training must be a boolean', () => {
    const b = new Block();
    expect(b.eval()).toBe(b);
    expect([...b.modules()].every((m) => !m.training)).toBe(true);
    b.train();
    expect([...b.modules()].every((m) => m.training)).toBe(true);
    expectPyError(() => b.train(3 as unknown as boolean), g.module_errors.train_mode!);
  });

  it('zero_grad sets grads to None by default (PyTorch 2), or zeroes them', () => {
    const lin = new nn.Linear(3, 2);
    lin(torch.ones([1, 3])).sum().backward();
    expect(lin.weight.grad).not.toBeNull();
    lin.zero_grad({ set_to_none: false });
    expect(lin.weight.grad!.tolist()).toEqual([[0, 0, 0], [0, 0, 0]]);
    lin.zero_grad();
    expect(lin.weight.grad).toBeNull();
  });

  it('requires_grad_ and apply', () => {
    const net = new Net();
    net.requires_grad_(false);
    expect([...net.parameters()].every((p) => !p.requires_grad)).toBe(true);
    const names: string[] = [];
    net.apply((m) => void names.push(m._get_name()));
    expect(names).toEqual(['Linear', 'Linear', 'Linear', 'Linear', 'Net']);
    net.apply((m) => {
      if (m instanceof nn.Linear) nn.init.zeros_(m.bias!);
    });
    expect(net.fc2.bias!.sum().item()).toBe(0);
  });

  it('to(dtype)/double()/float() convert parameters in place, keeping their identity', () => {
    const net = new Block();
    const w = net.body.get(0) as nn.Linear;
    const param = w.weight;
    w(torch.ones([1, 4])).sum().backward();
    expect(net.double()).toBe(net);
    expect(param.dtype).toBe(torch.float64);
    expect(param.grad!.dtype).toBe(torch.float64);
    expect(w.weight).toBe(param);
    expect(net.running.dtype).toBe(torch.float64);
    expect(net.to(torch.float32).scale.dtype).toBe(torch.float32);
    expect(net.to('cpu', torch.float64).scale.dtype).toBe(torch.float64);
    expect(net.to({ dtype: torch.float32 }).float().scale.dtype).toBe(torch.float32);
    expect(net.cpu().scale.device.type).toBe('cpu');
    expect(net(torch.ones([2, 4])).dtype).toBe(torch.float32);
    expectPyError(() => new nn.Linear(2, 2).to(torch.int32), g.module_errors.to_int!);
  });
});

describe('printing', () => {
  it('the lecture Net and nested containers print as PyTorch', () => {
    expect(String(new Net())).toBe(g.repr.net);
    expect(new Block().toString()).toBe(g.repr.block);
    expect(inspect(new Net())).toBe(g.repr.net);
    expect(String(new nn.Sequential({ conv: new nn.Linear(2, 2), act: new nn.ReLU() }))).toBe(g.repr.sequential_named);
    expect(String(new nn.Sequential())).toBe(g.repr.empty_sequential);
    expect(String(new nn.Module())).toBe(g.repr.module);
  });

  it('print() shows modules and parameters as Python\'s print does', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      print(new Net());
      print(new nn.Parameter(torch.tensor([1, 2], { dtype: torch.float32 })));
      expect(log.mock.calls.map((c) => c[1])).toEqual([g.repr.net, g.repr.parameter]);
    } finally {
      log.mockRestore();
    }
  });

  it('Parameter is a Tensor that requires grad and prints "Parameter containing:"', () => {
    const p = new nn.Parameter(torch.tensor([1, 2], { dtype: torch.float32 }));
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requires_grad).toBe(true);
    expect(p.is_leaf).toBe(true);
    expect(String(p)).toBe(g.repr.parameter);
    expect(inspect(p)).toBe(g.repr.parameter);
    expect(String(new nn.Parameter(torch.tensor([1, 2], { dtype: torch.float32 }), false))).toBe(g.repr.parameter_nograd);
    expect(p.mul(2)).not.toBeInstanceOf(nn.Parameter);
    const data = torch.zeros(3);
    const shared = new nn.Parameter(data);
    data.fill_(5);
    expect(shared.tolist()).toEqual([5, 5, 5]);
  });
});
