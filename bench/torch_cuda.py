"""PyTorch CUDA's side of bench/webgpu.ts: square float32 matmul GFLOP/s and the lecture MLP's steps/s.

Run by bench/webgpu.ts on a machine whose python3 has a CUDA PyTorch (TORCHLAB_CUDA_PYTHON names
another interpreter); prints one JSON object: {"device": name, "matmul": {n: GFLOP/s},
"matmul_tf32": {n: GFLOP/s}, "mlp": {"read": steps/s, "noread": steps/s}}, or {"error": reason}.
Timing follows bench/webgpu.ts: products queued back to back, one synchronize, batches grown until
a repetition lasts 0.2 s, median of 5. "matmul" keeps full float32 (TF32 off, as torchlab computes);
"matmul_tf32" lets the tensor cores round the inputs to TF32, PyTorch's fastest float32 setting.
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print(json.dumps({"error": f"no PyTorch: {e}"}))
    sys.exit(0)

if not torch.cuda.is_available():
    print(json.dumps({"error": f"PyTorch {torch.__version__} sees no CUDA device"}))
    sys.exit(0)

from torch_models import Net  # noqa: E402

REPS = 5
MIN_TIME = 0.2


def timeit(f):
    f()
    torch.cuda.synchronize()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            f()
        torch.cuda.synchronize()
        if time.perf_counter() - t0 >= MIN_TIME or calls >= 1 << 12:
            break
        calls *= 2
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        for _ in range(calls):
            f()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)


def matmul(sizes, tf32):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    out = {}
    for n in sizes:
        torch.manual_seed(0)
        a = torch.randn(n, n, device="cuda")
        b = torch.randn(n, n, device="cuda")
        out[n] = 2 * n**3 / timeit(lambda: a @ b) / 1e9
    torch.backends.cuda.matmul.allow_tf32 = False
    return out


def mlp(read):
    torch.manual_seed(0)
    X = torch.rand(2048, 784, device="cuda")
    y = torch.randint(0, 10, (2048,), device="cuda")
    net = Net().cuda()
    opt = torch.optim.Adam(net.parameters(), lr=0.005)
    batches = X.shape[0] // 64
    state = {"b": 0}

    def step():
        i = (state["b"] % batches) * 64
        state["b"] += 1
        opt.zero_grad()
        loss = F.nll_loss(net(X[i : i + 64]), y[i : i + 64])
        loss.backward()
        opt.step()
        if read:
            loss.item()

    return 1 / timeit(step)


sizes = [int(s) for s in sys.argv[1:]] or [256, 512, 1024, 2048, 4096]
print(json.dumps({
    "device": torch.cuda.get_device_name(),
    "torch": torch.__version__,
    "matmul": matmul(sizes, False),
    "matmul_tf32": matmul(sizes, True),
    "mlp": {"read": mlp(True), "noread": mlp(False)},
}))
