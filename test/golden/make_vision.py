"""Golden values for torchlab/vision's transforms (flips, crops, Pad) and utils (make_grid,
save_image), from real torchvision on tensors.

Run with Debian's PyTorch and torchvision:
    apt-get install python3-torch python3-torchvision
    /usr/bin/python3 test/golden/make_vision.py
Writes test/golden/vision.json, read by test/vision.test.ts.
"""
import json, os, sys
import torch
try:
    import torchvision
except ImportError:
    sys.exit('make_vision.py compares with torchvision itself: apt-get install python3-torchvision')
from torchvision import transforms as T
from torchvision.utils import make_grid
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_common import enc, dname  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_default_dtype(torch.float32)


def err(f):
    try:
        f()
    except Exception as e:  # the Python class and message, as the tests compare them
        return {'type': type(e).__name__, 'message': str(e)}
    raise AssertionError('expected an error')


def chw():
    """A (2, 5, 6) float image whose every pixel is distinct."""
    return torch.arange(60, dtype=torch.float32).reshape(2, 5, 6)


def hw():
    """A (4, 5) uint8 image, as MNIST's images are before ToTensor."""
    return (torch.arange(20, dtype=torch.uint8) * 7).reshape(4, 5)


out = {'torchvision': torchvision.__version__}

# ---- seeded random transforms: the same draws from the global generator ----
seq = []
torch.manual_seed(0)
for t in [T.RandomHorizontalFlip(), T.RandomHorizontalFlip(), T.RandomHorizontalFlip(), T.RandomHorizontalFlip(),
          T.RandomVerticalFlip(0.3), T.RandomVerticalFlip(0.3), T.RandomVerticalFlip(0.3)]:
    seq.append(enc(t(chw())))
out['flips'] = seq
out['flips_after'] = torch.rand(2).tolist()

crops = []
torch.manual_seed(1)
specs = [
    ('chw', dict(size=3)),
    ('chw', dict(size=[2, 4])),
    ('chw', dict(size=4, padding=2)),
    ('chw', dict(size=(5, 6))),
    ('chw', dict(size=5, padding=[1, 2], padding_mode='reflect')),
    ('chw', dict(size=5, padding=[1, 2, 0, 3], padding_mode='edge')),
    ('chw', dict(size=6, padding=2, padding_mode='symmetric')),
    ('chw', dict(size=(8, 9), pad_if_needed=True, fill=-1)),
    ('hw', dict(size=3, padding=1, fill=255)),
    ('hw', dict(size=(6, 7), pad_if_needed=True, padding_mode='reflect')),
]
for kind, kw in specs:
    img = chw() if kind == 'chw' else hw()
    y = T.RandomCrop(**kw)(img)
    crops.append({'kind': kind, 'kw': {k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}, 'y': enc(y), 'dtype': dname(y.dtype)})
out['crops'] = crops
out['crops_after'] = torch.rand(2).tolist()

# ---- Pad and CenterCrop (deterministic) ----
pads = []
for kind in ('chw', 'hw'):
    for padding in (1, [2], [1, 2], [1, 2, 3, 0], [-1, 1], [2, -1, 0, 1]):
        for mode in ('constant', 'edge', 'reflect', 'symmetric'):
            img = chw() if kind == 'chw' else hw()
            if kind == 'hw' and mode == 'symmetric':
                # torchvision's tensor path refuses 2-d images here; torchlab pads them as PIL does,
                # which is the (1, H, W) result squeezed
                y = T.Pad(padding, padding_mode=mode)(img.unsqueeze(0)).squeeze(0)
            else:
                y = T.Pad(padding, fill=5 if mode == 'constant' else 0, padding_mode=mode)(img)
            pads.append({'kind': kind, 'padding': padding, 'mode': mode, 'y': enc(y), 'dtype': dname(y.dtype)})
out['pads'] = pads

centers = []
for kind in ('chw', 'hw'):
    for size in (3, [2, 4], [4], [5, 6], [3, 5], [7, 8], [6, 3], 9):
        img = chw() if kind == 'chw' else hw()
        centers.append({'kind': kind, 'size': size, 'y': enc(T.CenterCrop(size)(img))})
out['centers'] = centers

out['reprs'] = {
    'hflip': repr(T.RandomHorizontalFlip()),
    'vflip': repr(T.RandomVerticalFlip(0.25)),
    'crop': repr(T.RandomCrop(28, padding=4)),
    'crop_list': repr(T.RandomCrop([20, 24], padding=[1, 2])),
    'center': repr(T.CenterCrop(10)),
    'center_list': repr(T.CenterCrop([10, 12])),
    'pad': repr(T.Pad(2)),
    'pad_list': repr(T.Pad([1, 2], fill=3, padding_mode='edge')),
    'compose': repr(T.Compose([T.RandomCrop(28, padding=4), T.RandomHorizontalFlip(), T.ToTensor()])),
}

out['errors'] = {
    'crop_too_big': err(lambda: T.RandomCrop(7)(chw())),
    'crop_size': err(lambda: T.RandomCrop([1, 2, 3])),
    'center_size': err(lambda: T.CenterCrop([1, 2, 3])),
    'pad_len': err(lambda: T.Pad([1, 2, 3])),
    'pad_mode': err(lambda: T.Pad(1, padding_mode='wrap')),
    'not_image': err(lambda: T.RandomHorizontalFlip()(torch.zeros(3))),
    'reflect_too_big': err(lambda: T.Pad(6, padding_mode='reflect')(chw())),
}

# ---- make_grid ----
g = torch.Generator().manual_seed(3)
batch = torch.rand(5, 1, 4, 3, generator=g)
rgb = torch.rand(3, 3, 2, 2, generator=g) * 4 - 1
grids = {
    'default': make_grid(batch),
    'nrow2': make_grid(batch, nrow=2, padding=1, pad_value=0.5),
    'list': make_grid([batch[0], batch[1], batch[2]], nrow=2),
    'rgb_normalize': make_grid(rgb, nrow=3, normalize=True),
    'rgb_range': make_grid(rgb, padding=0, normalize=True, value_range=(-0.5, 0.5)),
    'rgb_scale_each': make_grid(rgb, normalize=True, scale_each=True, padding=1),
    'single_hw': make_grid(batch[0, 0]),
    'single_1hw': make_grid(batch[0]),
    'single_rgb': make_grid(rgb[0]),
    'batch_of_one': make_grid(batch[:1], padding=3),
    'uint8': make_grid((batch * 255).to(torch.uint8), nrow=4, pad_value=255),
}
out['grid_inputs'] = {'batch': enc(batch), 'rgb': enc(rgb)}
out['grids'] = {k: {'y': enc(v), 'dtype': dname(v.dtype)} for k, v in grids.items()}
out['grid_errors'] = {
    'list_item': err(lambda: make_grid([batch[0], 3])),
    'not_tensor': err(lambda: make_grid('x')),
    'value_range': err(lambda: make_grid(rgb, normalize=True, value_range=[0, 1])),
}
# save_image's bytes: the grid scaled to 0-255 and rounded, HWC
out['save_image'] = enc(make_grid(rgb, nrow=2, normalize=True).mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8))

with open(os.path.join(HERE, 'vision.json'), 'w') as f:
    json.dump(out, f, indent=None, separators=(',', ':'))
print('wrote', os.path.join(HERE, 'vision.json'))
