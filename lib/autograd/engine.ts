/**
 * The backward engine: walks the graph from the roots in dependency order, sums gradients
 * per (node, output), runs tensor hooks, accumulates into leaves or collects for autograd.grad.
 * When only some tensors' gradients are wanted, only the nodes on a path to them run.
 */

import type { Tensor } from '../tensor.js';
import { AccumulateGrad, type Grads, type Node } from './node.js';
import { set_grad_enabled, is_grad_enabled, is_anomaly_enabled, is_anomaly_check_nan_enabled } from './grad_mode.js';
import { RuntimeError } from '../errors.js';

export interface RunOptions {
  retain_graph: boolean;
  create_graph: boolean;
  /** For autograd.grad: collect grads of these tensors instead of accumulating into leaves. */
  inputs?: Tensor[];
  allow_unused?: boolean;
  /** For backward(inputs=...): accumulate into the `.grad` of these tensors only (leaves or not). */
  accumulate_into?: Tensor[];
}

function addGrad(a: Tensor | null, b: Tensor): Tensor {
  return a === null ? b : a.add(b);
}

const sizeText = (s: readonly number[]) => `torch.Size([${s.join(', ')}])`;

/** The (node, output number) whose incoming gradient is `t`'s gradient. */
function gradEdge(t: Tensor): { node: Node; nr: number } {
  return t.grad_fn ? { node: t.grad_fn, nr: t._outputNr } : { node: t._accumulator(), nr: 0 };
}

/** Runs backward from `roots` seeded with `seeds`; returns the grads of `opts.inputs` if given. */
export function runBackward(roots: Tensor[], seeds: Tensor[], opts: RunOptions): (Tensor | null)[] {
  const rootEdges: { node: Node; nr: number; seed: Tensor }[] = [];
  for (let i = 0; i < roots.length; i++) {
    const r = roots[i]!;
    if (!r.requires_grad) {
      throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    }
    let seed = seeds[i]!;
    if (seed._shape.length !== r._shape.length || seed._shape.some((n, d) => n !== r._shape[d])) {
      throw new RuntimeError(
        `Mismatch in shape: grad_output[${i}] has a shape of ${sizeText(seed._shape)} and output[${i}] has a shape of ${sizeText(r._shape)}.`,
      );
    }
    if (seed.dtype !== r.dtype) seed = seed.to(r.dtype);
    const { node, nr } = gradEdge(r);
    rootEdges.push({ node, nr, seed });
  }

  // the tensors whose gradients are wanted: captured (autograd.grad) or accumulated (backward(inputs))
  const targets = opts.inputs ?? opts.accumulate_into ?? null;
  const capture = new Map<Node, Map<number, number[]>>();
  const captured: (Tensor | null)[] = [];
  if (targets) {
    targets.forEach((t, k) => {
      if (!t.requires_grad) throw new RuntimeError('One of the differentiated Tensors does not require grad');
      const { node, nr } = gradEdge(t);
      let m = capture.get(node);
      if (!m) capture.set(node, (m = new Map()));
      const ks = m.get(nr) ?? [];
      ks.push(k);
      m.set(nr, ks);
      captured.push(null);
    });
  }

  // every node reachable from the roots, with the reverse edges to find what leads to a target
  const reachable = new Set<Node>();
  const parents = new Map<Node, Node[]>();
  const stack: Node[] = [];
  for (const e of rootEdges) {
    if (!reachable.has(e.node)) {
      reachable.add(e.node);
      stack.push(e.node);
    }
  }
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.edges) {
      if (!e) continue;
      if (targets) {
        const ps = parents.get(e.node);
        if (ps) ps.push(n);
        else parents.set(e.node, [n]);
      }
      if (!reachable.has(e.node)) {
        reachable.add(e.node);
        stack.push(e.node);
      }
    }
  }
  // with targets, only nodes with a path to one of them run (PyTorch's exec_info)
  let active = reachable;
  if (targets) {
    active = new Set<Node>();
    const todo = [...capture.keys()].filter((n) => reachable.has(n));
    for (const n of todo) active.add(n);
    while (todo.length) {
      for (const p of parents.get(todo.pop()!) ?? []) {
        if (!active.has(p)) {
          active.add(p);
          todo.push(p);
        }
      }
    }
  }

  const deps = new Map<Node, number>();
  for (const n of active) {
    for (const e of n.edges) if (e && active.has(e.node)) deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
  }

  const buffers = new Map<Node, Grads>();
  const put = (node: Node, nr: number, g: Tensor) => {
    let b = buffers.get(node);
    if (!b) buffers.set(node, (b = []));
    b[nr] = addGrad(b[nr] ?? null, g);
  };
  for (const e of rootEdges) if (active.has(e.node)) put(e.node, e.nr, e.seed);

  const ready: Node[] = [];
  for (const n of active) if (!deps.get(n)) ready.push(n);

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
          for (const h of hooks.slice()) {
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
      if (cap) {
        for (const [nr, ks] of cap) {
          const g = grads[nr] ?? null;
          for (const k of ks) {
            captured[k] = g;
            // backward(inputs=[non-leaf]) fills that tensor's .grad; leaves go through their accumulator
            const t = opts.accumulate_into?.[k];
            if (t && g && t.grad_fn) t.grad = t.grad ? t.grad.add(g) : opts.create_graph ? g : g.detach().clone();
          }
        }
      }

      let outGrads: Grads = [];
      if (node instanceof AccumulateGrad) {
        if (!opts.inputs) accumulate(node.variable, grads[0] ?? null, opts.create_graph);
      } else if (node.edges.some((e) => e && active.has(e.node)) && grads.some((g) => g)) {
        outGrads = applyNode(node, grads);
        if (!opts.retain_graph) node.release();
      }
      for (let i = 0; i < node.edges.length; i++) {
        const e = node.edges[i];
        if (!e || !active.has(e.node)) continue;
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

/** Runs one node's backward; in anomaly mode reports where its forward ran and rejects NaN. */
function applyNode(node: Node, grads: Grads): Grads {
  if (!is_anomaly_enabled()) return node.apply(grads);
  let out: Grads;
  try {
    out = node.apply(grads);
  } catch (e) {
    console.warn(`Error detected in ${node.name()}. Traceback of forward call that caused the error:\n${node.forwardStack ?? '(no stack recorded)'}`);
    throw e;
  }
  if (is_anomaly_check_nan_enabled()) {
    out.forEach((g, i) => {
      if (g && g.isnan().any().item()) {
        console.warn(`Error detected in ${node.name()}. Traceback of forward call that caused the error:\n${node.forwardStack ?? '(no stack recorded)'}`);
        throw new RuntimeError(`Function '${node.name()}' returned nan values in its ${i}th output.`);
      }
    });
  }
  return out;
}

function accumulate(leaf: Tensor, g: Tensor | null, createGraph: boolean): void {
  if (!g) return;
  if (!leaf.grad) {
    // a fresh gradient never aliases the incoming one, so later in-place updates stay local
    leaf.grad = (createGraph ? g : g.detach()).clone();
  } else if (createGraph || leaf.grad.requires_grad) {
    leaf.grad = leaf.grad.add(g);
  } else {
    leaf.grad.add_(g.detach());
  }
}
