/**
 * Devices: `'cpu'`, and `'cuda'` / `'cuda:N'`, which torchlab maps to WebGPU adapters.
 * Device strings are canonicalised here and nowhere else.
 */

import type { Backend } from './backend.js';
import { RuntimeError } from './errors.js';

export type DeviceType = 'cpu' | 'cuda';

/**
 * `torch.device`: prints as PyTorch does, `device(type='cuda', index=0)`.
 * @example torch.device('cuda', 0); x.device.type // 'cpu'
 */
export class Device {
  /** @internal use torch.device() */
  constructor(
    readonly type: DeviceType,
    readonly index: number | null,
  ) {}

  /** `'cpu'` or `'cuda:0'`, the form tensor reprs print. @example String(torch.device('cuda', 0)) // 'cuda:0' */
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.index === null ? `device(type='${this.type}')` : `device(type='${this.type}', index=${this.index})`;
  }
}

export type DeviceLike = Device | string;

const cache = new Map<string, Device>();

function make(type: DeviceType, index: number | null): Device {
  const key = `${type}:${index}`;
  let d = cache.get(key);
  if (!d) cache.set(key, (d = new Device(type, index)));
  return d;
}

/**
 * `torch.device('cuda:0')`, `torch.device('cuda', 0)`, `torch.device('cpu')`.
 * Devices are interned: equal devices are the same object.
 * @example const device = torch.cuda.is_available() ? torch.device('cuda') : torch.device('cpu')
 */
export function device(spec: DeviceLike, index?: number): Device {
  if (spec instanceof Device) return spec;
  if (typeof spec !== 'string') throw new TypeError(`device() received an invalid combination of arguments: got (${typeof spec})`);
  const m = /^(cpu|cuda)(?::(\d+))?$/.exec(spec.trim());
  if (!m) {
    throw new RuntimeError(
      `Expected one of cpu, cuda device type at start of device string: ${spec}`,
    );
  }
  const type = m[1] as DeviceType;
  let idx: number | null = m[2] !== undefined ? Number(m[2]) : null;
  if (index !== undefined) {
    if (idx !== null) throw new RuntimeError(`type (string) must not include an index because index was passed explicitly: ${spec}`);
    if (!Number.isInteger(index) || index < 0) throw new RuntimeError(`Device index must not be negative`);
    idx = index;
  }
  if (type === 'cpu' && idx !== null && idx !== 0) throw new RuntimeError(`CPU device index must be -1 or zero, got ${idx}`);
  return make(type, type === 'cpu' ? null : idx);
}

/** The device tensors live on: cuda without an index means the current cuda device. */
export function tensorDevice(spec: DeviceLike): Device {
  const d = device(spec);
  if (d.type === 'cuda' && d.index === null) return make('cuda', currentCudaIndex);
  return d;
}

let currentCudaIndex = 0;
/** @internal torch.cuda.set_device */
export function setCurrentCudaIndex(i: number): void {
  currentCudaIndex = i;
}

export const cpu = make('cpu', null);

type BackendFactory = (index: number) => Backend;
const factories = new Map<string, BackendFactory>();

/** Backends register themselves by device type; the core looks them up here. */
export function registerBackend(type: DeviceType, factory: BackendFactory): void {
  factories.set(type, factory);
}

/** Whether a backend for `type` is registered (torch.cuda.is_available asks this). */
export function hasBackend(type: DeviceType): boolean {
  return factories.has(type);
}

export function backendFor(d: Device): Backend {
  const f = factories.get(d.type);
  if (!f) {
    throw new RuntimeError(
      `Torch not compiled with CUDA enabled: torchlab found no WebGPU backend for '${d}'. ` +
        `Use device 'cpu', or see torch.cuda.is_available().`,
    );
  }
  return f(d.index ?? 0);
}

let defaultDevice: Device = cpu;
/**
 * `torch.set_default_device(d)`: creation ops then allocate there.
 * @example torch.set_default_device('cuda'); torch.zeros(2).device // cuda:0
 */
export function set_default_device(d: DeviceLike | null): void {
  defaultDevice = d === null ? cpu : tensorDevice(d);
}
/** `torch.get_default_device()`. @example String(torch.get_default_device()) // 'cpu' */
export function get_default_device(): Device {
  return defaultDevice;
}
