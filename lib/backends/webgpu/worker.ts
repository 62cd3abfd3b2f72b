/**
 * The WebGPU device thread: owns Dawn's adapter, device, buffers and pipelines, runs the command
 * batches the main thread posts, and answers reads by mapping a buffer and copying its bytes into
 * shared memory while the main thread waits on Atomics. Errors are recorded in shared memory and
 * thrown by the main thread at its next op or read.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { C, CONTROL_BYTES, SLOT_BYTES, SLOTS, writeText, type AdapterReport, type Cmd, type ToWorker, type WorkerInit } from './protocol.js';

const init = workerData as WorkerInit;
const ctrl = new Int32Array(init.shared, 0, CONTROL_BYTES / 4);
const port = parentPort!;
type Create = (options: string[]) => GPU;
let create: Create;

const SOFTWARE = /llvmpipe|softpipe|lavapipe|swiftshader|software|warp|basic render/i;

function isSoftware(a: GPUAdapter): boolean {
  const i = a.info;
  return i.isFallbackAdapter || SOFTWARE.test(`${i.vendor} ${i.architecture} ${i.device} ${i.description}`);
}

/** Every GPU instance made, kept alive: Dawn tearing one down under GC raced with the other's work. */
const instances: GPU[] = [];
function instance(options: string[]): GPU {
  const g = create(options);
  instances.push(g);
  return g;
}

async function findAdapter(): Promise<GPUAdapter | null> {
  let found: GPUAdapter | null = null;
  try {
    found = await instance([]).requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    found = null;
  }
  if (found && !isSoftware(found)) return found;
  if (!init.allowSoftware) return null;
  if (found) return found;
  // Mesa's llvmpipe through Dawn's OpenGL ES backend: the software adapter that works on plain
  // Linux machines (EGL_PLATFORM=surfaceless is set by the main thread before this thread starts)
  try {
    return await instance(['backend=opengles']).requestAdapter({ featureLevel: 'compatibility' });
  } catch {
    return null;
  }
}

function limitsOf(a: GPUAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  const lim = a.limits as unknown as Record<string, number>;
  for (const k in lim) if (typeof lim[k] === 'number') out[k] = lim[k];
  return out;
}

function report(message: string): void {
  if (Atomics.load(ctrl, C.error) !== 0) return;
  writeText(init.shared, message);
  Atomics.store(ctrl, C.error, 1);
}

let device: GPUDevice;
let uniforms: GPUBuffer;
const buffers = new Map<number, GPUBuffer>();
const pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: string; bgl: GPUBindGroupLayout }>();
const bindGroups = new Map<string, GPUBindGroup>();
let encoder: GPUCommandEncoder | null = null;
let pass: GPUComputePassEncoder | null = null;
let pendingScopes: Promise<void>[] = [];

function getPass(): GPUComputePassEncoder {
  encoder ??= device.createCommandEncoder();
  pass ??= encoder.beginComputePass();
  return pass;
}
function endPass(): GPUCommandEncoder {
  if (pass) pass.end();
  pass = null;
  return (encoder ??= device.createCommandEncoder());
}
function submit(): void {
  if (!encoder && !pass) return;
  const enc = endPass();
  device.queue.submit([enc.finish()]);
  encoder = null;
}

function buffer(id: number): GPUBuffer {
  const b = buffers.get(id);
  if (!b) throw new Error(`internal error: no GPU buffer ${id}`);
  return b;
}

function makePipeline(key: string, code: string, layout: string): void {
  const entries: GPUBindGroupLayoutEntry[] = [
    { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SLOT_BYTES } },
  ];
  for (let i = 0; i < layout.length; i++) {
    entries.push({ binding: i + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: layout[i] === 'w' ? 'storage' : 'read-only-storage' } });
  }
  const bgl = device.createBindGroupLayout({ entries });
  const module = device.createShaderModule({ code });
  const pipeline = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [bgl] }),
    compute: { module, entryPoint: 'main' },
  });
  pipelines.set(key, { pipeline, layout, bgl });
}

function bindGroup(bgl: GPUBindGroupLayout, layout: string, ids: number[]): GPUBindGroup {
  const k = `${layout}|${ids.join(',')}`;
  let bg = bindGroups.get(k);
  if (!bg) {
    if (bindGroups.size > 8192) bindGroups.clear();
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniforms, size: SLOT_BYTES } }];
    ids.forEach((id, i) => entries.push({ binding: i + 1, resource: { buffer: buffer(id) } }));
    bg = device.createBindGroup({ layout: bgl, entries });
    bindGroups.set(k, bg);
  }
  return bg;
}

function run(cmd: Cmd): void {
  switch (cmd.op) {
    case 'create':
      buffers.set(cmd.id, device.createBuffer({ size: cmd.size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }));
      return;
    case 'destroy':
      submit();
      for (const id of cmd.ids) {
        buffers.get(id)?.destroy();
        buffers.delete(id);
      }
      bindGroups.clear();
      return;
    case 'shader':
      makePipeline(cmd.key, cmd.code, cmd.layout);
      return;
    case 'dispatch': {
      const p = pipelines.get(cmd.key);
      if (!p) throw new Error(`internal error: no pipeline ${cmd.key}`);
      const ps = getPass();
      ps.setPipeline(p.pipeline);
      ps.setBindGroup(0, bindGroup(p.bgl, p.layout, cmd.bufs), [cmd.slot * SLOT_BYTES]);
      ps.dispatchWorkgroups(cmd.x, cmd.y, cmd.z);
      return;
    }
    case 'upload':
      // queue writes run before later submits: submit what was encoded so far to keep order
      submit();
      device.queue.writeBuffer(buffer(cmd.id), cmd.offset, cmd.data);
      return;
    case 'copy':
      endPass().copyBufferToBuffer(buffer(cmd.src), cmd.srcOffset, buffer(cmd.dst), cmd.dstOffset, cmd.size);
      return;
  }
}

function runBatch(cmds: Cmd[], data: ArrayBuffer | null): void {
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  try {
    if (data) {
      submit();
      device.queue.writeBuffer(uniforms, 0, data);
    }
    for (const c of cmds) run(c);
    submit();
  } catch (e) {
    report(e instanceof Error ? e.message : String(e));
    pass = null;
    encoder = null;
  }
  const scopes = [device.popErrorScope(), device.popErrorScope(), device.popErrorScope()];
  pendingScopes.push(
    Promise.all(scopes).then((errs) => {
      for (const e of errs) if (e) report(e.message);
    }),
  );
}

async function settle(): Promise<void> {
  const ps = pendingScopes;
  pendingScopes = [];
  await Promise.all(ps);
}

/** Bytes of the assert buffer: the code, value, dimension and size words. */
const ASSERT_BYTES = 16;

async function read(msg: Extract<ToWorker, { type: 'read' }>): Promise<void> {
  try {
    submit();
    const extra = msg.assert ? ASSERT_BYTES : 0;
    if (msg.size > 0 || extra > 0) {
      const staging = device.createBuffer({ size: msg.size + extra, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const enc = device.createCommandEncoder();
      if (msg.size > 0) enc.copyBufferToBuffer(buffer(msg.id), msg.offset, staging, 0, msg.size);
      // the assert words ride along in the same copy and map: no extra round trip
      if (extra) enc.copyBufferToBuffer(buffer(msg.assert), 0, staging, msg.size, ASSERT_BYTES);
      device.queue.submit([enc.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const mapped = staging.getMappedRange();
      if (msg.size > 0) new Uint8Array(msg.data, 0, msg.size).set(new Uint8Array(mapped, 0, msg.size));
      if (extra) {
        const words = new Int32Array(mapped, msg.size, 4);
        if (words[0] !== 0) {
          Atomics.store(ctrl, C.assertValue, words[1]!);
          Atomics.store(ctrl, C.assertDim, words[2]!);
          Atomics.store(ctrl, C.assertSize, words[3]!);
          Atomics.store(ctrl, C.assertCode, words[0]!);
          device.queue.writeBuffer(buffer(msg.assert), 0, new Int32Array(ASSERT_BYTES / 4));
        }
      }
      staging.unmap();
      staging.destroy();
    } else {
      await device.queue.onSubmittedWorkDone();
    }
    await settle();
  } catch (e) {
    report(e instanceof Error ? e.message : String(e));
  }
  Atomics.store(ctrl, C.readDone, 1);
  Atomics.notify(ctrl, C.readDone);
}

async function start(): Promise<void> {
  // loaded here so a missing or broken Dawn build reports "no adapter" instead of killing the thread
  const dawn = await import('webgpu');
  create = dawn.create;
  Object.assign(globalThis, dawn.globals);
  const adapter = await findAdapter();
  if (!adapter) {
    writeText(init.shared, init.allowSoftware ? 'no WebGPU adapter was found' : 'no hardware WebGPU adapter was found');
    Atomics.store(ctrl, C.state, -1);
    Atomics.notify(ctrl, C.state);
    return;
  }
  const limits = limitsOf(adapter);
  device = await adapter.requestDevice({ requiredLimits: limits });
  device.addEventListener('uncapturederror', (ev) => report((ev as GPUUncapturedErrorEvent).error.message));
  void device.lost.then((info) => {
    // overrides any pending error: the loss is what the main thread must learn about
    writeText(init.shared, `device lost (${info.reason}): ${info.message}`);
    Atomics.store(ctrl, C.lost, 1);
    Atomics.store(ctrl, C.error, 1);
    Atomics.notify(ctrl, C.lost);
  });
  uniforms = device.createBuffer({ size: SLOTS * SLOT_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const i = adapter.info;
  const rep: AdapterReport = {
    name: [i.description, i.device].filter((s) => s).join(' ') || 'WebGPU adapter',
    software: isSoftware(adapter),
    maxStorageBuffers: limits.maxStorageBuffersPerShaderStage ?? 4,
    maxWorkgroupStorage: limits.maxComputeWorkgroupStorageSize ?? 16384,
    maxInvocations: limits.maxComputeInvocationsPerWorkgroup ?? 256,
    maxBufferSize: Math.min(limits.maxBufferSize ?? 2 ** 28, limits.maxStorageBufferBindingSize ?? 2 ** 27),
  };
  writeText(init.shared, JSON.stringify(rep));
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'batch') runBatch(msg.cmds, msg.uniforms);
    else if (msg.type === 'read') void read(msg);
    else if (msg.type === 'lose') device.destroy();
    else if (msg.type === 'close') process.exit(0);
  });
  Atomics.store(ctrl, C.state, 1);
  Atomics.notify(ctrl, C.state);
}

start().catch((e: unknown) => {
  writeText(init.shared, `WebGPU failed to start: ${e instanceof Error ? e.message : String(e)}`);
  Atomics.store(ctrl, C.state, -1);
  Atomics.notify(ctrl, C.state);
});
