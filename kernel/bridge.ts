/**
 * What the socket thread and the main thread say to each other. The sockets live in a worker so
 * that heartbeats, interrupts and output keep flowing while a cell blocks the main thread.
 */

import type { Header, JsonObject } from './protocol.js';

export type Channel = 'shell' | 'control' | 'iopub' | 'stdin';

/** A request the socket thread hands to the main thread, stamped with when it arrived. */
export interface IncomingRequest {
  channel: 'shell' | 'control';
  identities: Uint8Array[];
  header: Header;
  metadata: JsonObject;
  content: JsonObject;
  receivedAt: number;
}

/** A message the main thread asks the socket thread to sign and send. */
export interface Outgoing {
  channel: Channel;
  msg_type: string;
  content: unknown;
  parent: Header | Record<string, never>;
  identities?: Uint8Array[];
  metadata?: JsonObject;
}

export type ToMain =
  | { type: 'ready'; session: string }
  | { type: 'request'; request: IncomingRequest }
  | { type: 'interrupt'; serial: number }
  | { type: 'shutdown'; restart: boolean };

export type ToWorker =
  | { type: 'send'; messages: Outgoing[] }
  | { type: 'stream'; name: 'stdout' | 'stderr'; text: string; parent: Header | Record<string, never> }
  | { type: 'close' };

/** Data handed to the socket thread when it starts. */
export interface WorkerData {
  connectionFile: string;
  state: SharedArrayBuffer;
  stdin: SharedArrayBuffer;
  kernelInfo: JsonObject;
}

/**
 * Slots of the shared Int32Array: the serial of the cell to interrupt, the serial of the cell
 * running now (0: none), and an "attention" word that is nonzero while an interrupt is pending or
 * interrupted cells may still have code to run. Loops read only the attention word, the cheapest check.
 */
export const STATE_INTERRUPT = 0;
export const STATE_RUNNING = 1;
export const STATE_ATTENTION = 2;
export const STATE_SLOTS = 3;

/**
 * The interrupt target when no cell runs: whatever code holds the main thread (a timer callback a
 * cell left behind) is stopped at its next loop check.
 */
export const ANY_CODE = -1;

/**
 * The stdin mailbox: `input()` blocks the main thread (cells are synchronous code) until the socket
 * thread has put the `input_reply` here. Layout: Int32 status, Int32 byte length, then UTF-8 bytes.
 */
export const STDIN_IDLE = 0;
export const STDIN_WAITING = 1;
export const STDIN_REPLIED = 2;
export const STDIN_INTERRUPTED = 3;
export const STDIN_HEADER_BYTES = 8;
export const STDIN_CAPACITY = 1 << 20;

export function newStdinMailbox(): SharedArrayBuffer {
  return new SharedArrayBuffer(STDIN_HEADER_BYTES + STDIN_CAPACITY);
}
