/**
 * The Jupyter messaging protocol on the wire: connection files, message framing, HMAC signatures.
 * Shared by the kernel's socket thread and the test suite's client, so both sides agree byte for byte.
 */

import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';

/** The protocol version this kernel speaks (and writes into every header). */
export const PROTOCOL_VERSION = '5.3';

/** The frame that separates routing identities from the signed message parts. */
export const DELIMITER = Buffer.from('<IDS|MSG>');

/** The contents of a kernel connection file, as written by jupyter_client. */
export interface ConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export type JsonObject = { [key: string]: unknown };

/** One Jupyter message; `identities` are the ROUTER routing frames (empty on PUB/SUB and REQ). */
export interface Message<C = JsonObject> {
  identities: Uint8Array[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: JsonObject;
  content: C;
  buffers: Uint8Array[];
}

/** Reads and checks a connection file; throws with the offending key when one is missing. */
export function readConnectionFile(path: string): ConnectionInfo {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof raw !== 'object' || raw === null) throw new Error(`connection file ${path}: not a JSON object`);
  const obj = raw as JsonObject;
  const num = (k: string): number => {
    const v = obj[k];
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`connection file ${path}: '${k}' must be an integer`);
    return v;
  };
  const str = (k: string, dflt?: string): string => {
    const v = obj[k] ?? dflt;
    if (typeof v !== 'string') throw new Error(`connection file ${path}: '${k}' must be a string`);
    return v;
  };
  const info: ConnectionInfo = {
    transport: str('transport', 'tcp'),
    ip: str('ip', '127.0.0.1'),
    shell_port: num('shell_port'),
    iopub_port: num('iopub_port'),
    stdin_port: num('stdin_port'),
    control_port: num('control_port'),
    hb_port: num('hb_port'),
    key: str('key', ''),
    signature_scheme: str('signature_scheme', 'hmac-sha256'),
  };
  if (typeof obj.kernel_name === 'string') info.kernel_name = obj.kernel_name;
  return info;
}

/** The ZeroMQ endpoint of one channel: `tcp://ip:port`, or jupyter_client's `ipc://path-port`. */
export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === 'ipc' ? `ipc://${info.ip}-${port}` : `${info.transport}://${info.ip}:${port}`;
}

/** Signs and verifies message parts with the connection's key; an empty key disables signing, as in jupyter_client. */
export class Signer {
  private readonly algorithm: string | null;

  constructor(private readonly key: string, scheme = 'hmac-sha256') {
    if (key === '') {
      this.algorithm = null;
      return;
    }
    if (!scheme.startsWith('hmac-')) throw new Error(`unsupported signature scheme '${scheme}'`);
    this.algorithm = scheme.slice('hmac-'.length);
  }

  sign(parts: readonly Uint8Array[]): string {
    if (this.algorithm === null) return '';
    const h = createHmac(this.algorithm, this.key);
    for (const p of parts) h.update(p);
    return h.digest('hex');
  }

  verify(signature: string, parts: readonly Uint8Array[]): boolean {
    if (this.algorithm === null) return true;
    const want = Buffer.from(this.sign(parts), 'utf8');
    const got = Buffer.from(signature, 'utf8');
    return want.length === got.length && timingSafeEqual(want, got);
  }
}

/** A fresh header; `session` identifies the sender, as in jupyter_client's Session. */
export function newHeader(msgType: string, session: string, username = defaultUsername()): Header {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

let cachedUsername: string | undefined;
function defaultUsername(): string {
  if (cachedUsername === undefined) {
    try {
      cachedUsername = userInfo().username;
    } catch {
      // userInfo throws when the uid has no passwd entry (containers)
      cachedUsername = 'kernel';
    }
  }
  return cachedUsername;
}

/** The multipart frames of `msg`, signed. */
export function serialize(msg: Message<unknown>, signer: Signer): Buffer[] {
  const parts = [
    Buffer.from(JSON.stringify(msg.header), 'utf8'),
    Buffer.from(JSON.stringify(msg.parent_header), 'utf8'),
    Buffer.from(JSON.stringify(msg.metadata), 'utf8'),
    Buffer.from(JSON.stringify(msg.content), 'utf8'),
  ];
  const signature = signer.sign(parts);
  return [
    ...msg.identities.map((id) => Buffer.from(id)),
    DELIMITER,
    Buffer.from(signature, 'utf8'),
    ...parts,
    ...msg.buffers.map((b) => Buffer.from(b)),
  ];
}

export type ParseResult = { ok: true; msg: Message } | { ok: false; reason: string };

/** Parses received frames; a message whose signature does not match is refused, never half-trusted. */
export function parse(frames: readonly Buffer[], signer: Signer): ParseResult {
  const delim = frames.findIndex((f) => f.equals(DELIMITER));
  if (delim < 0) return { ok: false, reason: 'no <IDS|MSG> delimiter' };
  if (frames.length < delim + 6) return { ok: false, reason: `only ${frames.length - delim - 1} frames after the delimiter` };
  const signature = frames[delim + 1]!.toString('utf8');
  const parts = frames.slice(delim + 2, delim + 6);
  if (!signer.verify(signature, parts)) return { ok: false, reason: 'bad signature' };
  try {
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString('utf8')) as unknown);
    if (!isObject(header) || typeof header.msg_type !== 'string') return { ok: false, reason: 'header without msg_type' };
    return {
      ok: true,
      msg: {
        identities: frames.slice(0, delim),
        header: header as unknown as Header,
        parent_header: (isObject(parent) ? parent : {}) as Header | Record<string, never>,
        metadata: isObject(metadata) ? metadata : {},
        content: isObject(content) ? content : {},
        buffers: frames.slice(delim + 6),
      },
    };
  } catch (e) {
    return { ok: false, reason: `malformed JSON: ${(e as Error).message}` };
  }
}

/** Milliseconds since the epoch with sub-millisecond precision, comparable across worker threads. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
