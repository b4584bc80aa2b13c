/**
 * `mtls` auth [B-AUTH-MTLS], Decisions 10/18: the secret's certificate and key go to the upstream
 * client's TLS options; connections are pooled per origin plus credential plus certificate, so
 * client identities are never shared. No placeholder header.
 */
import { digestHex } from '../_digest.js';
import { parseMtls } from '../secret-material.js';
import { passthrough, type AuthInput, type AuthOutput } from './types.js';

/** @see ../../../../shared/spec/broker.md §6.10 */
export async function renderMtlsAuth(input: AuthInput): Promise<AuthOutput> {
  const { certPem, keyPem } = parseMtls(input.secret);
  const fingerprint = (await digestHex(input.crypto, certPem)).slice(0, 32);
  const poolKey = `https://${input.authority} ${input.credential.id} ${fingerprint}`;
  return { ...passthrough(input), clientCertificate: { certPem, keyPem, poolKey }, secrets: [keyPem] };
}
