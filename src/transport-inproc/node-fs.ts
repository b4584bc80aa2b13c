/**
 * `node:fs/promises` narrowed to the core's `FsPort`. Its own module so that commands which only
 * touch files (operator commands) do not load the upstream client.
 */
import { watch as fsWatch } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { FsPort } from '../core/index.js';

/** `fs/promises` narrowed to the `FsPort` shape. */
export const nodeFs: FsPort = {
  readFile: (path) => fsp.readFile(path),
  writeFile: (path, data, options) => fsp.writeFile(path, data, options?.mode === undefined ? undefined : { mode: options.mode }),
  appendFile: (path, data) => fsp.appendFile(path, data),
  open: async (path, flags, mode) => {
    const handle = await fsp.open(path, flags, mode);
    return {
      writeFile: (data) => handle.writeFile(data),
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
  openAppend: async (path) => {
    const handle = await fsp.open(path, 'a', 0o600);
    return {
      write: async (data) => {
        // 'a' appends every write at the end; loop over short writes
        for (let at = 0; at < data.length; ) at += (await handle.write(data, at, data.length - at)).bytesWritten;
      },
      stat: async () => {
        const s = await handle.stat();
        return { isFile: () => s.isFile(), isDirectory: () => s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs, mode: s.mode, ino: s.ino };
      },
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fsp.rename(from, to),
  mkdir: (path, options) => fsp.mkdir(path, options),
  chmod: (path, mode) => fsp.chmod(path, mode),
  readdir: (path) => fsp.readdir(path),
  stat: async (path) => {
    const s = await fsp.stat(path);
    return { isFile: () => s.isFile(), isDirectory: () => s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs, mode: s.mode, ino: s.ino };
  },
  rm: (path, options) => fsp.rm(path, options),
  watch: (path, onChange, onError) => {
    const watcher = fsWatch(path, { persistent: false }, (_event, name) => onChange(typeof name === 'string' ? name : null));
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      watcher.close();
      onError();
    };
    watcher.on('error', end);
    watcher.on('close', () => {
      if (!ended) {
        ended = true;
        onError();
      }
    });
    return () => {
      ended = true;
      watcher.close();
    };
  },
};
