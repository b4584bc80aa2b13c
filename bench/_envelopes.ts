/**
 * The envelopes every scenario sends: `openai/chat-completions` with the body that picks the
 * mock's reply mode (see `children/upstream.ts`).
 */
import type { Envelope } from '../src/core/index.js';
import { CHAT_PATH, chatBody } from './_upstream.js';

export const CAPABILITY = 'openai/chat-completions';

const envelope = (model?: string): Envelope => ({
  capability: CAPABILITY,
  request: { method: 'POST', path: CHAT_PATH, headers: [{ name: 'content-type', value: 'application/json' }], body: chatBody(model) },
});

/** A small JSON chat completion. */
export const chatEnvelope = (): Envelope => envelope();
/** One SSE event at once, the end 5 ms later. */
export const ttfbEnvelope = (): Envelope => envelope('bench-ttfb');
/** `bytes` of body in 64 KiB writes. */
export const streamEnvelope = (bytes: number): Envelope => envelope(`bench-bytes-${bytes}`);
