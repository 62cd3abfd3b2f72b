"""Golden values for autograd semantics, from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_autograd.py
Writes test/golden/autograd.json, read by test/autograd.test.ts, which replays each scenario
below in torchlab. Inputs are written out with the results, so the test never needs a random
generator that matches PyTorch's.
"""
import json, math, os, warnings
import torch
import os as _os, sys as _sys
_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))
from golden_common import enc  # noqa: E402

warnings.filterwarnings('ignore')  # non-leaf .grad access and create_graph warnings are expected here

torch.set_default_dtype(torch.float32)
f64 = torch.float64


def err(fn):
    try:
        fn()
    except Exception as e:  # the class name and PyTorch's exact message
        return {'type': type(e).__name__, 'message': str(e)}
    raise AssertionError('expected an error')


def graph(fn):
    """grad_fn tree as nested {name, next: [[child or None, output_nr], ...]}."""
    if fn is None:
        return None
    return {'name': fn.name(), 'next': [[graph(f), nr] for f, nr in fn.next_functions]}


out = {}

# ---- requires_grad ----
x = torch.tensor([1.0, 2.0])
r = {'default': x.requires_grad}
x.requires_grad_()
r['after_requires_grad_'] = x.requires_grad
x.requires_grad_(False)
r['after_false'] = x.requires_grad
r['int_error'] = err(lambda: torch.tensor([1, 2]).requires_grad_())
r['nonleaf_false_error'] = err(lambda: (torch.ones(2, requires_grad=True) * 2).requires_grad_(False))
out['requires_grad'] = r

# ---- .grad accumulation over two backward calls ----
xv = [0.5, -1.25, 2.0]
x = torch.tensor(xv, dtype=f64, requires_grad=True)
(x * x).sum().backward()
g1 = enc(x.grad)
x.pow(3).sum().backward()
out['accumulate'] = {'x': xv, 'grad1': g1, 'grad2': enc(x.grad)}

# ---- backward on scalars and with a gradient argument ----
x = torch.tensor(xv, dtype=f64, requires_grad=True)
v = [1.0, -2.0, 0.5]
(x * x).backward(torch.tensor(v, dtype=f64))
out['backward_gradient'] = {
    'x': xv, 'v': v, 'grad': enc(x.grad),
    'implicit_error': err(lambda: (x * 2).backward()),
    'shape_error': err(lambda: (x * 2).backward(torch.ones(2, dtype=f64))),
    'scalar_shape_error': err(lambda: (x * 2).sum().backward(torch.ones(2, dtype=f64))),
    'no_grad_fn_error': err(lambda: torch.ones(2).sum().backward()),
}

# ---- retain_graph and the freed-graph error ----
x = torch.tensor(xv, dtype=f64, requires_grad=True)
z = x.exp().sum()
z.backward(retain_graph=True)
g1 = enc(x.grad)
z.backward()
g2 = enc(x.grad)
out['retain_graph'] = {'x': xv, 'grad1': g1, 'grad2': g2, 'third_error': err(lambda: z.backward())}
x = torch.tensor(xv, dtype=f64, requires_grad=True)
z = (x * x).sum()
z.backward()
out['retain_graph']['freed_error'] = err(lambda: z.backward())
# a graph whose nodes saved nothing can be walked again without retain_graph
x = torch.tensor(xv, dtype=f64, requires_grad=True)
z = (x + 1).sum()
z.backward()
z.backward()
out['retain_graph']['nothing_saved_grad'] = enc(x.grad)

# ---- detach, detach_, is_leaf ----
x = torch.tensor(xv, dtype=f64, requires_grad=True)
y = x * 2
d = y.detach()
d.add_(10)  # shares storage with y
y2 = x * 3
y2.detach_()
with torch.no_grad():
    made_in_no_grad = x * 2
out['detach'] = {
    'x': xv,
    'd_requires_grad': d.requires_grad, 'd_is_leaf': d.is_leaf, 'd_grad_fn': d.grad_fn is None,
    'y_after': enc(y),
    'y2_requires_grad': y2.requires_grad, 'y2_is_leaf': y2.is_leaf, 'y2_grad_fn_none': y2.grad_fn is None,
    'is_leaf': {'x': x.is_leaf, 'y': y.is_leaf, 'const': torch.ones(2).is_leaf, 'no_grad': made_in_no_grad.is_leaf,
                'no_grad_requires_grad': made_in_no_grad.requires_grad},
}

# ---- grad_fn names and next_functions ----
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
c = torch.tensor([5.0, 6.0], requires_grad=True)
s = (a * b + c).sum()
k = torch.tensor([3.0, 4.0])
s2 = (a * k + c).sum()
out['graph'] = {
    'full': graph(s.grad_fn),
    'const_b': graph(s2.grad_fn),
    'exp_sum': graph(a.exp().sum().grad_fn),
    'mean_pow': graph((a - c).pow(2).mean().grad_fn),
}

# ---- retain_grad on non-leaves ----
x = torch.tensor(xv, dtype=f64, requires_grad=True)
y = x * 2
y.retain_grad()
w = y * 3
(y * w).sum().backward()
out['retain_grad'] = {'x': xv, 'y_grad': enc(y.grad), 'x_grad': enc(x.grad), 'retains_grad': y.retains_grad,
                      'w_retains_grad': w.retains_grad, 'w_grad_none': w.grad is None}

# ---- hooks ----
x = torch.tensor(xv, dtype=f64, requires_grad=True)
seen = {}
h_leaf = x.register_hook(lambda g: g * 10)
y = x * x
def obs(g):
    seen['y'] = enc(g)
y.register_hook(obs)
y.register_hook(lambda g: g + 1)
y.sum().backward()
first = enc(x.grad)
h_leaf.remove()
x.grad = None
y = x * x
y.sum().backward()
# a hook registered before retain_grad: the retained grad is the hooked one (1.13 and 2.x agree)
x2 = torch.tensor(xv, dtype=f64, requires_grad=True)
y2 = x2 * 2
y2.register_hook(lambda g: g * 100)
y2.retain_grad()
(y2 * y2).sum().backward()
out['hooks'] = {'x': xv, 'seen_y': seen['y'], 'grad_with_hooks': first, 'grad_after_remove': enc(x.grad),
                'retained_after_hook': enc(y2.grad), 'x2_grad': enc(x2.grad),
                'no_grad_error': err(lambda: torch.ones(2).register_hook(lambda g: g))}

# ---- grad mode ----
x = torch.tensor([1.0, 2.0], requires_grad=True)
gm = {}
with torch.no_grad():
    gm['no_grad_rg'] = (x * 2).requires_grad
    gm['no_grad_enabled'] = torch.is_grad_enabled()
    with torch.enable_grad():
        gm['enable_inside_rg'] = (x * 2).requires_grad
        gm['enable_inside_enabled'] = torch.is_grad_enabled()
    gm['after_enable_enabled'] = torch.is_grad_enabled()
gm['after_enabled'] = torch.is_grad_enabled()
torch.set_grad_enabled(False)
gm['set_false_enabled'] = torch.is_grad_enabled()
gm['set_false_rg'] = (x * 2).requires_grad
torch.set_grad_enabled(True)
gm['set_true_enabled'] = torch.is_grad_enabled()
with torch.set_grad_enabled(False):
    gm['ctx_false_rg'] = (x * 2).requires_grad
gm['ctx_after_enabled'] = torch.is_grad_enabled()
out['grad_mode'] = gm

# ---- torch.autograd.grad: higher derivatives ----
xs = [-1.5, 0.5, 2.0]
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = x.pow(3).sum()
(d1,) = torch.autograd.grad(y, x, create_graph=True)
(d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
(d3,) = torch.autograd.grad(d2.sum(), x)
x_plain = torch.tensor(xs, dtype=f64, requires_grad=True)
(p1,) = torch.autograd.grad(x_plain.pow(3).sum(), x_plain)
cube = {'x': xs, 'd1': enc(d1), 'd2': enc(d2), 'd3': enc(d3), 'd1_requires_grad': d1.requires_grad,
        'd1_grad_fn': d1.grad_fn.name(), 'plain_requires_grad': p1.requires_grad,
        'x_grad_untouched': x.grad is None}
x = torch.tensor(xs, dtype=f64, requires_grad=True)
(s1,) = torch.autograd.grad(x.sin().sum(), x, create_graph=True)
(s2,) = torch.autograd.grad(s1.sum(), x)
sin = {'x': xs, 'd1': enc(s1), 'd2': enc(s2)}

# an MLP-like expression: loss = mean((tanh(X W1 + b1) . w2)^2), matmul written as broadcast-sum
X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-0.3, 0.8, 0.1], [1.1, -0.6, 0.4]]
W1 = [[0.2, -0.4], [0.7, 0.1], [-0.5, 0.3]]
B1 = [0.05, -0.1]
W2 = [0.6, -1.2]
Xt = torch.tensor(X, dtype=f64)
W1t = torch.tensor(W1, dtype=f64, requires_grad=True)
b1t = torch.tensor(B1, dtype=f64, requires_grad=True)
w2t = torch.tensor(W2, dtype=f64, requires_grad=True)
def mlp(W1t, b1t, w2t):
    h = (Xt.unsqueeze(2) * W1t).sum(1).add(b1t).tanh()
    return (h * w2t).sum(1).pow(2).mean()
loss = mlp(W1t, b1t, w2t)
gW1, gb1, gw2 = torch.autograd.grad(loss, [W1t, b1t, w2t], create_graph=True)
penalty = gW1.pow(2).sum() + gb1.pow(2).sum() + gw2.pow(2).sum()
hW1, hb1, hw2 = torch.autograd.grad(penalty, [W1t, b1t, w2t])
mlp_g = {'X': X, 'W1': W1, 'b1': B1, 'w2': W2, 'loss': loss.item(),
         'g': [enc(gW1), enc(gb1), enc(gw2)], 'penalty': penalty.item(), 'h': [enc(hW1), enc(hb1), enc(hw2)]}

# allow_unused, grad_outputs, errors
x = torch.tensor(xs, dtype=f64, requires_grad=True)
u = torch.tensor([1.0], dtype=f64, requires_grad=True)
unused = {
    'error': err(lambda: torch.autograd.grad((x * x).sum(), [x, u])),
    'allowed': [enc(g) if g is not None else None for g in torch.autograd.grad((x * x).sum(), [x, u], allow_unused=True)],
    'no_requires_grad_error': err(lambda: torch.autograd.grad((x * 2).sum(), torch.ones(2))),
    'output_error': err(lambda: torch.autograd.grad([(x * 2).sum(), torch.ones(())], x)),
}
gov = [2.0, -1.0, 0.5]
(go,) = torch.autograd.grad(x * x, x, grad_outputs=torch.tensor(gov, dtype=f64))
# several outputs with their own grad_outputs; the grads sum
(go2,) = torch.autograd.grad([x * x, x.sin()], x, grad_outputs=[torch.tensor(gov, dtype=f64), torch.ones(3, dtype=f64)])
# a non-leaf input: the grad w.r.t. an intermediate
h = x.exp()
(gh,) = torch.autograd.grad((h * h).sum(), h)
# backward(create_graph=True) leaves a differentiable .grad, which a second backward accumulates into
x = torch.tensor(xs, dtype=f64, requires_grad=True)
x.pow(3).sum().backward(create_graph=True)
cg1 = enc(x.grad)
cg_rg = x.grad.requires_grad
x.grad.sum().backward()
cube['create_graph_backward'] = {'grad1': cg1, 'requires_grad': cg_rg, 'grad2': enc(x.grad)}
out['autograd_grad'] = {'cube': cube, 'sin': sin, 'mlp': mlp_g, 'unused': unused,
                        'grad_outputs': {'x': xs, 'v': gov, 'grad': enc(go), 'two_outputs': enc(go2)},
                        'nonleaf_input': enc(gh)}

# ---- custom Functions ----
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


class ScaledMul(torch.autograd.Function):
    """a * b * k, with k a plain number; records needs_input_grad."""
    @staticmethod
    def forward(ctx, a, b, k):
        ctx.save_for_backward(a, b)
        ctx.k = k
        ctx.seen_needs = list(ctx.needs_input_grad)
        return a * b * k

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g * b * ctx.k if ctx.needs_input_grad[0] else None
        gb = g * a * ctx.k if ctx.needs_input_grad[1] else None
        return ga, gb, None


x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = Exp.apply(x)
y.sum().backward()
fn = {'x': xs, 'exp_y': enc(y), 'exp_grad': enc(x.grad), 'exp_grad_fn': y.grad_fn.name(),
      'exp_next': graph(y.grad_fn)}
a = torch.tensor([1.0, 2.0, 3.0], dtype=f64, requires_grad=True)
b = torch.tensor([-1.0, 0.5, 4.0], dtype=f64, requires_grad=True)
y = ScaledMul.apply(a, b, 2.5)
ctx_needs = y.grad_fn.seen_needs
y.sum().backward()
bc = torch.tensor([-1.0, 0.5, 4.0], dtype=f64)
a2 = torch.tensor([1.0, 2.0, 3.0], dtype=f64, requires_grad=True)
y2 = ScaledMul.apply(a2, bc, 2.5)
ctx_needs2 = y2.grad_fn.seen_needs
y2.sum().backward()
fn['scaled'] = {'a': enc(a), 'b': enc(b), 'k': 2.5, 'y': enc(y), 'needs': ctx_needs, 'grad_a': enc(a.grad),
                'grad_b': enc(b.grad), 'needs_const_b': ctx_needs2, 'grad_a2': enc(a2.grad)}
# saved tensors are freed after backward, like any node's
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = Exp.apply(x).sum()
y.backward()
fn['freed_error'] = err(lambda: y.backward())
# second derivative through a custom Function whose backward is written with differentiable ops
x = torch.tensor(xs, dtype=f64, requires_grad=True)
(e1,) = torch.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
(e2,) = torch.autograd.grad(e1.sum(), x)
fn['double'] = {'d1': enc(e1), 'd2': enc(e2)}


class TooFew(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g


class BadShape(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, g):
        return torch.ones(5, dtype=g.dtype)


x = torch.tensor(xs, dtype=f64, requires_grad=True)
fn['too_few_error'] = err(lambda: TooFew.apply(x, x).sum().backward())
fn['bad_shape_error'] = err(lambda: BadShape.apply(x).sum().backward())
# a saved tensor changed in place after forward
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = Exp.apply(x)
with torch.no_grad():
    y.mul_(2)
fn['version_error'] = err(lambda: y.sum().backward())


class AddOneInplace(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        a.add_(1)
        ctx.mark_dirty(a)
        return a

    @staticmethod
    def backward(ctx, g):
        return g * 3  # deliberately not 1, so the test sees this backward ran


x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = x * 2
z = AddOneInplace.apply(y)
same = z is y
name = y.grad_fn.name()
(y * y).sum().backward()
x2 = torch.tensor(xs, dtype=f64, requires_grad=True)
y2 = x2 * 2
AddOneInplace.apply(y2.narrow(0, 0, 2))
(y2 * y2).sum().backward()
fn['dirty'] = {'same': same, 'name': name, 'y': enc(y), 'grad': enc(x.grad),
               'view_base_name': y2.grad_fn.name(), 'view_y': enc(y2), 'view_grad': enc(x2.grad),
               'leaf_error': err(lambda: AddOneInplace.apply(torch.tensor(xs, dtype=f64, requires_grad=True)))}
out['function'] = fn

# ---- in-place ops ----
ip = {}
x = torch.tensor(xs, dtype=f64, requires_grad=True)
ip['leaf_error'] = err(lambda: x.add_(1))
ip['leaf_view_error'] = err(lambda: x.narrow(0, 0, 2).mul_(2))
ip['leaf_zero_error'] = err(lambda: x.zero_())
with torch.no_grad():
    x.mul_(2)  # allowed under no_grad
ip['leaf_after_no_grad'] = enc(x)
ip['leaf_version'] = x._version
# saved tensors modified in place: an op's own output, a constant, an intermediate input
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = x.exp()
y.add_(1)
ip['version_output'] = err(lambda: y.sum().backward())
c = torch.tensor([1.0, 2.0, 3.0], dtype=f64)
z = x * c
c.add_(1)
ip['version_const'] = err(lambda: z.sum().backward())
y = x * 1
w = y * y
y.add_(1)
ip['version_input'] = err(lambda: w.sum().backward())
# in-place on non-leaves stays differentiable
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = x * 2
y.add_(1)
ip['add_name'] = y.grad_fn.name()
ip['add_next'] = graph(y.grad_fn)
y.sum().backward()
ip['add_grad'] = enc(x.grad)
ip['add_y'] = enc(y)
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = x * 1
y.mul_(x)
y.exp_()
y.sum().backward()
ip['chain_y'] = enc(y)
ip['chain_grad'] = enc(x.grad)
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = x * 1
y.sub_(x.sin(), alpha=2)
y.sum().backward()
ip['sub_alpha_grad'] = enc(x.grad)
# in-place through a view of a non-leaf: the base's gradient sees it (CopySlices)
x = torch.tensor(xs, dtype=f64, requires_grad=True)
y = x * 2
y.narrow(0, 0, 2).mul_(3)
ip['view_base_name'] = y.grad_fn.name()
y.pow(2).sum().backward()
ip['view_y'] = enc(y)
ip['view_grad'] = enc(x.grad)
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f64, requires_grad=True)
y = x.exp()  # ExpBackward0 saves its output: writing into it through a view must be caught
y.select(1, 0).zero_()
ip['view_version_error'] = err(lambda: y.sum().backward())
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f64, requires_grad=True)
k = torch.tensor([0.5, -1.5], dtype=f64, requires_grad=True)
y = x * 1
y.select(1, 1).copy_(k.pow(2))
(y * torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f64)).sum().backward()
ip['copy_view_y'] = enc(y)
ip['copy_view_grad_x'] = enc(x.grad)
ip['copy_view_grad_k'] = enc(k.grad)
# a base laid out non-contiguously (a detached transpose) written through a view
k = torch.tensor([0.5, -1.5], dtype=f64, requires_grad=True)
d = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f64).t().detach()
d.select(0, 1).mul_(k)
(d.exp() * torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f64)).sum().backward()
ip['strided_base_y'] = enc(d)
ip['strided_base_grad_k'] = enc(k.grad)
out['inplace'] = ip

# ---- gradcheck / gradgradcheck ----
from torch.autograd import gradcheck, gradgradcheck


class WrongSin(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a.sin()

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.cos() * 1.1


class FlatSin(torch.autograd.Function):
    """Right first derivative, but its backward is not differentiable w.r.t. the input."""
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a.sin()

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.detach().cos()


gx = [0.1, 0.2]
t = lambda: torch.tensor(gx, dtype=f64, requires_grad=True)
gc = {'x': gx,
      'ok': gradcheck(lambda a: a.sin() * a, (t(),)),
      'wrong': gradcheck(WrongSin.apply, (t(),), raise_exception=False),
      'wrong_error': err(lambda: gradcheck(WrongSin.apply, (t(),))),
      'flat_first': gradcheck(FlatSin.apply, (t(),)),
      'flat_second': gradgradcheck(FlatSin.apply, (t(),), raise_exception=False),
      'gg_ok': gradgradcheck(lambda a, b: (a * b).exp(), (t(), t())),
      'none_error': err(lambda: gradcheck(lambda a: a.sin(), (torch.tensor([1.0], dtype=f64),)))}
out['gradcheck'] = gc

# ---- the lecture's linear regression ----
gen = torch.Generator().manual_seed(42)
xt = torch.rand(80, 1, generator=gen)
yt = 1 + 2 * xt + 0.1 * torch.randn(80, 1, generator=gen)
a = torch.tensor([0.3367])
b = torch.tensor([0.1288])
a.requires_grad_()
b.requires_grad_()
lr = 1e-1
steps = []
for epoch in range(20):
    loss = (a + b * xt - yt).pow(2).mean()
    loss.backward()
    steps.append({'loss': loss.item(), 'a_grad': enc(a.grad), 'b_grad': enc(b.grad)})
    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad
    a.grad.zero_()
    b.grad.zero_()
out['regression'] = {'x': enc(xt), 'y': enc(yt), 'a0': [0.3367], 'b0': [0.1288], 'lr': lr, 'steps': steps,
                     'a': enc(a), 'b': enc(b)}

# ---- op backward formulas the engine tests found wrong once ----
p = torch.tensor([[0.3, -1.2, 0.8], [1.1, 0.45, -0.5]], dtype=f64, requires_grad=True)
q = torch.tensor([0.45, -0.35, 0.65], dtype=f64, requires_grad=True)
r = torch.tensor([0.2, 0.6, 0.9], dtype=f64, requires_grad=True)
gy = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=f64)
y = p.clamp(q, r)  # min > max in column 0: the result is max there
y.backward(gy)
out['clamp_tensors'] = {'p': enc(p), 'q': enc(q), 'r': enc(r), 'gy': enc(gy), 'y': enc(y),
                        'grad_p': enc(p.grad), 'grad_q': enc(q.grad), 'grad_r': enc(r.grad)}
x = torch.tensor(2.5, dtype=f64, requires_grad=True)
y = x.reshape(1, 1).mul(torch.tensor([[3.0]], dtype=f64))
(g1,) = torch.autograd.grad(y.sum(), x, create_graph=True)
out['zero_dim_view'] = {'y': enc(y), 'grad': enc(g1)}

# ---- inputs for the gradcheck sweep over the op table (domains avoid ties and kinks) ----
DEFAULT = [-1.3, -0.4, 0.7, 1.9]
POS = [0.3, 0.9, 1.7, 2.6]
UNIT = [-0.7, -0.3, 0.2, 0.6]
GT1 = [1.2, 1.9, 3.5, 2.4]
OFFGRID = [-1.3, -0.4, 0.3, 1.7]  # away from integers and half-integers: round/floor/frac are smooth here
unary = {
    'log': POS, 'log1p': POS, 'log2': POS, 'log10': POS, 'sqrt': POS, 'rsqrt': POS, 'reciprocal': POS,
    'asin': UNIT, 'acos': UNIT, 'atanh': UNIT, 'acosh': GT1,
    'round': OFFGRID, 'floor': OFFGRID, 'ceil': OFFGRID, 'trunc': OFFGRID, 'fix': OFFGRID, 'frac': OFFGRID,
    'tan': [-1.1, -0.4, 0.3, 1.2],
}
unary_ops = ['neg', 'negative', 'abs', 'sign', 'sgn', 'exp', 'exp2', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt',
             'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh',
             'asinh', 'acosh', 'atanh', 'sigmoid', 'relu', 'erf', 'floor', 'ceil', 'trunc', 'fix', 'round', 'frac',
             'positive']
sweep_u = {}
for name in unary_ops:
    vals = unary.get(name, DEFAULT)
    xt = torch.tensor(vals, dtype=f64, requires_grad=True)
    assert gradcheck(getattr(torch, name), (xt,)), name
    sweep_u[name] = {'x': vals}
# binary: a of shape [2, 3], b of shape [3] (so broadcasting's sum-to is checked), and a scalar
A = [[-1.3, 0.4, 2.2], [0.7, -2.1, 1.6]]
B = [0.9, -1.7, 0.55]
APOS = [[0.3, 1.4, 2.2], [0.7, 2.1, 1.6]]
binary = {
    'mul': (A, B, 1.5), 'multiply': (A, B, -2.0),
    'true_divide': (A, B, 2.5),
    'pow': (APOS, B, 2.5),
    # remainder/fmod: a/b kept away from integers, where they jump
    'remainder': ([[2.3, -1.1, 3.7], [-2.9, 0.35, 1.3]], [0.9, -1.7, 1.25], 0.8),
    'fmod': ([[2.3, -1.1, 3.7], [-2.9, 0.35, 1.3]], [0.9, -1.7, 1.25], 0.8),
    'atan2': (A, B, 0.7),
    'maximum': (A, B, 0.5), 'minimum': (A, B, 0.5), 'fmax': (A, B, 0.5), 'fmin': (A, B, 0.5),
    'hypot': (A, B, 1.3),
}
sweep_b = {}
for name, (av, bv, s) in binary.items():
    at = torch.tensor(av, dtype=f64, requires_grad=True)
    bt = torch.tensor(bv, dtype=f64, requires_grad=True)
    f = getattr(torch, name)
    assert gradcheck(f, (at, bt)), name
    if name not in ('maximum', 'minimum', 'fmax', 'fmin', 'hypot', 'atan2'):  # these take no Python scalar
        assert gradcheck(lambda a: f(a, s), (at,)), name
    sweep_b[name] = {'a': av, 'b': bv, 'scalar': s}
out['sweep'] = {'unary': sweep_u, 'binary': sweep_b,
                'gradgrad_unary': ['exp', 'log', 'sin', 'tanh', 'sigmoid', 'sqrt', 'reciprocal', 'atan', 'erf', 'abs'],
                'gradgrad_binary': ['mul', 'true_divide', 'pow', 'atan2', 'hypot', 'maximum']}
for name in out['sweep']['gradgrad_unary']:
    assert gradgradcheck(getattr(torch, name), (torch.tensor(sweep_u[name]['x'], dtype=f64, requires_grad=True),)), name
for name in out['sweep']['gradgrad_binary']:
    e = sweep_b[name]
    assert gradgradcheck(getattr(torch, name), (torch.tensor(e['a'], dtype=f64, requires_grad=True),
                                                torch.tensor(e['b'], dtype=f64, requires_grad=True))), name

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'autograd.json')
with open(path, 'w') as fh:
    json.dump(out, fh, indent=1)
    fh.write('\n')
print('wrote', path)
