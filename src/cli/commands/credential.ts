/** `aivault credential …`: wired to the registry engineer's operator API. */
import type { CommandHandler } from '../run-aivault.js';
import { operatorCommand } from '../wiring.js';

export const CREDENTIAL_COMMANDS: Record<string, CommandHandler> = new Proxy({} as Record<string, CommandHandler>, {
  get: (_t, name) => operatorCommand(`credential ${String(name)}`),
});
