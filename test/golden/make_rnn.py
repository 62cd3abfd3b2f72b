"""Golden values for nn.RNN / nn.LSTM / nn.GRU and their cells, from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_rnn.py
Writes test/golden/rnn.json and the checkpoint test/fixtures/rnn/lstm_classifier.pt, read by
test/nn/rnn.test.ts.

Each forward case records the module's state_dict (keys in order), the input, the initial state
(when given), the outputs, and the gradients of loss = sum over outputs of (output * weight)
with respect to the input, the initial state and every parameter. The weights of that loss are
stored too, so the tests rebuild the same scalar.
"""
import json, os, sys, warnings
import torch
import torch.nn as nn
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

torch.set_default_dtype(torch.float32)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))


def err(f):
    try:
        f()
    except Exception as e:  # the message and Python class, as the tests compare them
        return {'type': type(e).__name__, 'message': str(e)}
    raise AssertionError('expected an error')


def flat_outputs(res):
    """The tensors a forward returned, in order: output, h_n[, c_n] (cells: h'[, c'])."""
    if isinstance(res, torch.Tensor):
        return [res]
    outs = []
    for r in res:
        outs.extend(flat_outputs(r))
    return outs


def case(name, cls, args, kw, input_shape, hx_shapes=None, dtype=torch.float32, seed=0):
    torch.manual_seed(seed)
    m = getattr(nn, cls)(*args, **kw, dtype=dtype)
    sd = m.state_dict()
    x = torch.randn(*input_shape, dtype=dtype, requires_grad=True)
    hx = None
    hx_list = []
    if hx_shapes is not None:
        hx_list = [torch.randn(*s, dtype=dtype, requires_grad=True) for s in hx_shapes]
        hx = hx_list[0] if len(hx_list) == 1 else tuple(hx_list)
    res = m(x) if hx is None else m(x, hx)
    outs = flat_outputs(res)
    weights = [torch.randn(o.shape, dtype=dtype) for o in outs]
    loss = sum((o * w).sum() for o, w in zip(outs, weights))
    loss.backward()
    return {
        'name': name, 'cls': cls, 'args': args, 'kw': kw, 'dtype': dname(dtype), 'seed': seed,
        'repr': repr(m),
        'state_dict': [[k, enc(v)] for k, v in sd.items()],
        'shapes': [[k, list(v.shape)] for k, v in sd.items()],
        'input': enc(x), 'hx': [enc(h) for h in hx_list] if hx_shapes is not None else None,
        'outputs': [enc(o) for o in outs], 'output_shapes': [list(o.shape) for o in outs],
        'weights': [enc(w) for w in weights],
        'loss': loss.item(),
        'grad_input': enc(x.grad),
        'grad_hx': [enc(h.grad) for h in hx_list],
        'grads': [[k, enc(p.grad)] for k, p in m.named_parameters()],
    }


out = {}
out['cases'] = [
    case('rnn_tanh', 'RNN', [4, 5], {}, (3, 2, 4)),
    case('rnn_relu_2layer_nobias_hx', 'RNN', [4, 5, 2], {'nonlinearity': 'relu', 'bias': False}, (3, 2, 4), [(2, 2, 5)], seed=1),
    case('rnn_bidir_batch_first', 'RNN', [3, 4], {'batch_first': True, 'bidirectional': True}, (2, 5, 3), seed=2),
    case('lstm_2layer_bidir_batch_first', 'LSTM', [4, 5, 2], {'batch_first': True, 'bidirectional': True}, (2, 4, 4), seed=3),
    case('lstm_proj', 'LSTM', [4, 6], {'proj_size': 3}, (5, 2, 4), seed=4),
    case('lstm_proj_2layer_bidir_hx', 'LSTM', [4, 6, 2], {'proj_size': 3, 'bidirectional': True}, (3, 2, 4),
         [(4, 2, 3), (4, 2, 6)], seed=5),
    case('lstm_hx_nobias', 'LSTM', [3, 4], {'bias': False}, (4, 3, 3), [(1, 3, 4), (1, 3, 4)], seed=6),
    case('lstm_unbatched_hx', 'LSTM', [4, 5], {}, (6, 4), [(1, 5), (1, 5)], seed=7),
    case('lstm_unbatched_batch_first', 'LSTM', [4, 5, 2], {'batch_first': True}, (3, 4), seed=8),
    case('gru', 'GRU', [4, 5], {}, (4, 3, 4), seed=9),
    case('gru_2layer_bidir_hx', 'GRU', [3, 4, 2], {'bidirectional': True}, (5, 2, 3), [(4, 2, 4)], seed=10),
    case('gru_unbatched', 'GRU', [4, 5], {'batch_first': True}, (3, 4), [(1, 5)], seed=11),
    case('rnn_unbatched_bidir', 'RNN', [4, 3], {'bidirectional': True}, (4, 4), seed=12),
    case('lstm_float64', 'LSTM', [3, 4, 2], {'bidirectional': True}, (3, 2, 3), dtype=torch.float64, seed=13),
    case('gru_float64_batch_first', 'GRU', [3, 4], {'batch_first': True}, (2, 3, 3), [(1, 2, 4)], dtype=torch.float64, seed=14),
    case('rnncell', 'RNNCell', [4, 5], {}, (3, 4), seed=20),
    case('rnncell_relu_nobias_hx', 'RNNCell', [4, 5], {'bias': False, 'nonlinearity': 'relu'}, (3, 4), [(3, 5)], seed=21),
    case('rnncell_unbatched', 'RNNCell', [4, 5], {}, (4,), [(5,)], seed=22),
    case('lstmcell', 'LSTMCell', [4, 5], {}, (3, 4), seed=23),
    case('lstmcell_hx', 'LSTMCell', [4, 5], {}, (3, 4), [(3, 5), (3, 5)], seed=24),
    case('lstmcell_unbatched', 'LSTMCell', [4, 5], {'bias': False}, (4,), [(5,), (5,)], seed=25),
    case('grucell', 'GRUCell', [4, 5], {}, (3, 4), [(3, 5)], seed=26),
    case('grucell_unbatched', 'GRUCell', [4, 5], {}, (4,), seed=27),
]

# eval mode drops no elements: dropout between layers is then the identity
torch.manual_seed(30)
m = nn.LSTM(3, 4, 3, dropout=0.5)
m.eval()
x = torch.randn(4, 2, 3)
o, (h, c) = m(x)
out['dropout_eval'] = {'state_dict': [[k, enc(v)] for k, v in m.state_dict().items()], 'input': enc(x),
                       'outputs': [enc(o), enc(h), enc(c)]}

reprs = []
for cls, args, kw in [
    ('RNN', [10, 20], {}),
    ('RNN', [10, 20, 2], {'nonlinearity': 'relu'}),
    ('RNN', [10, 20], {'bias': False, 'batch_first': True, 'bidirectional': True}),
    ('LSTM', [10, 20], {}),
    ('LSTM', [10, 20, 2], {'batch_first': True}),
    ('LSTM', [10, 20, 3], {'dropout': 0.5, 'bidirectional': True}),
    ('LSTM', [10, 20], {'proj_size': 5}),
    ('LSTM', [10, 20, 2], {'dropout': 1}),
    ('GRU', [10, 20], {}),
    ('GRU', [10, 20, 2], {'dropout': 0.25, 'bias': False}),
    ('RNNCell', [10, 20], {}),
    ('RNNCell', [10, 20], {'bias': False, 'nonlinearity': 'relu'}),
    ('LSTMCell', [10, 20], {}),
    ('GRUCell', [10, 20], {'bias': False}),
]:
    reprs.append({'cls': cls, 'args': args, 'kw': kw, 'repr': repr(getattr(nn, cls)(*args, **kw))})
out['reprs'] = reprs
out['nested_repr'] = repr(nn.Sequential(nn.LSTM(10, 20, 2, batch_first=True), nn.Linear(20, 2)))

# parameter names, shapes and order
names = {}
for key, mk in [
    ('rnn_2layer_bidir', lambda: nn.RNN(3, 4, 2, bidirectional=True)),
    ('lstm_proj_2layer_bidir', lambda: nn.LSTM(3, 4, 2, proj_size=2, bidirectional=True)),
    ('lstm_proj_nobias', lambda: nn.LSTM(3, 4, proj_size=2, bias=False)),
    ('gru_2layer', lambda: nn.GRU(3, 4, 2)),
    ('rnncell_nobias', lambda: nn.RNNCell(3, 4, bias=False)),
    ('lstmcell', lambda: nn.LSTMCell(3, 4)),
    ('grucell', lambda: nn.GRUCell(3, 4)),
]:
    names[key] = [[k, list(p.shape)] for k, p in mk().named_parameters()]
out['param_names'] = names

lstm = nn.LSTM(10, 20, 2)
gru = nn.GRU(10, 20)
rnn = nn.RNN(10, 20)
lcell = nn.LSTMCell(10, 20)
rcell = nn.RNNCell(10, 20)
rcell_bad = nn.RNNCell(10, 20)
rcell_bad.nonlinearity = 'sigmoid'
gcell = nn.GRUCell(10, 20)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    nn.LSTM(10, 20, dropout=0.5)
out['dropout_warning'] = str(caught[0].message)
out['errors'] = {
    'input_size': err(lambda: lstm(torch.randn(5, 3, 5))),
    'input_size_gru': err(lambda: gru(torch.randn(5, 3, 7))),
    'input_size_unbatched': err(lambda: rnn(torch.randn(5, 7))),
    'hidden_size': err(lambda: rnn(torch.randn(5, 3, 10), torch.randn(1, 4, 20))),
    'hidden_size_gru': err(lambda: gru(torch.randn(5, 3, 10), torch.randn(2, 3, 20))),
    'hidden0_size': err(lambda: lstm(torch.randn(5, 3, 10), (torch.randn(2, 3, 19), torch.randn(2, 3, 20)))),
    'hidden1_size': err(lambda: lstm(torch.randn(5, 3, 10), (torch.randn(2, 3, 20), torch.randn(1, 3, 20)))),
    'hidden_unbatched_size': err(lambda: rnn(torch.randn(5, 10), torch.randn(2, 20))),
    'batched_hx_dim': err(lambda: rnn(torch.randn(5, 3, 10), torch.randn(3, 20))),
    'unbatched_hx_dim': err(lambda: gru(torch.randn(5, 10), torch.randn(1, 3, 20))),
    'lstm_batched_hx_dim': err(lambda: lstm(torch.randn(5, 3, 10), (torch.randn(3, 20), torch.randn(2, 3, 20)))),
    'lstm_unbatched_hx_dim': err(lambda: lstm(torch.randn(5, 10), (torch.randn(2, 20), torch.randn(2, 1, 20)))),
    'dropout_range': err(lambda: nn.LSTM(10, 20, 2, dropout=1.5)),
    'dropout_bool': err(lambda: nn.LSTM(10, 20, 2, dropout=True)),
    'proj_negative': err(lambda: nn.LSTM(10, 20, proj_size=-1)),
    'proj_too_big': err(lambda: nn.LSTM(10, 20, proj_size=20)),
    'proj_rnn': err(lambda: nn.RNN(10, 20, proj_size=5)),
    'proj_gru': err(lambda: nn.GRU(10, 20, proj_size=5)),
    'nonlinearity': err(lambda: nn.RNN(10, 20, nonlinearity='sigmoid')),
    'cell_input_size': err(lambda: lcell(torch.randn(3, 7))),
    'cell_input_size_rnn': err(lambda: rcell(torch.randn(3, 7))),
    'cell_batch': err(lambda: gcell(torch.randn(3, 10), torch.randn(4, 20))),
    'cell_hidden_size': err(lambda: rcell(torch.randn(3, 10), torch.randn(3, 21))),
    'lstmcell_hidden0_size': err(lambda: lcell(torch.randn(3, 10), (torch.randn(3, 21), torch.randn(3, 20)))),
    'lstmcell_hidden1_size': err(lambda: lcell(torch.randn(3, 10), (torch.randn(3, 20), torch.randn(3, 21)))),
    'lstmcell_hidden1_batch': err(lambda: lcell(torch.randn(3, 10), (torch.randn(3, 20), torch.randn(2, 20)))),
    'cell_nonlinearity': err(lambda: rcell_bad(torch.randn(3, 10))),
}

# a checkpoint written by torch.save: an LSTM classifier's state dict, loaded by the tests
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


torch.manual_seed(40)
net = Net()
FIX = os.path.join(HERE, '..', 'fixtures', 'rnn')
os.makedirs(FIX, exist_ok=True)
torch.save(net.state_dict(), os.path.join(FIX, 'lstm_classifier.pt'))
x = torch.randn(2, 5, 3)
with torch.no_grad():
    out['checkpoint'] = {'keys': list(net.state_dict().keys()), 'input': enc(x), 'output': enc(net(x))}

with open(os.path.join(HERE, 'rnn.json'), 'w') as f:
    json.dump(out, f, separators=(',', ':'))
    f.write('\n')
print('wrote rnn.json')
