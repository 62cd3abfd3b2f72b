/**
 * Plots: a vega-lite spec (made synchronously) and its SVG rendering (made asynchronously in Node
 * by vega). vega-lite 6 uses top-level await, so it cannot be `require()`d by notebook cells
 * compiled to CommonJS: the plotting stack is loaded with dynamic `import()` here, on first render.
 *
 * The choice: `plot.line(...)` returns a `Plot` at once, holding the spec; its
 * `[Symbol.for('Jupyter.display')]()` returns a Promise of the full bundle (vega-lite + SVG +
 * text), which the kernel awaits when a plot is a cell's last expression, and `display(p)` /
 * `await p.show()` publish it once the SVG is there.
 */

import { JUPYTER_DISPLAY, get_publisher, type MimeBundle } from '../publisher.js';

/** A vega-lite specification, as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';
export const VEGALITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

interface VegaModules {
  vega: typeof import('vega');
  vl: typeof import('vega-lite');
}

let modules: Promise<VegaModules> | null = null;

function loadVega(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return modules;
}

/**
 * Renders a vega-lite spec to SVG text with vega's headless renderer (text widths are estimated,
 * as no canvas is used).
 * @example const svg = await renderSvg({mark: 'point', data: {values: [{a: 1}]}, encoding: {x: {field: 'a'}}})
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  // vega tags the data objects it is given: render a copy, so that the spec stays plain JSON
  const copy = JSON.parse(JSON.stringify(spec)) as import('vega-lite').TopLevelSpec;
  const compiled = vl.compile(copy).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A spec with the v5 schema, and the data inlined (as it must be for nbconvert and GitHub). */
export function withSchema(spec: VegaLiteSpec): VegaLiteSpec {
  return { $schema: VEGALITE_SCHEMA, ...spec };
}

/**
 * A chart: a vega-lite spec plus a short description. Shows as `application/vnd.vegalite.v5+json`,
 * `image/svg+xml` and `text/plain`.
 * @example const p = plot.line([1, 4, 9]); await p.show(); const svg = await p.toSVG();
 */
export class Plot {
  readonly spec: VegaLiteSpec;
  readonly kind: string;

  constructor(spec: VegaLiteSpec, kind = 'plot') {
    this.spec = withSchema(spec);
    this.kind = kind;
  }

  /** The SVG rendering. @example writeFileSync('loss.svg', await plot.line(losses).toSVG()) */
  toSVG(): Promise<string> {
    return renderSvg(this.spec);
  }

  /**
   * `text/plain` and the vega-lite spec, available synchronously.
   * @example plot.line([1, 2]).specBundle()['application/vnd.vegalite.v5+json']
   */
  specBundle(): MimeBundle {
    return { 'text/plain': this.toString(), [VEGALITE_MIME]: this.spec };
  }

  /**
   * The full bundle, with the SVG. The SVG also goes into `text/html` as an `<img>`: nbconvert
   * before 7.7 (Debian's included) strips the marks out of inline SVG, and viewers that prefer
   * HTML (JupyterLab ranks it above vega-lite) then show the same static rendering.
   * @example const b = await plot.line(losses).bundle(); b['image/svg+xml']
   */
  async bundle(): Promise<MimeBundle> {
    const svg = await this.toSVG();
    const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
    return { ...this.specBundle(), 'image/svg+xml': svg, 'text/html': `<img src="${src}" alt="${escapeAttr(this.toString())}">` };
  }

  /**
   * Publishes the plot (after rendering its SVG); outside a notebook prints its text form.
   * @example await plot.line(losses).show()
   */
  async show(): Promise<void> {
    const pub = get_publisher();
    pub.publish(pub.rich ? await this.bundle() : this.specBundle());
  }

  /**
   * `String(p)`: `<torchlab.plot.Plot kind 'title'>`, the text form outside a notebook.
   * @example String(plot.line([1, 2], {title: 'loss'})) // "<torchlab.plot.Plot line 'loss'>"
   */
  toString(): string {
    const title = this.spec.title;
    const t = typeof title === 'string' ? ` '${title}'` : '';
    return `<torchlab.plot.Plot ${this.kind}${t}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return this.bundle();
  }
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}
