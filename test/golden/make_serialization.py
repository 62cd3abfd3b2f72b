"""Fixtures for torch.save / torch.load (test/serialization.test.ts), written by real PyTorch.

Run with Debian's PyTorch:  /usr/bin/python3 test/golden/make_serialization.py
Writes test/fixtures/serialization/*.pt (PyTorch checkpoints made by torch.save),
test/fixtures/serialization/*.safetensors (written by the safetensors writer below, which
follows the reference implementation's layout byte for byte) and test/golden/serialization.json
(the values the tests compare against).

`/usr/bin/python3 test/golden/make_serialization.py read FILE` prints a safetensors file as JSON
(read with the reader below); the tests use it to check that Python reads torchlab's files.
Python's `safetensors` package is not packaged by Debian, so both are written here from the
format's specification with json/struct only.
"""
import collections, io, json, os, struct, sys, zipfile
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.normpath(os.path.join(HERE, '..', 'fixtures', 'serialization'))

# safetensors' dtype codes, in the reference implementation's enum order (its sort key)
ST_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']
ST_CODE = {torch.bool: 'BOOL', torch.uint8: 'U8', torch.int8: 'I8', torch.int16: 'I16', torch.float16: 'F16',
           torch.bfloat16: 'BF16', torch.int32: 'I32', torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64'}
ST_DTYPE = {v: k for k, v in ST_CODE.items()}
ST_SIZE = {'BOOL': 1, 'U8': 1, 'I8': 1, 'I16': 2, 'F16': 2, 'BF16': 2, 'I32': 4, 'F32': 4, 'F64': 8, 'I64': 8}


def st_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits
        return t.view(torch.int16).numpy().astype('<i2').tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()


def st_save(tensors, metadata=None):
    """safetensors' serialize(): sort by dtype (largest first) then name, compact JSON, pad to 8."""
    items = sorted(tensors.items(), key=lambda kv: (-ST_ORDER.index(ST_CODE[kv[1].dtype]), kv[0].encode('utf-8')))
    header, data, off = {}, [], 0
    if metadata is not None:
        header['__metadata__'] = metadata
    for name, t in items:
        b = st_bytes(t)
        header[name] = {'dtype': ST_CODE[t.dtype], 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        data.append(b)
        off += len(b)
    h = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    return struct.pack('<Q', len(h)) + h + b''.join(data)


def st_load(buf):
    """safetensors' deserialize(): validated header, tensors in offset order."""
    (n,) = struct.unpack('<Q', buf[:8])
    assert 8 + n <= len(buf), 'InvalidHeaderLength'
    header = json.loads(buf[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', None)
    out, at = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
        s, e = info['data_offsets']
        assert s == at, 'InvalidOffset'
        dtype = ST_DTYPE[info['dtype']]
        numel = 1
        for d in info['shape']:
            numel *= d
        assert e - s == numel * ST_SIZE[info['dtype']], 'TensorInvalidInfo'
        raw = bytearray(buf[8 + n + s:8 + n + e])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = flat.reshape(info['shape']).clone()
        at = e
    assert 8 + n + at == len(buf), 'MetadataIncompleteBuffer'
    return out, meta


def describe(t):
    t = t.detach()
    return {'dtype': dname(t.dtype), 'shape': list(t.shape), 'values': enc(t.float() if t.dtype in (torch.float16, torch.bfloat16) else t),
            'stride': list(t.stride()), 'offset': t.storage_offset()}


if len(sys.argv) == 3 and sys.argv[1] == 'read':
    with open(sys.argv[2], 'rb') as fh:
        tensors, meta = st_load(fh.read())
    print(json.dumps({'metadata': meta, 'tensors': {k: describe(v) for k, v in tensors.items()}, 'order': list(tensors)}))
    sys.exit(0)

os.makedirs(FIX, exist_ok=True)
torch.manual_seed(0)
golden = {}


def path(name):
    return os.path.join(FIX, name)


# ---- a small MLP with batch norm, trained a few steps so its buffers are not the initial ones ----
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bn = nn.BatchNorm1d(8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


mlp = MLP()
opt = torch.optim.SGD(mlp.parameters(), lr=0.1, momentum=0.9)
for _ in range(3):
    x = torch.randn(16, 4)
    loss = mlp(x).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
mlp.eval()
x = torch.randn(5, 4)
sd = mlp.state_dict()
torch.save(sd, path('mlp_bn.pt'))
golden['mlp_bn'] = {
    'keys': list(sd), 'tensors': {k: describe(v) for k, v in sd.items()},
    'metadata': {k: dict(v) for k, v in sd._metadata.items()},
    'input': enc(x), 'output': enc(mlp(x)),
}

# the same checkpoint with deflated entries (PyTorch writes stored ones; other zip tools may not)
with zipfile.ZipFile(path('mlp_bn.pt')) as src, zipfile.ZipFile(path('mlp_bn_deflated.pt'), 'w', zipfile.ZIP_DEFLATED) as dst:
    for info in src.infolist():
        # a fixed timestamp keeps the fixture identical from run to run
        dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(info.filename), zipfile.ZIP_DEFLATED)

# pickle protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL)
torch.save(sd, path('mlp_bn_proto4.pt'), pickle_protocol=4)

# a plain Sequential that torchlab builds too: loaded with load_state_dict and run
seq = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
torch.save(seq.state_dict(), path('sequential.pt'))
golden['sequential'] = {'input': enc(x), 'output': enc(seq(x))}

# every dtype, views sharing one storage, non-contiguous and offset tensors, 0-d and empty tensors
base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8
dtypes = collections.OrderedDict()
dtypes['f32'] = torch.tensor([1.5, -0.0, float('inf'), float('-inf'), float('nan'), 3.4028234663852886e38, 1e-45])
dtypes['f64'] = torch.tensor([0.1, -2.5e300, 5e-324, float('nan')], dtype=torch.float64)
dtypes['i32'] = torch.tensor([[-2147483648, 2147483647], [0, -1]], dtype=torch.int32)
dtypes['i64'] = torch.tensor([-(2 ** 53), 2 ** 53, 2 ** 40 + 7, -1, 0], dtype=torch.int64)
dtypes['u8'] = torch.tensor([0, 1, 254, 255], dtype=torch.uint8)
dtypes['bool'] = torch.tensor([[True, False], [False, True]])
dtypes['f16'] = torch.tensor([0.5, -65504.0, 6.1e-05, float('inf')], dtype=torch.float16)
dtypes['bf16'] = torch.tensor([1.0, -3.140625, 1e30], dtype=torch.bfloat16)
dtypes['i8'] = torch.tensor([-128, 127, 0], dtype=torch.int8)
dtypes['i16'] = torch.tensor([-32768, 32767], dtype=torch.int16)
dtypes['scalar'] = torch.tensor(7.25, dtype=torch.float64)
dtypes['empty'] = torch.zeros(0, 3)
dtypes['base'] = base
dtypes['transposed'] = base.t()
dtypes['row'] = base[2]
dtypes['strided'] = base[1:, ::2]
torch.save(dtypes, path('dtypes.pt'))
golden['dtypes'] = {k: describe(v) for k, v in dtypes.items()}

# a training checkpoint: nested dicts, an optimizer state dict (integer keys), plain values
ckpt = {'epoch': 3, 'loss': 0.125, 'name': 'run-1', 'done': False, 'note': None, 'betas': (0.9, 0.999),
        'big': 2 ** 40, 'neg': -5, 'model': seq.state_dict(), 'optimizer': opt.state_dict(),
        'history': [1.5, 2, 'x'], 'raw': b'\x00\xffab'}
torch.save(ckpt, path('checkpoint.pt'))
golden['checkpoint'] = {
    'epoch': 3, 'loss': 0.125, 'name': 'run-1', 'done': False, 'note': None, 'betas': [0.9, 0.999], 'big': 2 ** 40, 'neg': -5,
    'history': [1.5, 2, 'x'], 'raw': [0, 255, 97, 98],
    'param_groups': json.loads(json.dumps(opt.state_dict()['param_groups'])),
    'state_keys': [str(k) for k in opt.state_dict()['state']],
    'momentum_buffer_0': describe(opt.state_dict()['state'][0]['momentum_buffer']),
}

# a Parameter and a single tensor saved on their own
torch.save(nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]])), path('parameter.pt'))
torch.save(torch.arange(6, dtype=torch.int64).reshape(2, 3), path('tensor.pt'))


# content torch.load(weights_only=True) refuses: an arbitrary class, and a pickle that runs a command
class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned > /tmp/torchlab_pwned',))


torch.save({'w': torch.ones(2), 'evil': Evil()}, path('evil.pt'))
torch.save({'w': torch.ones(2), 'counter': collections.Counter('aab')}, path('counter.pt'))
# (the legacy format keys storages by memory address, so this one file differs from run to run)
torch.save({'w': torch.ones(2)}, path('legacy.pt'), _use_new_zipfile_serialization=False)

# safetensors written in Python: every dtype torchlab has, as safetensors.torch.save_file lays them out
st = collections.OrderedDict()
st['weight'] = torch.randn(3, 2)
st['bias'] = torch.tensor([0.25, -1.0], dtype=torch.float64)
st['steps'] = torch.tensor(12, dtype=torch.int64)
st['ids'] = torch.tensor([[-(2 ** 40), 3], [2 ** 53, -7]], dtype=torch.int64)
st['counts'] = torch.tensor([7, -8, 2147483647], dtype=torch.int32)
st['pixels'] = torch.tensor([0, 128, 255], dtype=torch.uint8)
st['mask'] = torch.tensor([True, False, True])
st['empty'] = torch.zeros(2, 0)
st['a.b.c'] = torch.tensor([1e-3], dtype=torch.float32)
st['é'] = torch.tensor([2.0])
with open(path('python.safetensors'), 'wb') as fh:
    fh.write(st_save(st, {'format': 'pt'}))
golden['safetensors'] = {k: describe(v) for k, v in st.items()}
# half precision types, which torchlab reads as float32
with open(path('half.safetensors'), 'wb') as fh:
    fh.write(st_save({'h': dtypes['f16'], 'b': dtypes['bf16'], 'i8': dtypes['i8'], 'i16': dtypes['i16']}))
golden['half'] = {'h': describe(dtypes['f16']), 'b': describe(dtypes['bf16']), 'i8': describe(dtypes['i8']), 'i16': describe(dtypes['i16'])}

with open(os.path.join(HERE, 'serialization.json'), 'w') as fh:
    json.dump(golden, fh, indent=1)
print('wrote', FIX, 'and test/golden/serialization.json')
