/**
 * Graph nodes. A node is made by an op when grad mode is on and an input requires grad; it
 * holds the edges to its inputs' nodes, the tensors saved for backward (checked against
 * in-place changes) and the backward closure defined next to the op's forward.
 */

import type { Tensor } from '../tensor.js';
import { RuntimeError } from '../errors.js';

export type Grads = (Tensor | null)[];
export type Edge = { node: Node; inputNr: number } | null;

export abstract class Node {
  /** Edges to the nodes producing each differentiable input, as PyTorch's next_functions. */
  edges: Edge[] = [];
  /** @internal hooks on outputs of this node, by output number (tensor.register_hook) */
  preHooks: Map<number, ((g: Tensor) => Tensor | void)[]> | null = null;
  /** @internal non-leaf outputs whose grad is retained, by output number */
  retained: Map<number, WeakRef<Tensor>> | null = null;

  abstract name(): string;
  abstract apply(grads: Grads): Grads;
  release(): void {}

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

const FREED =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have ' +
  'already been freed). Saved intermediate values of the graph are freed when you call .backward() or ' +
  'autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or ' +
  'if you need to access saved tensors after calling backward.';

export type BackwardFn = (grads: Grads, saved: Tensor[]) => Grads;

/** The node every built-in op records: a named backward closure over saved tensors. */
export class OpNode extends Node {
  private saved: Tensor[] | null;
  private versions: number[];
  private freed = false;

  constructor(
    private readonly opName: string,
    saved: Tensor[],
    private backward: BackwardFn | null,
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
      if (t._storage.version !== this.versions[i]) {
        throw new RuntimeError(
          `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
            `[${t.typeName()} [${t.shape.join(', ')}]] is at version ${t._storage.version}; expected version ` +
            `${this.versions[i]} instead. Hint: the backtrace further above shows the operation that failed to ` +
            `compute its gradient. The variable in question was changed in there or anywhere later. Good luck!`,
        );
      }
    }
    return this.backward(grads, saved);
  }

  override release(): void {
    if (this.saved && this.saved.length === 0) return; // nothing saved: backward may run again
    this.freed = true;
    this.saved = null;
    this.backward = null;
  }
}
