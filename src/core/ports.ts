/**
 * The ports through which the pure core reaches the outside world. Every factory in core
 * takes these explicitly; a missing port is a construction error, never a silent default.
 * Node implementations are assembled once, at the edge (`src/transport-inproc/node-ports.ts`).
 */

export interface FileStat {
  isFile(): boolean;
  isDirectory(): boolean;
  size: number;
  mtimeMs: number;
  mode: number;
  /** Inode number when the port knows it: lets stat-validated caches notice a file replaced by rename. */
  ino?: number;
}

export interface FileHandlePort {
  writeFile(data: Uint8Array | string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A file kept open for appending (`FsPort.openAppend`): every `write` lands at the end of the file. */
export interface AppendHandlePort {
  write(data: Uint8Array): Promise<void>;
  /** The open file's own stat (not the path's): its `ino` tells whether the path still names it. */
  stat(): Promise<FileStat>;
  close(): Promise<void>;
}

/** The narrow subset of `fs/promises` the core calls; node's and memfs's both satisfy it via `toFsPort`. */
export interface FsPort {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array | string, options?: { mode?: number }): Promise<void>;
  appendFile(path: string, data: Uint8Array | string): Promise<void>;
  open(path: string, flags: string, mode?: number): Promise<FileHandlePort>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean; mode?: number }): Promise<unknown>;
  chmod(path: string, mode: number): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<FileStat>;
  rm(path: string, options?: { recursive?: boolean; force?: boolean }): Promise<void>;
  /**
   * Opens (creating, mode 0600) a file for appending and keeps it open. Optional: where absent,
   * appenders call `appendFile` per batch (open/write/close each time).
   * @see ./vault/audit-log.ts
   */
  openAppend?(path: string): Promise<AppendHandlePort>;
  /**
   * Watches a DIRECTORY: `onChange` gets the changed child's name (`null` when unknown) for every
   * change inside it; `onError` when the watch fails or ends (then it reports nothing more). Returns
   * a stop function. Must not keep the process alive. Absent: caches validate by `stat` instead.
   * @see ./stat-watch.ts
   */
  watch?(path: string, onChange: (name: string | null) => void, onError: () => void): () => void;
}

/** Milliseconds since the Unix epoch. Tests use a manual clock. */
export interface Clock {
  now(): number;
}

/** A read-only snapshot of environment variables. Only bins and transports build one. */
export type EnvMap = Readonly<Record<string, string | undefined>>;

/** WebCrypto: `globalThis.crypto` or `new Crypto()` from `@peculiar/webcrypto`. */
export type CryptoPort = Crypto;

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

export interface UpstreamRequest {
  /** Absolute `https://` URL, query included. Never logged: it may carry query/path auth. */
  url: string;
  method: string;
  /** Exactly the headers to send, plus framing the client adds itself. */
  headers: HeaderList;
  body: Uint8Array | AsyncIterable<Uint8Array> | null;
  signal?: AbortSignal;
  /** mTLS client identity; connections with an identity are pooled per origin plus identity. */
  clientCertificate?: { certPem: string; keyPem: string; poolKey: string };
}

export interface UpstreamResponse {
  status: number;
  /** One entry per header line, names lower-cased. */
  headers: HeaderList;
  /** Raw body bytes, never decompressed. */
  body: AsyncIterable<Uint8Array>;
}

/**
 * The upstream HTTP client. Redirects are never followed; the production implementation
 * (undici) checks the resolved address against the SSRF deny list at connect time.
 */
export type UpstreamPort = (request: UpstreamRequest) => Promise<UpstreamResponse>;
