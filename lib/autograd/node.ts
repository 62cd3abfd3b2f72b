/**
 * Graph nodes. A node is made by an op when grad mode is on and an input requires grad; it
 * holds the edges to its inputs' nodes, the tensors saved for backward (checked against
 * in-place changes) and the backward closure defined next to the op's forward.
 */

import type { Tensor } from '../tensor.js';
import { RuntimeError } from '../errors.js';
import { is_anomaly_enabled } from './grad_mode.js';

export type Grads = (Tensor | null)[];
export type Edge = { node: Node; inputNr: number } | null;

export abstract class Node {
  /** Edges to the nodes producing each differentiable input, as PyTorch's next_functions. */
  edges: Edge[] = [];
  /** @internal hooks on outputs of this node, by output number (tensor.register_hook) */
  preHooks: Map<number, ((g: Tensor) => Tensor | void)[]> | null = null;
  /** @internal non-leaf outputs whose grad is retained, by output number */
  retained: Map<number, WeakRef<Tensor>> | null = null;
  /** @internal where the forward op ran, kept in anomaly mode to report a failing backward */
  readonly forwardStack: string | null = is_anomaly_enabled() ? (new Error().stack ?? null) : null;

  abstract name(): string;
  abstract apply(grads: Grads): Grads;
  /**
   * Drops what backward needed, once it has run without retain_graph. `donate`: no graph was
   * recorded during it (create_graph off), so tensors only this node refers to may give their
   * memory back to their backend.
   */
  release(_donate = false): void {}

  /** `grad_fn.next_functions`: pairs of (node, output number), as in PyTorch. */
  get next_functions(): [Node | null, number][] {
    return this.edges.map((e) => (e ? [e.node, e.inputNr] : [null, 0]));
  }

  toString(): string {
    return `<${this.name()} object>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The sink for a leaf's gradient: adds into `.grad`. */
export class AccumulateGrad extends Node {
  constructor(readonly variable: Tensor) {
    super();
  }
  name(): string {
    return 'torch::autograd::AccumulateGrad';
  }
  apply(grads: Grads): Grads {
    return grads;
  }
}

export const FREED =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
  'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
  'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or ' +
  'if you need to access saved tensors after calling backward.';

export type BackwardFn = (grads: Grads, saved: Tensor[]) => Grads;

function shapeText(t: Tensor): string {
  return `[${t._shape.join(', ')}]`;
}

/** The node every built-in op records: a named backward closure over saved tensors. */
export class OpNode extends Node {
  /**
   * @internal Its backward runs user code (a custom autograd.Function), which may keep references
   * to the gradients it returns, so the engine never hands those to a `.grad` without a copy.
   */
  opaque = false;
  private saved: Tensor[] | null;
  private versions: number[];
  private freed = false;
  /**
   * @internal Tensors the op made for this node alone (never handed to its caller, e.g. max
   * pooling's indices when they are not returned): their memory goes back to the backend at release.
   */
  owned: Tensor[] | null = null;

  /**
   * `savedOutputNr[i]` is the output number of this node that `saved[i]` is, or -1 for an input
   * or a constant: PyTorch names the node an output was saved by in its version error.
   */
  constructor(
    private readonly opName: string,
    saved: Tensor[],
    private backward: BackwardFn | null,
    private readonly savedOutputNr: readonly number[] = [],
  ) {
    super();
    this.saved = saved;
    this.versions = saved.map((t) => t._storage.version);
  }

  name(): string {
    return this.opName;
  }

  apply(grads: Grads): Grads {
    if (this.freed || !this.saved || !this.backward) throw new RuntimeError(FREED);
    const saved = this.saved;
    for (let i = 0; i < saved.length; i++) {
      const t = saved[i]!;
      if (t._storage.version !== this.versions[i]) throw this.versionError(i, t);
    }
    return this.backward(grads, saved);
  }

  private versionError(i: number, t: Tensor): RuntimeError {
    // an output names this node; anything else names whatever produced it now, as PyTorch does
    const nr = this.savedOutputNr[i] ?? -1;
    const maker = nr >= 0 ? `, which is output ${nr} of ${this.opName},` : t.grad_fn ? `, which is output ${t._outputNr} of ${t.grad_fn.name()},` : '';
    const hint = is_anomaly_enabled()
      ? 'Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!'
      : 'Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).';
    return new RuntimeError(
      'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
        `[${t.typeName()} ${shapeText(t)}]${maker} is at version ${t._storage.version}; expected version ` +
        `${this.versions[i]} instead. ${hint}`,
    );
  }

  override release(donate = false): void {
    if (this.saved && this.saved.length === 0) return; // nothing saved: backward may run again
    this.freed = true;
    this.saved = null;
    this.backward = null;
    // made again by the op's next call (the next training step): `recurring`
    if (donate && this.owned) for (const t of this.owned) t._storage.backend.donate?.(t._storage, 'step');
    this.owned = null;
  }
}

/** Where a tensor's elements sit in its storage. */
interface Geometry {
  readonly shape: number[];
  readonly strides: number[];
  readonly offset: number;
}

const geometryOf = (t: Tensor): Geometry => ({ shape: t._shape.slice(), strides: t._strides.slice(), offset: t._offset });
const within = (flat: Tensor, at: Geometry): Tensor => flat.as_strided(at.shape, at.strides, at.offset);

/**
 * A buffer shaped like the base's storage (`size` elements), holding `g` (a gradient of the
 * base's shape) where the base's elements sit; zeros elsewhere. Written with tensor ops, so it
 * is differentiable for double backward whatever the base's strides.
 */
function laidOutLike(g: Tensor, at: Geometry, size: number): Tensor {
  const flat = g.new_zeros([size]);
  within(flat, at).copy_(g);
  return flat;
}

/**
 * The base's node after an in-place op wrote through one of its views (PyTorch's CopySlices):
 * the base's gradient passes through unchanged outside the view, and through the in-place op's
 * own node inside it. Edge 0 is the base's previous history, the others are the op's extra inputs.
 */
export class CopySlices extends Node {
  private fn: Node | null;

  constructor(
    previous: Edge,
    fn: Node,
    private readonly base: Geometry,
    private readonly view: Geometry,
    private readonly size: number,
  ) {
    super();
    this.fn = fn;
    this.edges = [previous, ...fn.edges.slice(1)];
  }

  name(): string {
    return 'torch::autograd::CopySlices';
  }

  apply(grads: Grads): Grads {
    const fn = this.fn;
    if (!fn) throw new RuntimeError(FREED);
    const g = grads[0];
    if (!g) return this.edges.map(() => null);
    const flat = laidOutLike(g, this.base, this.size);
    const region = within(flat, this.view);
    const res = fn.apply([region.clone()]);
    const inner = res[0];
    if (inner) region.copy_(inner);
    else region.zero_();
    return [within(flat, this.base), ...res.slice(1)];
  }

  override release(donate = false): void {
    this.fn?.release(donate);
  }
}

/**
 * Gives `base` the history of an in-place op that wrote through its view `view` (whose new
 * values came from the node `fn`), and regenerates the view's own history from the base
 * (an AsStridedBackward0 node, as PyTorch does).
 */
export function rebaseViewHistory(view: Tensor, base: Tensor, fn: Node): void {
  const old: Edge = base.grad_fn
    ? { node: base.grad_fn, inputNr: base._outputNr }
    : base.requires_grad
      ? { node: base._accumulator(), inputNr: 0 }
      : null;
  const baseAt = geometryOf(base);
  const viewAt = geometryOf(view);
  const size = base._storage.size;
  const slices = new CopySlices(old, fn, baseAt, viewAt, size);
  base.grad_fn = slices;
  base._outputNr = 0;
  const back = new OpNode('AsStridedBackward0', [], ([g]) => [g ? within(laidOutLike(g, viewAt, size), baseAt) : null]);
  back.edges = [{ node: slices, inputNr: 0 }];
  view.grad_fn = back;
  view._outputNr = 0;
}
