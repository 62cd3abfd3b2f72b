import { describe, expect, it } from 'vitest';
import torch, { tqdm, trange, TensorDataset, DataLoader } from '../../lib/index.js';
import { format_interval, format_meter, format_num, Tqdm, type MeterArgs } from '../../lib/display/progress.js';
import { set_publisher, type MimeBundle, type PublishOptions } from '../../lib/display/publisher.js';
import { loadGolden } from '../helpers/golden.js';

const golden = loadGolden<{
  meters: { args: MeterArgs; text: string }[];
  intervals: [number, string][];
  nums: [number, string][];
  postfix_dict: string;
}>('display.json');

/** A text file that records writes, as a terminal would receive them. */
function fakeFile(isTTY = false): { write(s: string): void; isTTY: boolean; text: string } {
  return { isTTY, text: '', write(s: string) { this.text += s; } };
}

function withPublisher<T>(rich: boolean, fn: (out: [MimeBundle, PublishOptions | undefined][]) => T, checkInterrupt?: () => void): T {
  const out: [MimeBundle, PublishOptions | undefined][] = [];
  const prev = set_publisher({ rich, publish: (b, o) => void out.push([b, o]), ...(checkInterrupt ? { checkInterrupt } : {}) });
  try {
    return fn(out);
  } finally {
    set_publisher(prev);
  }
}

describe('tqdm text matches Python tqdm', () => {
  it.each(golden.meters.map((m) => [m.text, m.args] as const))('%s', (text, args) => {
    expect(format_meter(args)).toBe(text);
  });
  it('format_interval', () => {
    for (const [t, s] of golden.intervals) expect(format_interval(t)).toBe(s);
  });
  it('format_num', () => {
    for (const [v, s] of golden.nums) expect(format_num(v)).toBe(s);
  });
  it('set_postfix keeps the object order, numbers as format_num', () => {
    const bar = tqdm({ total: 3, disable: true });
    bar.set_postfix({ b: 1, a: 2.5 });
    expect(bar.postfix).toBe(golden.postfix_dict);
    bar.set_postfix({ loss: torch.tensor(0.123456), name: 'x' });
    expect(bar.postfix).toBe('loss=0.123, name=x');
  });
});

describe('tqdm in a terminal', () => {
  it('writes carriage-return updates to its file and ends the line', () => {
    withPublisher(false, () => {
      const file = fakeFile();
      const seen: number[] = [];
      for (const i of tqdm([10, 20, 30], { desc: 'train', file, mininterval: 0 })) seen.push(i);
      expect(seen).toEqual([10, 20, 30]);
      const frames = file.text.split('\r').filter((s) => s !== '');
      expect(frames[0]).toBe('train:   0%|          | 0/3 [00:00<?, ?it/s]');
      expect(frames).toHaveLength(5); // initial, three steps, the final refresh
      expect(frames[frames.length - 1]).toMatch(/^train: 100%\|██████████\| 3\/3 \[00:00<00:00, +[\d.]+it\/s\]\n$/);
    });
  });

  it('takes the total from a DataLoader and the terminal width when it is a TTY', () => {
    withPublisher(false, () => {
      const ds = new TensorDataset(torch.arange(10), torch.arange(10));
      const loader = new DataLoader(ds, { batch_size: 3 });
      const file = { ...fakeFile(true), columns: 50 };
      let batches = 0;
      const bar = tqdm(loader, { file, mininterval: 0 });
      expect(bar.total).toBe(4);
      for (const [x] of bar) batches += x.shape[0]! > 0 ? 1 : 0;
      expect(batches).toBe(4);
      const last = file.text.split('\r').filter((s) => s !== '').pop()!;
      expect(last.trimEnd()).toHaveLength(50);
    });
  });

  it('drives a manual bar with update(n), trange counts like range', () => {
    withPublisher(false, () => {
      const file = fakeFile();
      const bar = tqdm({ total: 100, file, mininterval: 0, unit: 'img' });
      bar.update(25);
      bar.update(25);
      bar.close();
      expect(bar.n).toBe(50);
      expect(file.text).toContain(' 50%|█████     | 50/100 [00:00<00:00, ');
      expect([...trange(3, { disable: true })]).toEqual([0, 1, 2]);
      expect([...trange(2, 11, 3, { disable: true })]).toEqual([2, 5, 8]);
      expect(trange(10, 0, -2, { disable: true }).total).toBe(5);
      expect(() => trange(0, 5, 0)).toThrow('range() arg 3 must not be zero');
    });
  });
});

describe('tqdm in a notebook', () => {
  it('publishes one HTML bar and updates it in place', () => {
    withPublisher(true, (out) => {
      const bar = tqdm([1, 2, 3, 4], { desc: 'epoch 1', mininterval: 0 });
      for (const _ of bar) bar.set_postfix({ loss: 0.5 }, false);
      expect(out.length).toBe(6);
      const ids = new Set(out.map(([, o]) => o?.display_id));
      expect(ids.size).toBe(1);
      expect(out[0]![1]).toEqual({ display_id: bar.display_id });
      expect(out.slice(1).every(([, o]) => o?.update === true)).toBe(true);
      const [last] = out[out.length - 1]!;
      expect(last['text/plain']).toMatch(/^epoch 1: 100%\|██████████\| 4\/4 \[00:00<00:00, +[\d.]+it\/s, loss=0.5\]$/);
      const html = last['text/html'] as string;
      expect(html).toContain('<span>epoch 1</span>');
      expect(html).toContain('width:100.0%;height:100%;background:#5cb85c');
      expect(html).toMatch(/100% 4\/4 \[00:00&lt;00:00, +[\d.]+it\/s, loss=0.5\]/);
    });
  });

  it('stops at the kernel interrupt and shows the bar in red', () => {
    class KeyboardInterrupt extends Error {}
    let calls = 0;
    withPublisher(true, (out) => {
      const seen: number[] = [];
      expect(() => {
        for (const i of tqdm([1, 2, 3, 4, 5], { mininterval: 0 })) seen.push(i);
      }).toThrow(KeyboardInterrupt);
      expect(seen).toEqual([1, 2]);
      expect(out[out.length - 1]![0]['text/html']).toContain('background:#d9534f');
    }, () => {
      calls += 1;
      if (calls === 2) throw new KeyboardInterrupt();
    });
  });

  it('has the same bundle as its display method, and a snapshot of the bar', () => {
    withPublisher(true, () => {
      const bar = new Tqdm(null, { total: 8, desc: 'x', disable: true });
      bar.n = 2;
      const b = bar[Symbol.for('Jupyter.display') as never] as unknown as () => MimeBundle;
      const html = (b.call(bar)['text/html'] as string).replace(/\[[^\]]*\]/, '[…]');
      expect(html).toMatchInlineSnapshot(`"<div class="torchlab-tqdm" style="display:flex;align-items:center;gap:8px;font-family:monospace;font-size:12px"><span>x</span><div style="width:300px;height:14px;border:1px solid #bbb;border-radius:2px;background:#eee"><div style="width:25.0%;height:100%;background:#337ab7"></div></div><span> 25% 2/8 […]</span></div>"`);
    });
  });
});
