/**
 * Rust's `io::Error` display for errno codes (Linux numbers), which the original prints, e.g.
 * `No such file or directory (os error 2)`. One table for the vault and its stores, the socket
 * transport and the CLI.
 */
const OS_ERROR_TEXT: Readonly<Record<string, string>> = {
  EPERM: 'Operation not permitted (os error 1)',
  ENOENT: 'No such file or directory (os error 2)',
  EIO: 'Input/output error (os error 5)',
  EACCES: 'Permission denied (os error 13)',
  EBUSY: 'Device or resource busy (os error 16)',
  EEXIST: 'File exists (os error 17)',
  EXDEV: 'Invalid cross-device link (os error 18)',
  ENOTDIR: 'Not a directory (os error 20)',
  EISDIR: 'Is a directory (os error 21)',
  EMFILE: 'Too many open files (os error 24)',
  ENOSPC: 'No space left on device (os error 28)',
  EROFS: 'Read-only file system (os error 30)',
  EPIPE: 'Broken pipe (os error 32)',
  ENAMETOOLONG: 'File name too long (os error 36)',
  ENOTEMPTY: 'Directory not empty (os error 39)',
  ELOOP: 'Too many levels of symbolic links (os error 40)',
  ENOTSOCK: 'Socket operation on non-socket (os error 88)',
  EADDRINUSE: 'Address in use (os error 98)',
  ECONNRESET: 'Connection reset by peer (os error 104)',
  ECONNREFUSED: 'Connection refused (os error 111)',
  EDQUOT: 'Disk quota exceeded (os error 122)',
};

/** The table's text for the error's `code`; `undefined` when it has no known errno code. */
export function knownOsErrorText(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && Object.hasOwn(OS_ERROR_TEXT, code) ? OS_ERROR_TEXT[code] : undefined;
}
