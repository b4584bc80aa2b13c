/**
 * `aws_sig_v4` auth [B-AUTH-AWS], Decision 10: nothing at planning time; at execution time the
 * final request (body bytes included) is signed and `x-amz-date`, `x-amz-content-sha256`,
 * `x-amz-security-token` (with a session token) and `authorization` are appended.
 */
import { digestHex } from '../_digest.js';
import type { Header } from '../headers.js';
import { parseAws } from '../secret-material.js';
import { amzDate, signSigV4 } from '../sigv4.js';
import { passthrough, type AuthInput, type AuthOutput, type WireRequest } from './types.js';

/** @see ../../../../shared/spec/broker.md §6.8 */
export function renderAwsSigV4Auth(config: { service: string; region: string }, input: AuthInput): AuthOutput {
  const material = parseAws(input.secret);
  const sign = async (wire: WireRequest): Promise<Header[]> => {
    const payloadHash = await digestHex(input.crypto, wire.body);
    const added: Header[] = [
      ['x-amz-date', amzDate(input.clock.now())],
      ['x-amz-content-sha256', payloadHash],
    ];
    if (material.sessionToken !== undefined) added.push(['x-amz-security-token', material.sessionToken]);
    const signed = await signSigV4(input.crypto, {
      method: wire.method,
      path: wire.path,
      query: wire.query,
      headers: [['host', wire.authority], ...wire.headers, ...added],
      payloadHash,
      accessKeyId: material.accessKeyId,
      secretAccessKey: material.secretAccessKey,
      region: config.region.trim(),
      service: config.service.trim(),
      amzDate: added[0]![1],
    });
    return [...added, ['authorization', signed.authorization]];
  };
  const secrets = [material.secretAccessKey, ...(material.sessionToken === undefined ? [] : [material.sessionToken])];
  return { ...passthrough(input), sign, secrets };
}
