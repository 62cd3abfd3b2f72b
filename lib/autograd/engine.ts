/**
 * The backward engine: walks the graph from the roots in dependency order, sums gradients
 * per (node, output), runs tensor hooks, accumulates into leaves or collects for autograd.grad.
 */

import type { Tensor } from '../tensor.js';
import { AccumulateGrad, type Grads, type Node } from './node.js';
import { set_grad_enabled, is_grad_enabled } from './grad_mode.js';
import { RuntimeError } from '../errors.js';

export interface RunOptions {
  retain_graph: boolean;
  create_graph: boolean;
  /** For autograd.grad: collect grads of these tensors instead of accumulating into leaves. */
  inputs?: Tensor[];
  allow_unused?: boolean;
}

function addGrad(a: Tensor | null, b: Tensor): Tensor {
  return a === null ? b : a.add(b);
}

/** Runs backward from `roots` seeded with `seeds`; returns the grads of `opts.inputs` if given. */
export function runBackward(roots: Tensor[], seeds: Tensor[], opts: RunOptions): (Tensor | null)[] {
  const rootEdges: { node: Node; nr: number; seed: Tensor }[] = [];
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i]!;
    const node = r.grad_fn ?? (r.requires_grad ? r._accumulator() : null);
    if (!node) {
      throw new RuntimeError('element 0 of tensors does not require grad and does not have a grad_fn');
    }
    rootEdges.push({ node, nr: r.grad_fn ? r._outputNr : 0, seed: seeds[i]! });
  }

  // what autograd.grad wants captured: node of each input (its grad_fn output, or its accumulator)
  const capture = new Map<Node, Map<number, number>>();
  const captured: (Tensor | null)[] = [];
  if (opts.inputs) {
    opts.inputs.forEach((t, k) => {
      const node = t.grad_fn ?? t._accumulator();
      const nr = t.grad_fn ? t._outputNr : 0;
      let m = capture.get(node);
      if (!m) capture.set(node, (m = new Map()));
      m.set(nr, k);
      captured.push(null);
    });
  }

  // dependency counts: how many edges point at each node from nodes reachable from the roots
  const deps = new Map<Node, number>();
  const seen = new Set<Node>();
  const stack: Node[] = [];
  for (const e of rootEdges) {
    if (!seen.has(e.node)) {
      seen.add(e.node);
      stack.push(e.node);
    }
  }
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.edges) {
      if (!e) continue;
      deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
      if (!seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
  }

  const buffers = new Map<Node, Grads>();
  const put = (node: Node, nr: number, g: Tensor) => {
    let b = buffers.get(node);
    if (!b) buffers.set(node, (b = []));
    b[nr] = addGrad(b[nr] ?? null, g);
  };
  for (const e of rootEdges) put(e.node, e.nr, e.seed);

  const ready: Node[] = [];
  for (const n of seen) if (!deps.get(n)) ready.push(n);

  const prevMode = is_grad_enabled();
  set_grad_enabled(opts.create_graph);
  try {
    while (ready.length) {
      const node = ready.pop()!;
      const grads = buffers.get(node) ?? [];
      buffers.delete(node);
      // tensor hooks and retain_grad see the summed gradient of each output
      if (node.preHooks) {
        for (const [nr, hooks] of node.preHooks) {
          for (const h of hooks) {
            const g = grads[nr];
            if (!g) continue;
            const r = h(g);
            if (r) grads[nr] = r;
          }
        }
      }
      if (node.retained) {
        for (const [nr, ref] of node.retained) {
          const t = ref.deref();
          const g = grads[nr];
          if (t && g) t.grad = t.grad ? t.grad.add(g) : opts.create_graph ? g : g.detach();
        }
      }
      const cap = capture.get(node);
      if (cap) for (const [nr, k] of cap) captured[k] = grads[nr] ?? null;

      let outGrads: Grads;
      if (node instanceof AccumulateGrad) {
        if (!opts.inputs) accumulate(node.variable, grads[0] ?? null, opts.create_graph);
        outGrads = [];
      } else if (opts.inputs && cap && !hasDownstreamCapture(node, capture)) {
        outGrads = [];
      } else {
        outGrads = grads.some((g) => g) ? node.apply(grads) : [];
        if (!opts.retain_graph) node.release();
      }
      for (let i = 0; i < node.edges.length; i++) {
        const e = node.edges[i];
        if (!e) continue;
        const g = outGrads[i];
        if (g) put(e.node, e.inputNr, g);
        const left = deps.get(e.node)! - 1;
        deps.set(e.node, left);
        if (left === 0) ready.push(e.node);
      }
    }
  } finally {
    set_grad_enabled(prevMode);
  }
  if (opts.inputs && !opts.allow_unused) {
    captured.forEach((g) => {
      if (g === null) {
        throw new RuntimeError(
          'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.',
        );
      }
    });
  }
  return captured;
}

/** Whether any captured node lies below `node` (so its backward must still run). */
function hasDownstreamCapture(node: Node, capture: Map<Node, Map<number, number>>): boolean {
  const stack = node.edges.filter((e) => e).map((e) => e!.node);
  const seen = new Set<Node>();
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (capture.has(n)) return true;
    for (const e of n.edges) if (e) stack.push(e.node);
  }
  return false;
}

function accumulate(leaf: Tensor, g: Tensor | null, createGraph: boolean): void {
  if (!g) return;
  if (!leaf.grad) {
    // a fresh gradient never aliases the incoming one, so later in-place updates stay local
    leaf.grad = createGraph ? g : g.detach().clone();
  } else if (createGraph || leaf.grad.requires_grad) {
    leaf.grad = leaf.grad.add(g);
  } else {
    leaf.grad.add_(g.detach());
  }
}
