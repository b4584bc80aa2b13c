/**
 * The `file` key provider: the base64 KEK in a key file, read on every key access.
 *
 * @see ../../../../../shared/spec/vault.md §5.1
 */
import { atomicWriteFile } from '../../atomic-write.js';
import { utf8DecodeStrict, utf8Encode, wipe } from '../../encoding.js';
import { dirname } from '../../paths.js';
import type { VaultContext } from '../_context.js';
import { stagingOptions } from '../_context.js';
import { encodeKeyText, KEK_BYTES, parseKeyText } from '../kek.js';
import { osErrorText, providerError } from '../vault-errors.js';
import { randomBytes } from '../_crypto-helpers.js';

/** Reads and parses the key file (`failed to read key file: <os error>`). Caller wipes. */
export async function readKeyFile(ctx: Pick<VaultContext, 'fs'>, path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await ctx.fs.readFile(path);
  } catch (error) {
    throw providerError(`failed to read key file: ${osErrorText(error)}`, error);
  }
  const text = utf8DecodeStrict(bytes);
  wipe(bytes);
  if (text === null) throw providerError('invalid vault key (expected base64 or 64-char hex for 32 bytes)');
  return parseKeyText(text);
}

/** Writes the key file atomically (0600, failure aborts); parent dir 0700 best-effort. */
export async function writeKeyFile(ctx: VaultContext, path: string, kek: Uint8Array): Promise<void> {
  const parent = dirname(path);
  await ctx.fs.mkdir(parent, { recursive: true, mode: 0o700 }).catch(() => undefined);
  await ctx.fs.chmod(parent, 0o700).catch(() => undefined);
  const text = utf8Encode(encodeKeyText(kek));
  try {
    await atomicWriteFile(ctx.fs, path, text, stagingOptions(ctx, 0o600));
  } finally {
    wipe(text);
  }
}

/**
 * Init: reuse a readable, valid key file; otherwise generate a fresh KEK and write it.
 * Caller wipes the result.
 */
export async function initKeyFile(ctx: VaultContext, path: string): Promise<Uint8Array> {
  try {
    return await readKeyFile(ctx, path);
  } catch {
    const kek = randomBytes(ctx.crypto, KEK_BYTES);
    await writeKeyFile(ctx, path, kek);
    return kek;
  }
}
