"""Golden values for the operator rewrite of notebook cells (test/kernel/operators.test.ts,
test/kernel/rewrite.test.ts): what PyTorch gives for the Python operators that the rewrite maps
to tensor methods, and the lecture's linear regression written with operators; written to
test/golden/kernel_operators.json.

Run: /usr/bin/python3 test/golden/make_kernel_operators.py
"""
import json
import os

import torch

torch.set_num_threads(1)

x = torch.tensor([-1.5, 0.25, 2.0])
i = torch.tensor([-3, 1, 4])
ENV = {"x": x, "i": i, "torch": torch}

# (TypeScript cell with operators, the same expression in Python); x and i are defined as above
EXPRESSIONS = [
    ("x * 2 + 1", "x * 2 + 1"),
    ("1 + x * 2", "1 + x * 2"),
    ("(x + 1) * (x - 1)", "(x + 1) * (x - 1)"),
    ("2 - x", "2 - x"),
    ("2 - i", "2 - i"),
    ("2.5 - i", "2.5 - i"),
    ("x - i", "x - i"),
    ("x / 2", "x / 2"),
    ("7 / i", "7 / i"),
    ("i / 2", "i / 2"),
    ("x ** 2", "x ** 2"),
    ("2 ** x", "2 ** x"),
    ("2 ** i.abs()", "2 ** i.abs()"),
    ("x ** i", "x ** i"),
    ("-x", "-x"),
    ("-i", "-i"),
    ("-(x * 2)", "-(x * 2)"),
    ("x % 2", "x % 2"),
    ("i % -3", "i % -3"),
    ("i % 3", "i % 3"),
    ("5 % i", "5 % i"),
    ("x < 0.5", "x < 0.5"),
    ("x <= 0.25", "x <= 0.25"),
    ("x > i", "x > i"),
    ("1 >= x", "1 >= x"),
    ("0 < i", "0 < i"),
    ("x * true", "x * True"),
    ("(x - 1) ** 2 / 2", "(x - 1) ** 2 / 2"),
]


def values(t):
    return {"values": t.tolist(), "dtype": str(t.dtype), "shape": list(t.shape)}


expressions = [dict(code=ts, **values(eval(py, ENV))) for ts, py in EXPRESSIONS]

# grad_fn names of operators on a tensor that requires grad, reflected ones included (2 - w is rsub)
w = torch.tensor([0.5, 2.0], requires_grad=True)
GRAD_FN_EXPRESSIONS = ["w - 2", "2 - w", "w / 2", "2 / w", "w * 2", "2 * w", "2 + w", "w ** 2", "2 ** w", "-w", "w - w"]
grad_fns = [{"code": e, "grad_fn": eval(e, {"w": w}).grad_fn.name()} for e in GRAD_FN_EXPRESSIONS]

# The lecture's linear regression (lecture 02, "Autograd"), with fixed data and start values.
x_train = torch.arange(10, dtype=torch.float32) / 10
noise = torch.tensor([0.05, -0.02, 0.03, -0.04, 0.01, 0.0, -0.03, 0.02, 0.04, -0.01])
y_train = 1 + 2 * x_train + noise
a = torch.tensor([0.5]).requires_grad_()
b = torch.tensor([-0.3]).requires_grad_()
lr = 1e-1
losses = []
for epoch in range(20):
    yhat = a + b * x_train
    error = y_train - yhat
    loss = (error ** 2).mean()
    loss.backward()
    with torch.no_grad():
        a -= lr * a.grad
        b -= lr * b.grad
    a.grad.zero_()
    b.grad.zero_()
    losses.append(loss.item())

out = {
    "x": x.tolist(),
    "i": i.tolist(),
    "expressions": expressions,
    "grad_fns": grad_fns,
    "regression": {
        "x_train": x_train.tolist(),
        "noise": noise.tolist(),
        "losses": losses,
        "a": a.tolist(),
        "b": b.tolist(),
        "a_requires_grad": a.requires_grad,
        "a_is_leaf": a.is_leaf,
    },
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_operators.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
