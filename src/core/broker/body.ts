/**
 * Body modes (broker.md §3.4), the request size estimate [B-REQSIZE] and body encoding for the
 * wire (§10.2): text as UTF-8, file bytes, multipart through the platform's `FormData` encoder
 * (the boundary is random; the content type starts with `multipart/form-data;`).
 *
 * @see ../../../shared/spec/broker.md §3.4, §9.2, §10.2
 */
import { BrokerError, invalidRequest, policyViolation } from '../broker-error.js';
import { utf8Encode } from '../encoding.js';
import { basename, joinPath } from '../paths.js';
import type { FsPort } from '../ports.js';
import type { EnvelopeRequest } from './types.js';

export type BodyMode =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'multipart'; fields: Array<[string, string]>; files: Array<{ field: string; path: string }> }
  | { kind: 'file'; path: string }
  /** A passthrough caller's body, forwarded byte for byte (transports.md §4 note a). */
  | { kind: 'bytes'; bytes: Uint8Array };

export interface EncodedBody {
  bytes: Uint8Array | null;
  /** Set for multipart only: the encoder's own content type. */
  contentType?: string;
}

/** Number of body modes present (more than one is refused). */
export function countBodyModes(r: EnvelopeRequest): number {
  const text = r.body !== undefined && r.body !== null;
  const multipart = (r.multipart !== undefined && r.multipart !== null) || (r.multipartFiles?.length ?? 0) > 0;
  const file = r.bodyFilePath !== undefined && r.bodyFilePath !== null;
  return Number(text) + Number(multipart) + Number(file);
}

/** Resolves the single body mode (step 14). */
export function resolveBodyMode(r: EnvelopeRequest): BodyMode {
  if (countBodyModes(r) > 1) throw policyViolation('only one request body mode is allowed');
  if (r.body !== undefined && r.body !== null) return { kind: 'text', text: r.body };
  if (r.bodyFilePath !== undefined && r.bodyFilePath !== null) return { kind: 'file', path: r.bodyFilePath };
  if ((r.multipart !== undefined && r.multipart !== null) || (r.multipartFiles?.length ?? 0) > 0) {
    return { kind: 'multipart', fields: Object.entries(r.multipart ?? {}), files: [...(r.multipartFiles ?? [])] };
  }
  return { kind: 'empty' };
}

/** Resolves a caller-named file against the executing process's working directory. */
export function resolveFilePath(cwd: string, path: string): string {
  return path.startsWith('/') ? path : joinPath(cwd, path);
}

/** The estimate of §9.2 (not the encoded multipart size). */
export async function estimateBodySize(mode: BodyMode, fs: FsPort, cwd: string): Promise<number> {
  switch (mode.kind) {
    case 'empty':
      return 0;
    case 'text':
      return utf8Encode(mode.text).length;
    case 'bytes':
      return mode.bytes.length;
    case 'file':
      return fileSize(fs, resolveFilePath(cwd, mode.path), 'bodyFilePath not accessible');
    case 'multipart': {
      let total = 0;
      for (const [k, v] of mode.fields) total += utf8Encode(k).length + utf8Encode(v).length;
      for (const f of mode.files) {
        total += utf8Encode(f.field).length + (await fileSize(fs, resolveFilePath(cwd, f.path), 'multipart file path not accessible'));
      }
      return total;
    }
  }
}

/** Encodes the body for the wire; file read failures are plain execution errors. */
export async function encodeBody(mode: BodyMode, fs: FsPort, cwd: string): Promise<EncodedBody> {
  switch (mode.kind) {
    case 'empty':
      return { bytes: null };
    case 'text':
      return { bytes: utf8Encode(mode.text) };
    case 'bytes':
      return { bytes: mode.bytes };
    case 'file':
      return { bytes: await readCallerFile(fs, cwd, mode.path) };
    case 'multipart': {
      const form = new FormData();
      for (const [k, v] of mode.fields) form.append(k, v);
      for (const f of mode.files) {
        const bytes = await readCallerFile(fs, cwd, f.path);
        const name = basename(f.path);
        form.append(f.field, new Blob([new Uint8Array(bytes)], { type: guessContentType(name) }), name);
      }
      const encoded = new Response(form);
      const contentType = encoded.headers.get('content-type') ?? 'multipart/form-data';
      return { bytes: new Uint8Array(await encoded.arrayBuffer()), contentType };
    }
  }
}

const TYPES: Record<string, string> = {
  json: 'application/json',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  xml: 'application/xml',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  webm: 'video/webm',
  mp4: 'video/mp4',
  zip: 'application/zip',
};

/** Content type from the file extension; unknown → `application/octet-stream`. */
export function guessContentType(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot < 0 ? undefined : TYPES[name.slice(dot + 1).toLowerCase()]) ?? 'application/octet-stream';
}

// --- internal ---

async function fileSize(fs: FsPort, path: string, message: string): Promise<number> {
  try {
    const s = await fs.stat(path);
    if (!s.isFile()) throw new Error('not a file');
    return s.size;
  } catch {
    throw invalidRequest(message);
  }
}

async function readCallerFile(fs: FsPort, cwd: string, path: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(resolveFilePath(cwd, path));
  } catch {
    throw new BrokerError({ code: 'upstream_error', message: `failed to read file '${path}'` });
  }
}
