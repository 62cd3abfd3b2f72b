import { describe, expect, it } from 'vitest';
import torch, { display, plot, nn, type Tensor } from '../../lib/index.js';
import { set_publisher, type MimeBundle, type PublishOptions } from '../../lib/display/publisher.js';
import { ValueError } from '../../lib/errors.js';
import { loadGolden } from '../helpers/golden.js';

const golden = loadGolden<{ hists: { x: number[]; bins: number; min: number; max: number; counts: number[] }[] }>('display.json');
const VL = 'application/vnd.vegalite.v5+json';

/** The role-mark groups of a vega SVG, by mark type, with how many items each draws. */
function marks(svg: string): string[] {
  return [...svg.matchAll(/<g class="mark-([a-z]+) role-mark[^"]*"/g)].map((m) => m[1]!);
}

function data(p: { spec: Record<string, unknown> }): Record<string, unknown>[] {
  return (p.spec.data as { values: Record<string, unknown>[] }).values;
}

async function recording<T>(rich: boolean, fn: (out: [MimeBundle, PublishOptions | undefined][]) => Promise<T> | T): Promise<T> {
  const out: [MimeBundle, PublishOptions | undefined][] = [];
  const prev = set_publisher({ rich, publish: (b, o) => void out.push([b, o]) });
  try {
    return await fn(out);
  } finally {
    set_publisher(prev);
  }
}

describe('plot.line', () => {
  it('makes a vega-lite v5 spec with the data inlined', () => {
    const p = plot.line([1, 4, 9], { title: 'squares', xlabel: 'n' });
    expect(p.spec).toMatchInlineSnapshot(`
      {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {
          "values": [
            {
              "series": "y",
              "x": 0,
              "y": 1,
            },
            {
              "series": "y",
              "x": 1,
              "y": 4,
            },
            {
              "series": "y",
              "x": 2,
              "y": 9,
            },
          ],
        },
        "encoding": {
          "x": {
            "field": "x",
            "title": "n",
            "type": "quantitative",
          },
          "y": {
            "field": "y",
            "title": "y",
            "type": "quantitative",
          },
        },
        "height": 250,
        "mark": {
          "type": "line",
        },
        "title": "squares",
        "width": 400,
      }
    `);
  });

  it('takes x and y, 2-d y (a series a column) and named series', () => {
    const two = plot.line(torch.tensor([0, 1, 2]), torch.tensor([[1, 10], [2, 20], [3, 30]]), { labels: ['a', 'b'] });
    expect(data(two).map((d) => [d.x, d.y, d.series])).toEqual([[0, 1, 'a'], [1, 2, 'a'], [2, 3, 'a'], [0, 10, 'b'], [1, 20, 'b'], [2, 30, 'b']]);
    const named = plot.line({ train: [3, 2], val: torch.tensor([4, NaN]) }, { logy: true });
    expect(data(named).map((d) => d.y)).toEqual([3, 2, 4, null]);
    expect((named.spec.encoding as { color: unknown }).color).toEqual({ field: 'series', type: 'nominal', title: null, sort: null });
  });

  it('renders SVG with one line per series and a legend', async () => {
    const svg = await plot.line({ a: [1, 2, 3], b: [3, 2, 1] }).toSVG();
    expect(svg.startsWith('<svg')).toBe(true);
    expect(marks(svg)).toEqual(['line', 'line']);
    expect(svg).toContain('role-legend');
  });

  it('rejects mismatched and empty input', () => {
    expect(() => plot.line([1, 2, 3], [1, 2])).toThrow(new ValueError('x and y must have same first dimension, but have shapes (3,) and (2,)'));
    expect(() => plot.line(torch.zeros(0))).toThrow("y ('y') is empty: nothing to plot");
    expect(() => plot.line(torch.zeros(2, 2, 2))).toThrow('y must be 1- or 2-dimensional, got a tensor of shape torch.Size([2, 2, 2])');
  });
});

describe('other charts', () => {
  it('scatter colours classes and draws one symbol a point', async () => {
    const X = torch.tensor([[0, 0], [1, 1], [2, 0], [3, 1]]).float();
    const p = plot.scatter(X, { c: torch.tensor([0, 1, 0, 1]) });
    expect((p.spec.encoding as { color: unknown }).color).toEqual({ field: 'c', type: 'nominal', title: 'c' });
    const svg = await p.toSVG();
    expect(marks(svg)).toEqual(['symbol']);
    const points = [...svg.matchAll(/aria-label="x: (\d); y: (\d); c: (\d)" role="graphics-symbol" aria-roledescription="point"[^>]*fill="(#[0-9a-f]+)"/g)];
    expect(points.map((m) => m.slice(1, 4).join(','))).toEqual(['0,0,0', '1,1,1', '2,0,0', '3,1,1']);
    expect(new Set(points.map((m) => m[4])).size).toBe(2);
    expect(() => plot.scatter([1, 2], [1, 2], { c: [1] })).toThrow("'c' argument has 1 elements, which is inconsistent with 'x' and 'y' with size 2.");
    expect(() => plot.scatter(torch.zeros(3, 3))).toThrow('X must have 2 columns (x, y), got 3');
  });

  it('hist bins as torch.histc', async () => {
    for (const h of golden.hists) {
      expect(plot.histogram(h.x, h.bins, [h.min, h.max]).counts).toEqual(h.counts);
    }
    const p = plot.hist(torch.tensor([0, 1, 1, 2, 2, 2, 3]), { bins: 3 });
    expect(data(p)).toEqual([{ bin_start: 0, bin_end: 1, count: 1 }, { bin_start: 1, bin_end: 2, count: 2 }, { bin_start: 2, bin_end: 3, count: 4 }]);
    expect(marks(await p.toSVG())).toEqual(['rect']);
    expect(() => plot.hist([NaN, 1])).toThrow('range of [nan, nan] is not finite'.replace(/nan/g, 'NaN'));
    expect(() => plot.hist([])).toThrow('x is empty: nothing to plot');
  });

  it('bar keeps category order', async () => {
    const p = plot.bar(['cat', 'dog', 'ant'], torch.tensor([0.5, 0.3, 0.2]));
    expect(p.spec).toMatchInlineSnapshot(`
      {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {
          "values": [
            {
              "x": "cat",
              "y": 0.5,
            },
            {
              "x": "dog",
              "y": 0.30000001192092896,
            },
            {
              "x": "ant",
              "y": 0.20000000298023224,
            },
          ],
        },
        "encoding": {
          "x": {
            "axis": {
              "labelAngle": 0,
            },
            "field": "x",
            "sort": null,
            "title": null,
            "type": "nominal",
          },
          "y": {
            "field": "y",
            "title": null,
            "type": "quantitative",
          },
        },
        "height": 250,
        "mark": "bar",
        "width": 400,
      }
    `);
    const svg = await p.toSVG();
    expect(svg.match(/<path aria-label="x: /g)).toHaveLength(3);
    expect(() => plot.bar(['a'], [1, 2])).toThrow('shape mismatch: objects cannot be broadcast to a single shape: (1,) and (2,)');
  });

  it('heatmap draws cells and their values (a confusion matrix)', async () => {
    const cm = torch.tensor([[5, 1], [2, 7]]);
    const p = plot.heatmap(cm, { xlabel: 'predicted', ylabel: 'true', xlabels: ['cat', 'dog'], ylabels: ['cat', 'dog'] });
    expect(data(p)).toEqual([
      { col: 'cat', row: 'cat', value: 5 }, { col: 'dog', row: 'cat', value: 1 },
      { col: 'cat', row: 'dog', value: 2 }, { col: 'dog', row: 'dog', value: 7 },
    ]);
    const svg = await p.toSVG();
    expect(marks(svg)).toEqual(['rect', 'text']);
    const texts = [...svg.matchAll(/<g class="mark-text role-mark[^"]*"[^>]*>(.*?)<\/g>/g)][0]![1]!;
    expect([...texts.matchAll(/>(\d+)<\/text>/g)].map((m) => m[1])).toEqual(['5', '1', '2', '7']);
    expect(() => plot.heatmap(torch.zeros(0, 0))).toThrow('heatmap data is empty: nothing to plot');
    expect(() => plot.heatmap(cm, { xlabels: ['a'] })).toThrow('got 1 xlabels for 2 columns');
  });
});

describe('plot.function and plot.decision_boundary', () => {
  it('draws activation functions side by side', async () => {
    const p = plot.function({ sigmoid: torch.sigmoid, tanh: torch.tanh, ReLU: new nn.ReLU() }, [-5, 5], { n: 11 });
    const values = data(p);
    expect(values).toHaveLength(33);
    const relu = values.filter((d) => d.fn === 'ReLU').map((d) => d.y);
    expect(relu).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
    const tanh = values.filter((d) => d.fn === 'tanh').map((d) => d.y as number);
    tanh.forEach((v, i) => expect(v).toBeCloseTo(Math.tanh(-5 + i), 6));
    expect(p.spec.columns).toBe(3);
    expect(marks(await p.toSVG())).toEqual(['line', 'line', 'line']);
  });

  it('names modules by their repr and accepts functions of numbers', () => {
    const p = plot.function([new nn.LeakyReLU(0.1), (x: number) => Math.max(0, x) ** 2], [-1, 1], { n: 3, overlay: true });
    expect([...new Set(data(p).map((d) => d.fn))]).toEqual(['LeakyReLU(negative_slope=0.1)', 'f1']);
    expect(data(p).map((d) => d.y)).toEqual([expect.closeTo(-0.1, 6), 0, 1, 0, 0, 1]);
    expect(() => plot.function((x: Tensor) => x.sum(), [-1, 1])).toThrow('plot.function needs an elementwise function');
    expect(() => plot.function(torch.relu, [1, -1])).toThrow('range must be [lo, hi] with finite lo < hi, got [1, -1]');
  });

  it('shades the classes a linear model assigns', async () => {
    const X = torch.tensor([[-1, -1], [-1, 1], [1, -1], [1, 1]]).float();
    const y = torch.tensor([0, 0, 1, 1]);
    // logits for two classes: class 1 where x1 > 0
    const model = (x: Tensor): Tensor => torch.stack([x.select(1, 0).neg(), x.select(1, 0)], 1);
    const p = plot.decision_boundary(model, X, y, { resolution: 10 });
    const layers = p.spec.layer as { data: { values: { x: number; x2: number; class: string }[] } }[];
    const regions = layers[0]!.data.values;
    // one run of each class a grid row: the boundary is the vertical line x1 = 0
    expect(regions).toHaveLength(20);
    for (const r of regions) expect(r.class === '1' ? r.x >= -1e-9 : r.x2 <= 1e-9).toBe(true);
    expect(marks(await p.toSVG())).toEqual(['rect', 'symbol']);
    expect(() => plot.decision_boundary(model, torch.zeros(3, 3), [0, 1, 2])).toThrow('decision_boundary needs 2 features a point: X must be [N, 2], got [3, 3]');
    expect(() => plot.decision_boundary(model, X, [0, 1])).toThrow('X has 4 points but y has 2 labels');
  });

  it('thresholds a single output (probabilities at 0.5)', () => {
    const X = torch.tensor([[0, 0], [1, 1]]).float();
    const p = plot.decision_boundary((x: Tensor) => torch.sigmoid(x.select(1, 1).sub(0.5).mul(10)), X, [0, 1], { resolution: 4 });
    const regions = (p.spec.layer as { data: { values: { y: number; class: string }[] } }[])[0]!.data.values;
    expect(regions.map((r) => r.class)).toEqual(['0', '0', '1', '1']);
  });
});

describe('display of plots and LivePlot', () => {
  it('display(plot) publishes vega-lite, SVG, the SVG as HTML, and text; display(spec) too', async () => {
    await recording(true, async (out) => {
      await display(plot.bar([1, 2]));
      await display({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } });
      expect(out).toHaveLength(2);
      for (const [b] of out) {
        expect(Object.keys(b).sort()).toEqual(['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/html', 'text/plain']);
        expect(b['image/svg+xml']).toMatch(/^<svg/);
        // the same SVG as an <img>, which nbconvert before 7.7 does not strip
        const src = /^<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(b['text/html'] as string)![1]!;
        expect(Buffer.from(src, 'base64').toString()).toBe(b['image/svg+xml']);
      }
      expect(out[0]![0]['text/plain']).toBe('<torchlab.plot.Plot bar>');
      expect(marks(out[1]![0]['image/svg+xml'] as string)).toEqual(['symbol']);
    });
  });

  it('outside a notebook display prints the text form only', async () => {
    await recording(false, async (out) => {
      await display(plot.line([1, 2], { title: 'loss' }));
      expect(out).toEqual([[{ 'text/plain': "<torchlab.plot.Plot line 'loss'>", [VL]: plot.line([1, 2], { title: 'loss' }).spec }, {}]]);
    });
  });

  it('LivePlot updates one output in place and ends with SVG', async () => {
    await recording(true, async (out) => {
      const live = new plot.LivePlot({ mininterval: 0, separate: true });
      for (let epoch = 0; epoch < 3; epoch++) live.update({ epoch, loss: torch.tensor(1 / (epoch + 1)), acc: 0.5 + epoch / 10 });
      await live.close();
      expect(out).toHaveLength(4);
      expect(out.map(([, o]) => o)).toEqual([
        { display_id: live.display_id },
        { display_id: live.display_id, update: true },
        { display_id: live.display_id, update: true },
        { display_id: live.display_id, update: true },
      ]);
      expect(Object.keys(out[1]![0]).sort()).toEqual([VL, 'text/plain']);
      const last = out[3]![0];
      expect(last['text/plain']).toBe('<torchlab.plot.Plot live>');
      const spec = last[VL] as { data: { values: unknown[] }; facet: unknown };
      expect(spec.data.values).toEqual([
        { x: 0, value: 1, series: 'loss' }, { x: 0, value: 0.5, series: 'acc' },
        { x: 1, value: 0.5, series: 'loss' }, { x: 1, value: 0.6, series: 'acc' },
        { x: 2, value: expect.closeTo(1 / 3, 6), series: 'loss' }, { x: 2, value: 0.7, series: 'acc' },
      ]);
      expect(marks(last['image/svg+xml'] as string)).toEqual(['line', 'symbol', 'line', 'symbol']);
      expect(String(live)).toBe('epoch=2 loss=0.3333 acc=0.7000');
    });
  });

  it('LivePlot throttles updates and prints lines outside a notebook', async () => {
    await recording(false, async (out) => {
      const live = plot.live({ mininterval: 60 });
      for (let step = 0; step < 100; step++) live.update({ step, loss: 1 / (step + 1) });
      expect(out).toHaveLength(1);
      await live.close();
      expect(out.map(([b]) => b['text/plain'])).toEqual(['step=0 loss=1', 'step=99 loss=0.01000']);
      expect(() => live.update({ loss: torch.ones(2) })).toThrow("LivePlot.update: 'loss' must be a number or a one-element tensor, got torch.Size([2])");
      expect(() => live.update({})).toThrow('LivePlot.update needs at least one value');
    });
  });
});

describe('spec snapshots of every chart kind (data left out)', () => {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'data').map(([k, x]) => [k, strip(x)]));
  };
  it('matches', () => {
    const X = torch.tensor([[0, 0], [1, 1]]).float();
    const live = new plot.LivePlot({ mininterval: 1e9 });
    void recording(true, () => live.update({ epoch: 0, loss: 1 }));
    const specs = {
      scatter: plot.scatter([1, 2], [3, 4]).spec,
      hist: plot.hist([1, 2, 3]).spec,
      heatmap: plot.heatmap([[1.5, 2]]).spec,
      function: plot.function({ a: torch.relu, b: torch.tanh }).spec,
      decision_boundary: plot.decision_boundary((x: Tensor) => x, X, [0, 1], { resolution: 2 }).spec,
      live: live.toPlot().spec,
    };
    expect(strip(specs)).toMatchSnapshot();
  });
});
