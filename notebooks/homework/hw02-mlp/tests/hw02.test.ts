/**
 * The instructor's tests for hw02-mlp. Each test's points are in its name, `[N pts]`; a test
 * passes whole or scores zero. The notebook under test is `TORCHLAB_SUBMISSION` (a path), else
 * the reference solution next to this folder. It runs in a sandbox process: what it declares
 * comes back as proxies, and everything is called through the notebook's own `torch` (`nb.torch`),
 * so that tensors are made where the notebook's code runs.
 * @example
 * TORCHLAB_SUBMISSION=/path/to/student.ipynb npx vitest run --root notebooks/homework/hw02-mlp
 */

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { loadNotebook, type NotebookExports } from '../../../../kernel/notebook_loader.js';

const here = dirname(fileURLToPath(import.meta.url));
const submission = resolve(process.env.TORCHLAB_SUBMISSION || join(here, '..', 'solution.ipynb'));

let nb: NotebookExports;
// the notebook's library: tensors made by the test's own import could be another module instance
let torch: NotebookExports;

beforeAll(async () => {
  // a process of its own with time and memory limits; `data` in its folder is the project's data/ (MNIST)
  nb = await loadNotebook(submission, { sandbox: { data: join(here, '..', '..', '..', '..', 'data') } });
  torch = nb.torch;
}, 120_000);

/** `actual` has `expected`'s shape and values, to within `atol + 1e-4 * |expected|` elementwise. */
function close(actual: NotebookExports, expected: NotebookExports, atol = 1e-5): void {
  expect(actual.shape).toEqual(expected.shape);
  const excess = actual.sub(expected).abs().sub(expected.abs().mul(1e-4).add(atol)).max().item();
  expect(Number.isNaN(excess), 'NaN in the result').toBe(false);
  expect(excess).toBeLessThanOrEqual(0);
}

describe('hw02-mlp', () => {
  test('relu [2 pts]', () => {
    const x = torch.tensor([[-2, -0.5, 0], [0.25, 3, -7]]);
    const y = nb.relu(x);
    expect(y.tolist()).toEqual([[0, 0, 0], [0.25, 3, 0]]);
    expect(y.shape).toEqual([2, 3]);
  });

  test('softmax [3 pts]', () => {
    torch.manual_seed(1);
    const x = torch.randn(4, 5);
    close(nb.softmax(x, 1), torch.softmax(x, 1));
    close(nb.softmax(x, 0), torch.softmax(x, 0));
    // large scores must not overflow to NaN
    const big = torch.tensor([[1000, 1001, 999]], { dtype: torch.float32 });
    close(nb.softmax(big, 1), torch.softmax(big, 1));
  });

  test('cross_entropy [3 pts]', () => {
    torch.manual_seed(2);
    const logits = torch.randn(6, 10);
    const target = torch.tensor([0, 3, 9, 1, 1, 7]);
    const loss = nb.cross_entropy(logits, target);
    expect(loss.dim()).toBe(0);
    close(loss, torch.nn.functional.cross_entropy(logits, target));
    close(nb.cross_entropy(logits.mul(500), target), torch.nn.functional.cross_entropy(logits.mul(500), target), 1e-3);
  });

  test('linear_forward [2 pts]', () => {
    torch.manual_seed(3);
    const x = torch.randn(5, 4);
    const W = torch.randn(3, 4);
    const b = torch.randn(3);
    close(nb.linear_forward(x, W, b), torch.nn.functional.linear(x, W, b));
  });

  test('linear_backward [4 pts]', () => {
    torch.manual_seed(4);
    const x = torch.randn(5, 4).requires_grad_();
    const W = torch.randn(3, 4).requires_grad_();
    const b = torch.randn(3).requires_grad_();
    const grad_out = torch.randn(5, 3);
    torch.nn.functional.linear(x, W, b).backward(grad_out);
    const [gx, gW, gb] = torch.no_grad(() => nb.linear_backward(x.detach(), W.detach(), grad_out));
    close(gx, x.grad);
    close(gW, W.grad);
    close(gb, b.grad);
  });

  test('MLP [3 pts]', () => {
    torch.manual_seed(5);
    const model = new nb.MLP(784, 32, 10);
    expect(model(torch.randn(7, 1, 28, 28)).shape).toEqual([7, 10]);
    let n = 0;
    for (const p of model.parameters()) n += p.numel();
    expect(n).toBe(784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10);
    // ReLU after the second layer: hidden units forced to -1 become 0, so only fc3's bias is left
    const x = torch.randn(3, 784);
    torch.no_grad(() => {
      model.fc2.weight.fill_(0);
      model.fc2.bias.fill_(-1);
    });
    close(model(x), model.fc3.bias.expand(3, 10));
  });

  test('MNIST test accuracy >= 95% [3 pts]', () => {
    const to_tensor = new nb.transforms.Compose([new nb.transforms.ToTensor()]);
    // a path in the sandbox's folder, where the notebook's code runs
    const data = 'data';
    const train_data = new nb.datasets.MNIST(data, { train: true, download: false, transform: to_tensor });
    const test_data = new nb.datasets.MNIST(data, { train: false, download: false, transform: to_tensor });
    torch.manual_seed(0);
    const model = new nb.MLP(28 * 28, 128, 10);
    nb.train(model, new nb.DataLoader(train_data, { batch_size: 64, shuffle: true }), 2);
    expect(nb.evaluate(model, new nb.DataLoader(test_data, { batch_size: 1000 }))).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
