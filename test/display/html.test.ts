import { describe, expect, it } from 'vitest';
import torch, { display, nn, type DType } from '../../lib/index.js';
import { tensorHtml, heatColor } from '../../lib/display/html.js';
import { set_publisher, type MimeBundle } from '../../lib/display/publisher.js';
import { loadGolden } from '../helpers/golden.js';

const golden = loadGolden<{ reprs: { name: string; values: unknown; dtype: string; repr: string }[] }>('display.json');
const DTYPES: Record<string, DType> = { 'torch.float32': torch.float32, 'torch.int64': torch.int64, 'torch.bool': torch.bool };

function bundleOf(x: unknown): MimeBundle {
  const f = (x as Record<symbol, unknown>)[Symbol.for('Jupyter.display')] as () => MimeBundle;
  return f.call(x);
}

/** The texts of the value cells of a table, in order. */
function cells(html: string): string[] {
  return [...html.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!).filter((s) => s !== '…' && s !== '⋮');
}

describe('tensor HTML', () => {
  it('is part of the tensor\'s MIME bundle, next to its repr', () => {
    const t = torch.tensor([[1.5, 2], [3, 4]]);
    const b = bundleOf(t);
    expect(Object.keys(b).sort()).toEqual(['text/html', 'text/plain']);
    expect(b['text/plain']).toBe(String(t));
    expect(b['text/html']).toMatchInlineSnapshot(`"<div class="torchlab-tensor"><table class="torchlab-tensor" style="border-collapse:collapse;margin:2px 0"><caption style="caption-side:top;text-align:left;font-family:monospace;color:#555">torch.Size([2, 2]) · torch.float32 · cpu · requires_grad=False</caption><tr><th style="padding:2px 6px;text-align:right;font-family:monospace;color:#888;font-weight:normal;border:1px solid #ddd"></th><th style="padding:2px 6px;text-align:right;font-family:monospace;color:#888;font-weight:normal;border:1px solid #ddd">0</th><th style="padding:2px 6px;text-align:right;font-family:monospace;color:#888;font-weight:normal;border:1px solid #ddd">1</th></tr><tr><th style="padding:2px 6px;text-align:right;font-family:monospace;color:#888;font-weight:normal;border:1px solid #ddd">0</th><td style="padding:2px 6px;text-align:right;font-family:monospace;border:1px solid #ddd">1.5000</td><td style="padding:2px 6px;text-align:right;font-family:monospace;border:1px solid #ddd">2.0000</td></tr><tr><th style="padding:2px 6px;text-align:right;font-family:monospace;color:#888;font-weight:normal;border:1px solid #ddd">1</th><td style="padding:2px 6px;text-align:right;font-family:monospace;border:1px solid #ddd">3.0000</td><td style="padding:2px 6px;text-align:right;font-family:monospace;border:1px solid #ddd">4.0000</td></tr></table></div>"`);
  });

  it.each(golden.reprs.map((r) => [r.name, r] as const))('shows the elements PyTorch prints (%s)', (_name, r) => {
    const t = torch.tensor(r.values as never, { dtype: DTYPES[r.dtype]! });
    const body = r.repr.replace(/,\s*dtype=.*$/s, '');
    const tokens = body.match(/-?(?:\d+\.?\d*(?:e[+-]\d+)?|nan|inf)|True|False/g)!;
    expect(cells(tensorHtml(t))).toEqual(tokens);
  });

  it('captions shape, dtype, device, requires_grad and grad_fn', () => {
    const a = torch.ones(2, 3, { requires_grad: true });
    expect(tensorHtml(a)).toContain('torch.Size([2, 3]) · torch.float32 · cpu · requires_grad=True</caption>');
    expect(tensorHtml(a.mul(2))).toContain('requires_grad=True · grad_fn=&lt;MulBackward0&gt;</caption>');
    expect(tensorHtml(torch.tensor(3))).toContain('torch.Size([]) · torch.int64 · cpu · requires_grad=False');
  });

  it('summarises large tensors with gap markers, like the repr', () => {
    const html = tensorHtml(torch.arange(10000).reshape(100, 100));
    expect(html.match(/<tr>/g)).toHaveLength(1 + 7); // header, 3 rows, the gap, 3 rows
    expect(cells(html).slice(0, 6)).toEqual(['0', '1', '2', '97', '98', '99']);
    expect(html).toContain('>⋮</th>');
  });

  it('shows higher ranks as labelled 2-d slices', () => {
    const html = tensorHtml(torch.arange(8).reshape(2, 2, 2));
    expect([...html.matchAll(/<caption[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['[0, :, :]', '[1, :, :]']);
    expect(cells(html)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    const big = tensorHtml(torch.zeros(10, 10, 20));
    expect(big).toContain('>[...] ⋮</div>');
    expect(big.match(/<table/g)).toHaveLength(6);
  });

  it('colours cells for display.table(t, {heatmap: true})', () => {
    const out: MimeBundle[] = [];
    const prev = set_publisher({ rich: true, publish: (b) => void out.push(b) });
    try {
      display.table(torch.tensor([[-2, 0], [1, 2]]).float(), { heatmap: true });
    } finally {
      set_publisher(prev);
    }
    const html = out[0]!['text/html'] as string;
    const bgs = [...html.matchAll(/background:(#[0-9a-f]{6});color:(#[0-9a-f]+)/g)].map((m) => [m[1], m[2]]);
    expect(bgs).toEqual([['#2166ac', '#fff'], ['#ffffff', '#000'], ['#d98c95', '#000'], ['#b2182b', '#fff']]);
    expect(heatColor(NaN, 0, 1)).toBe('#d9d9d9');
    expect(heatColor(5, 0, 10)).toBe('#90b3d6');
  });

  it('shows empty tensors', () => {
    expect(tensorHtml(torch.zeros(0, 3))).toContain('torch.Size([0, 3]) · torch.float32 · cpu · requires_grad=False</div><div style="font-family:monospace">tensor([]) (empty)');
  });
});

describe('module display', () => {
  it('shows the repr and a parameter table with the total', () => {
    const net = new nn.Sequential(new nn.Linear(784, 64), new nn.ReLU(), new nn.Linear(64, 10));
    const b = bundleOf(net);
    expect(b['text/plain']).toBe(`${String(net)}\nTotal params: 50,890\nTrainable params: 50,890`);
    const html = b['text/html'] as string;
    const rows = [...html.matchAll(/<tr><td[^>]*>([^<]*)<\/td><td[^>]*>([^<]*)<\/td><td[^>]*>([^<]*)<\/td><\/tr>/g)].map((m) => m.slice(1));
    expect(rows).toEqual([['0.weight', '[64, 784]', '50,176'], ['0.bias', '[64]', '64'], ['2.weight', '[10, 64]', '640'], ['2.bias', '[10]', '10']]);
    expect(html).toContain('total</th><th style="padding:2px 6px;text-align:right;font-family:monospace;border:1px solid #ddd;font-weight:bold">50,890</th>');
    (net.get(0) as nn.Linear).weight.requires_grad_(false);
    expect(bundleOf(net)['text/plain']).toContain('Trainable params: 714');
  });
});
