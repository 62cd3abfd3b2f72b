/**
 * What the main thread and the WebGPU worker say to each other. The main thread owns buffer ids
 * and the pool; the worker owns the Dawn objects. Commands travel in batches (one postMessage per
 * batch); reads block the main thread on the control words of a SharedArrayBuffer.
 */

/** Bytes of one dispatch's uniform slot (a multiple of the dynamic-offset alignment every adapter accepts). */
export const SLOT_BYTES = 512;
/** Uniform slots per batch: a batch is flushed when they run out. */
export const SLOTS = 1024;

/** Control words (Int32 indices) at the start of the shared buffer. */
export const C = {
  /** 0 while the worker starts, 1 ready, -1 no adapter (message in the text area). */
  state: 0,
  /** Set to 1 by the worker when a read's bytes are in place. */
  readDone: 1,
  /** Non-zero when an uncaught GPU error is waiting to be thrown (message in the text area). */
  error: 2,
  /** Bytes of the message in the text area. */
  textLen: 3,
  /** Set to 1 by the worker when the device is lost (the error word is set too, with the message). */
  lost: 4,
  /** Non-zero: the code of a failed device-side assertion, found by a read that checked for one. */
  assertCode: 5,
  /** The value that failed it (an out-of-range index). */
  assertValue: 6,
  /** The dimension an index was checked against (index checks). */
  assertDim: 7,
  /** That dimension's size (the element count for take). */
  assertSize: 8,
} as const;
export const CONTROL_BYTES = 64;
export const TEXT_BYTES = 16384;
/** The shared buffer: control words, then the text area. Read data travels in its own buffer. */
export const SHARED_BYTES = CONTROL_BYTES + TEXT_BYTES;

export type Cmd =
  | { op: 'create'; id: number; size: number }
  | { op: 'destroy'; ids: number[] }
  | { op: 'shader'; key: string; code: string; layout: string }
  | { op: 'dispatch'; key: string; bufs: number[]; slot: number; x: number; y: number; z: number }
  | { op: 'upload'; id: number; offset: number; data: ArrayBuffer }
  | { op: 'copy'; src: number; srcOffset: number; dst: number; dstOffset: number; size: number };

export type ToWorker =
  | { type: 'batch'; cmds: Cmd[]; uniforms: ArrayBuffer | null }
  /** Destroys the GPUDevice (tests of device loss and recovery). */
  | { type: 'lose' }
  /** Ends the worker between messages (terminating it inside a Dawn call aborts the process). */
  | { type: 'close' }
  /**
   * Copies bytes of buffer `id` into `data` (size 0: waits for the queue). When `assert` names the
   * device's assert buffer, its words come back too (C.assertCode) and it is cleared.
   */
  | { type: 'read'; id: number; offset: number; size: number; data: SharedArrayBuffer; assert: number };

export interface WorkerInit {
  shared: SharedArrayBuffer;
  allowSoftware: boolean;
}

/** What the worker reports once it has (or has not) found an adapter. */
export interface AdapterReport {
  name: string;
  software: boolean;
  maxStorageBuffers: number;
  maxWorkgroupStorage: number;
  maxInvocations: number;
  maxBufferSize: number;
}

export function writeText(shared: SharedArrayBuffer, text: string): void {
  const bytes = new TextEncoder().encode(text).subarray(0, TEXT_BYTES);
  new Uint8Array(shared, CONTROL_BYTES, TEXT_BYTES).set(bytes);
  Atomics.store(new Int32Array(shared, 0, CONTROL_BYTES / 4), C.textLen, bytes.length);
}

export function readText(shared: SharedArrayBuffer): string {
  const n = Atomics.load(new Int32Array(shared, 0, CONTROL_BYTES / 4), C.textLen);
  // TextDecoder refuses views on shared memory: copy first
  return new TextDecoder().decode(new Uint8Array(shared, CONTROL_BYTES, n).slice());
}
