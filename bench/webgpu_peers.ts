/**
 * Square float32 matmul GFLOP/s of two JavaScript WebGPU libraries, measured beside torchlab's
 * 'cuda' device by bench/webgpu.ts:
 *   - TensorFlow.js (@tensorflow/tfjs-core + @tensorflow/tfjs-backend-webgpu): tf.matMul;
 *   - jax-js (@jax-js/jax) on its 'webgpu' device: jax.numpy.matmul.
 * Both look for `navigator.gpu`; this module gives them one from the `webgpu` package (Dawn) in the
 * main thread, on the adapter torchlab's worker would pick: the first one Dawn's default instance
 * offers (the hardware Vulkan adapter on a GPU machine), else Mesa's llvmpipe through Dawn's
 * OpenGL ES backend, whose adapters exist only at featureLevel 'compatibility' (added here to the
 * peers' own requestAdapter calls, which do not ask for it).
 *
 * Method, as bench/webgpu.ts times torchlab: the same random normal n x n float32 inputs for both
 * peers, uploaded once; one warm-up product (which also compiles the shaders); then a batch of
 * products queued back to back and ONE wait for the last (it waits for the whole queue), the
 * batch doubled until a repetition lasts MIN_TIME; median of REPS repetitions; GFLOP/s =
 * 2 n^3 / seconds / 1e9. Every product but the last is disposed as soon as the next is queued.
 * The wait reads nothing back, as torch.cuda.synchronize() does not: tfjs reads one element of
 * the last product (a 1x1 slice; the read waits for everything submitted before it), jax-js
 * awaits blockUntilReady(), which submits the pending work and maps a zero-byte copy.
 * jax-js is lazy: a product is only computed when something needs it, and an unread product
 * that is disposed is never run at all. Each queued product is therefore submitted with
 * gpuBufferSync() (realise, submit, give the reference back) before the next is made.
 * Correctness: each peer's product is compared once with a float64 CPU product at n = 64 (all
 * entries, |diff| < 1e-3), and at every measured size on 64 sampled entries (|diff| within 1e-5
 * of the sum of |a_ik b_kj|), so a wrong setup cannot report a fast nonsense figure.
 * tfjs flags are all left at their defaults: WEBGPU_MATMUL_PROGRAM_TYPE -1 (tfjs picks the
 * kernel: its packed vec4 MatMulPackedProgram for every size measured here, the small-output
 * kernel at the n = 64 check), WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE 15,
 * WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL -1, WEBGPU_CPU_FORWARD true (it only
 * forwards small tensors still held on the CPU, never these), WEBGPU_USE_LOW_POWER_GPU false.
 * Any failure of a peer (package missing, no adapter, an exception, a wrong result, a run
 * past PEER_TIMEOUT_MS) becomes a one-line reason string in place of its figure.
 */

import { availableParallelism } from 'node:os';
import { median } from './stats.js';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;
type TfWebGPUBackend = import('@tensorflow/tfjs-backend-webgpu').WebGPUBackend;
type Jax = typeof import('@jax-js/jax');
type JaxArray = import('@jax-js/jax').Array;

export type PeerFigure = number | string;
export interface PeerMatmul {
  tfjs: PeerFigure;
  jaxjs: PeerFigure;
}

const REPS = 5;
const MIN_TIME = 0.2;
const MAX_CALLS = 1 << 12;
const CHECK_N = 64;
const SAMPLES = 64;
/** Longest time one peer may take for one size (check, warm-up and timing) before it is dropped. */
const PEER_TIMEOUT_MS = 240_000;
const SOFTWARE = /llvmpipe|softpipe|lavapipe|swiftshader|software|warp|basic render/i;

function message(e: unknown): string {
  const s = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return s.split('\n')[0]!.slice(0, 200);
}


/**
 * Seconds per product: `run(calls)` queues `calls` products and waits once for the last. The
 * same batching as bench/webgpu.ts's timeit: one warm-up, the batch doubled until a repetition
 * lasts MIN_TIME, then the median of REPS repetitions.
 */
async function timeit(run: (calls: number) => Promise<void>): Promise<number> {
  await run(1);
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    await run(calls);
    const s = (performance.now() - t0) / 1000;
    if (s >= MIN_TIME || calls >= MAX_CALLS) break;
    calls *= 2;
  }
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    await run(calls);
    times.push((performance.now() - t0) / 1000 / calls);
  }
  return median(times);
}

/** Deterministic standard normal float32 values (mulberry32 and Box-Muller). */
function randn(count: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const th = 2 * Math.PI * uniform();
    out[i] = r * Math.cos(th);
    if (i + 1 < count) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

interface Inputs {
  n: number;
  a: Float32Array;
  b: Float32Array;
}

function inputs(n: number): Inputs {
  return { n, a: randn(n * n, 2 * n + 1), b: randn(n * n, 2 * n + 2) };
}

/**
 * Compares a peer's product with a float64 one on the CPU: every entry against `absTol` when
 * `all`, else SAMPLES entries (the corners and a fixed pseudo-random set) against
 * 1e-5 * sum_k |a_ik b_kj|. Returns null when it agrees, else the worst entry.
 */
function verify(c: ArrayLike<number>, { n, a, b }: Inputs, all: boolean, absTol = 1e-3): string | null {
  if (c.length !== n * n) return `the product has ${c.length} entries, not ${n * n}`;
  const cells: [number, number][] = [];
  if (all) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) cells.push([i, j]);
  } else {
    cells.push([0, 0], [0, n - 1], [n - 1, 0], [n - 1, n - 1]);
    let h = 12345;
    while (cells.length < SAMPLES) {
      h = (Math.imul(h, 1103515245) + 12345) >>> 0;
      const i = h % n;
      h = (Math.imul(h, 1103515245) + 12345) >>> 0;
      cells.push([i, h % n]);
    }
  }
  let worst: string | null = null;
  let worstExcess = 0;
  for (const [i, j] of cells) {
    let sum = 0;
    let mag = 0;
    for (let k = 0; k < n; k++) {
      const p = a[i * n + k]! * b[k * n + j]!;
      sum += p;
      mag += Math.abs(p);
    }
    const got = c[i * n + j]!;
    const tol = all ? absTol : 1e-5 * mag + 1e-6;
    const diff = Math.abs(got - sum);
    // NaN fails too
    if (!(diff <= tol) && (worst === null || !(diff - tol <= worstExcess))) {
      worst = `C[${i},${j}] = ${got} but the CPU gives ${sum.toFixed(6)} (|diff| ${diff.toExponential(2)} > ${tol.toExponential(2)})`;
      worstExcess = Number.isNaN(diff) ? Infinity : diff - tol;
    }
  }
  return worst === null ? null : `wrong product at n = ${n}: ${worst}`;
}

/** One peer, set up: makes a runner for n x n inputs. */
interface Peer {
  prepare(x: Inputs): Promise<Runner>;
  /** Frees the peer's GPU device (and its pooled buffers). */
  close(): void;
}
interface Runner {
  /** Queues `calls` products, waits once for the last, disposes them all. */
  run(calls: number): Promise<void>;
  /** One product, read back whole. */
  product(): Promise<ArrayLike<number>>;
  dispose(): void;
}

// ---------------------------------------------------------------------------------------------
// navigator.gpu

type Gpu = GPU;
let gpuSetup: Promise<{ gpu: Gpu; adapter: string } | string> | null = null;
/** Every Dawn instance made, kept referenced: one torn down by the GC can race with another's work. */
const instances: Gpu[] = [];

function describe(a: GPUAdapter): string {
  const i = a.info;
  const name = [i.vendor, i.architecture, i.device, i.description].filter((s) => s).join(' ') || 'unnamed adapter';
  const software = i.isFallbackAdapter || SOFTWARE.test(name);
  return `${name} (${software ? 'software' : 'hardware'})`;
}

/** Installs `navigator.gpu` for the peers; returns the adapter they will find, or a reason. */
function provideGpu(): Promise<{ gpu: Gpu; adapter: string } | string> {
  gpuSetup ??= (async () => {
    let dawn: typeof import('webgpu');
    try {
      dawn = await import('webgpu');
    } catch (e) {
      return `the webgpu package did not load (${message(e)})`;
    }
    Object.assign(globalThis, dawn.globals);
    let gpu: Gpu | null = null;
    let adapter: GPUAdapter | null = null;
    try {
      gpu = dawn.create([]);
      instances.push(gpu);
      adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    } catch {
      adapter = null;
    }
    if (!adapter) {
      // no Vulkan device: Mesa's llvmpipe through Dawn's OpenGL ES backend, as torchlab's worker
      // falls back to (Mesa's EGL needs this on a server without a display)
      if (process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
      try {
        const gl = dawn.create(['backend=opengles']);
        instances.push(gl);
        const request = gl.requestAdapter.bind(gl);
        // the peers ask for a core adapter, which the OpenGL ES backend does not offer
        gl.requestAdapter = (options?: GPURequestAdapterOptions) => request({ ...options, featureLevel: 'compatibility' });
        adapter = await gl.requestAdapter({ powerPreference: 'high-performance' });
        gpu = gl;
      } catch {
        adapter = null;
      }
    }
    if (!adapter || !gpu) return 'no WebGPU adapter was found';
    const nav = (globalThis as { navigator?: object }).navigator;
    if (nav === undefined) {
      // Node 20 has no navigator; jax-js reads userAgent and hardwareConcurrency from it
      Object.defineProperty(globalThis, 'navigator', {
        value: { gpu, userAgent: `Node.js/${process.version}`, hardwareConcurrency: availableParallelism(), language: 'en-US' },
        configurable: true,
        writable: true,
      });
    } else {
      // Node 21+ has a navigator without gpu
      Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    }
    return { gpu, adapter: describe(adapter) };
  })();
  return gpuSetup;
}

// ---------------------------------------------------------------------------------------------
// TensorFlow.js

async function tfjsPeer(): Promise<Peer> {
  let tf: TfCore;
  try {
    tf = await import('@tensorflow/tfjs-core');
  } catch (e) {
    throw new Error(`@tensorflow/tfjs-core is not installed (${message(e)})`);
  }
  try {
    // registers the 'webgpu' backend, but only if navigator.gpu exists when it is loaded
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    throw new Error(`@tensorflow/tfjs-backend-webgpu is not installed (${message(e)})`);
  }
  if (!tf.findBackendFactory('webgpu')) throw new Error('tfjs registered no webgpu backend (no navigator.gpu)');
  const warn = console.warn;
  const warnings: string[] = [];
  // setBackend reports a failed initialisation with console.warn and returns false
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  let ok: boolean;
  try {
    ok = await tf.setBackend('webgpu');
    await tf.ready();
  } finally {
    console.warn = warn;
  }
  if (!ok || tf.getBackend() !== 'webgpu') throw new Error(`tfjs's webgpu backend did not start${warnings.length ? ` (${warnings.join('; ').split('\n')[0]})` : ''}`);
  const backend = tf.backend() as TfWebGPUBackend;
  return {
    close() {
      const device = backend.device;
      tf.removeBackend('webgpu');
      device.destroy();
    },
    async prepare({ n, a, b }) {
      const ta = tf.tensor2d(a, [n, n], 'float32');
      const tb = tf.tensor2d(b, [n, n], 'float32');
      return {
        async run(calls) {
          let last: TfTensor | null = null;
          for (let i = 0; i < calls; i++) {
            const c = tf.matMul(ta, tb);
            last?.dispose();
            last = c;
          }
          const corner = tf.slice(last!, [0, 0], [1, 1]);
          await corner.data();
          corner.dispose();
          last!.dispose();
        },
        async product() {
          const c = tf.matMul(ta, tb);
          try {
            return await c.data();
          } finally {
            c.dispose();
          }
        },
        dispose() {
          ta.dispose();
          tb.dispose();
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// jax-js

async function jaxPeer(): Promise<Peer> {
  let jax: Jax;
  try {
    jax = await import('@jax-js/jax');
  } catch (e) {
    throw new Error(`@jax-js/jax is not installed (${message(e)})`);
  }
  const devices = await jax.init('webgpu');
  if (!devices.includes('webgpu')) throw new Error("jax-js's webgpu device did not start (no adapter, or requestDevice failed)");
  jax.defaultDevice('webgpu');
  const np = jax.numpy;
  return {
    close() {
      jax.getWebGPUDevice().destroy();
    },
    async prepare({ n, a, b }) {
      // arrays made from data live in a device buffer (not a lazy expression), so the products
      // below read them rather than recompute them
      const ja = np.array(a, { shape: [n, n], dtype: np.float32, device: 'webgpu' });
      const jb = np.array(b, { shape: [n, n], dtype: np.float32, device: 'webgpu' });
      await jax.blockUntilReady([ja, jb]);
      // jax-js functions consume their arguments: pass .ref to keep ja and jb
      const mm = () => np.matmul(ja.ref, jb.ref);
      return {
        async run(calls) {
          for (let i = 0; i < calls - 1; i++) mm().gpuBufferSync();
          const last = mm();
          await last.blockUntilReady();
          last.dispose();
        },
        async product() {
          const c: JaxArray = mm();
          return await c.data();
        },
        dispose() {
          ja.dispose();
          jb.dispose();
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface PeerState {
  name: string;
  make: () => Promise<Peer>;
  setup: Promise<Peer | string> | null;
  /** Set when the peer failed in a way that spoils later sizes too (a timeout: it may still run). */
  dead: string | null;
}

const peers: { tfjs: PeerState; jaxjs: PeerState } = {
  tfjs: { name: 'tfjs', make: tfjsPeer, setup: null, dead: null },
  jaxjs: { name: 'jax-js', make: jaxPeer, setup: null, dead: null },
};

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // a referenced timer also keeps Node alive while the peer waits on the GPU
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * While the peers are in use, a promise one of them leaves rejected in the background (after a
 * time-out, say) is reported in one line instead of ending the process, as Node does by default.
 */
let rejectionGuard: ((reason: unknown) => void) | null = null;
function guardRejections(): void {
  if (rejectionGuard) return;
  rejectionGuard = (reason) => console.log(`  (a peer left a promise rejected: ${message(reason)})`);
  process.on('unhandledRejection', rejectionGuard);
}

/** Sets a peer up once: navigator.gpu, the package, its device, and the n = 64 check. */
function setUp(state: PeerState): Promise<Peer | string> {
  state.setup ??= (async () => {
    const g = await provideGpu();
    if (typeof g === 'string') return g;
    let peer: Peer;
    try {
      peer = await withTimeout(state.make(), PEER_TIMEOUT_MS, 'starting');
    } catch (e) {
      return message(e);
    }
    try {
      const x = inputs(CHECK_N);
      const r = await withTimeout(peer.prepare(x), PEER_TIMEOUT_MS, 'the check');
      try {
        const bad = verify(await withTimeout(r.product(), PEER_TIMEOUT_MS, 'the check'), x, true);
        if (bad) return bad;
      } finally {
        r.dispose();
      }
    } catch (e) {
      return `the n = ${CHECK_N} check failed: ${message(e)}`;
    }
    return peer;
  })();
  return state.setup;
}

async function measure(state: PeerState, x: Inputs): Promise<PeerFigure> {
  if (state.dead) return state.dead;
  const peer = await setUp(state);
  if (typeof peer === 'string') return peer;
  let r: Runner | null = null;
  try {
    return await withTimeout(
      (async () => {
        r = await peer.prepare(x);
        // the first product compiles the kernel for this size; check it before timing it
        const bad = verify(await r.product(), x, false);
        if (bad) return bad;
        const s = await timeit((calls) => r!.run(calls));
        return (2 * x.n ** 3) / s / 1e9;
      })(),
      PEER_TIMEOUT_MS,
      `n = ${x.n}`,
    );
  } catch (e) {
    const reason = message(e);
    if (/took over/.test(reason)) state.dead = `dropped after ${reason}`;
    return reason;
  } finally {
    try {
      (r as Runner | null)?.dispose();
    } catch {
      // a peer that failed may refuse to free its arrays; the figure is already a reason
    }
  }
}

/** The adapter the peers get ("name (hardware|software)"), or why they have none. */
export async function peerAdapter(): Promise<string> {
  const g = await provideGpu();
  return typeof g === 'string' ? g : g.adapter;
}

/**
 * GFLOP/s of an n x n float32 matmul for each peer, or a one-line reason where it could not be
 * measured. Never throws.
 */
export async function peerMatmul(n: number): Promise<PeerMatmul> {
  guardRejections();
  let x: Inputs;
  try {
    x = inputs(n);
  } catch (e) {
    const reason = message(e);
    return { tfjs: reason, jaxjs: reason };
  }
  const tfjs = await measure(peers.tfjs, x).catch(message);
  const jaxjs = await measure(peers.jaxjs, x).catch(message);
  return { tfjs, jaxjs };
}

/**
 * Frees the peers' devices and drops navigator.gpu once the matmul rows are done. The Dawn
 * instances themselves stay referenced until the process ends (see `instances`).
 */
export async function closePeers(): Promise<void> {
  for (const state of [peers.tfjs, peers.jaxjs]) {
    // a peer dropped after a time-out may still be running: leave its device alone
    if (state.dead === null && state.setup) {
      const peer = await state.setup;
      if (typeof peer !== 'string') {
        try {
          peer.close();
        } catch {
          // best effort
        }
      }
    }
    state.dead ??= 'closed';
  }
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav && 'gpu' in nav) {
    try {
      delete nav.gpu;
    } catch {
      // not configurable: nothing more to do
    }
  }
  if (rejectionGuard) process.off('unhandledRejection', rejectionGuard);
  rejectionGuard = null;
}
