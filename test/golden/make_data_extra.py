"""Golden values for torch.utils.data's IterableDataset, ConcatDataset and ChainDataset, and the
DataLoader over an IterableDataset, from real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_data_extra.py
Writes test/golden/data_extra.json, read by test/data_extra.test.ts.
"""
import json, os, sys
import torch
from torch.utils.data import ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset, TensorDataset
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def err(f):
    try:
        f()
    except Exception as e:  # the Python class and message, as the tests compare them
        return {'type': type(e).__name__, 'message': str(e)}
    raise AssertionError('expected an error')


class Stream(IterableDataset):
    """0, 1, ..., n - 1 as (tensor([i, i]), i) pairs; no __len__."""
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        for i in range(self.n):
            yield torch.tensor([i, i], dtype=torch.float32), i


class SizedStream(Stream):
    def __len__(self):
        return self.n


out = {}

# ---- ConcatDataset ----
a = TensorDataset(torch.arange(3))
b = list(range(10, 15))
c = TensorDataset(torch.arange(100, 102))
cd = ConcatDataset([a, b, c])


def item(x):
    return x[0].item() if isinstance(x, (tuple, list)) else x


out['concat'] = {
    'cumulative_sizes': cd.cumulative_sizes,
    'len': len(cd),
    'items': [item(cd[i]) for i in range(len(cd))],
    'negative': [item(cd[i]) for i in (-1, -3, -10)],
    'add': [item(x) for x in (a + c)],
    'errors': {
        'empty': err(lambda: ConcatDataset([])),
        'iterable': err(lambda: ConcatDataset([a, Stream(3)])),
        'negative': err(lambda: cd[-11]),
        'past_end': err(lambda: cd[10]),
    },
}

# ---- DataLoader over an IterableDataset ----
torch.manual_seed(7)
loader = DataLoader(Stream(10), batch_size=4)
batches = [[enc(x), enc(y)] for x, y in loader]
after = torch.rand(2).tolist()
out['iterable'] = {
    'batches': batches,
    'after': after,
    'drop_last': [enc(y) for _, y in DataLoader(Stream(10), batch_size=4, drop_last=True)],
    'unbatched': [[enc(x), y] for x, y in DataLoader(Stream(3), batch_size=None)],
    'collate_fn': list(DataLoader(Stream(5), batch_size=2, collate_fn=lambda s: [y for _, y in s])),
    'len': len(DataLoader(SizedStream(10), batch_size=4)),
    'len_drop_last': len(DataLoader(SizedStream(10), batch_size=4, drop_last=True)),
    'len_unbatched': len(DataLoader(SizedStream(10), batch_size=None)),
    'errors': {
        'len': err(lambda: len(DataLoader(Stream(10), batch_size=4))),
        'shuffle': err(lambda: DataLoader(Stream(10), shuffle=True)),
        'batch_sampler': err(lambda: DataLoader(Stream(10), batch_sampler=[[0, 1]])),
    },
    'shuffle_false_ok': len(list(DataLoader(Stream(2), shuffle=False))),
}

# ---- ChainDataset ----
chain = ChainDataset([SizedStream(2), SizedStream(3)])
out['chain'] = {
    'items': [y for _, y in chain],
    'len': len(chain),
    'add': [y for _, y in (SizedStream(1) + SizedStream(2))],
    'errors': {
        'len': err(lambda: len(ChainDataset([SizedStream(2), Stream(3)]))),
        'not_iterable': err(lambda: list(ChainDataset([SizedStream(1), TensorDataset(torch.arange(2))]))),
    },
}

with open(os.path.join(HERE, 'data_extra.json'), 'w') as f:
    json.dump(out, f, indent=None, separators=(',', ':'))
print('wrote', os.path.join(HERE, 'data_extra.json'))
