/**
 * `provider list`: the official provider plugins. Decision 17: the Postgres plugin is out of
 * scope for now, so the catalogue is empty.
 *
 * @see ../../../../../shared/spec/cli.md §10, Decision 17
 */

/** One official plugin's status (cli.md §10); none exist in this build. */
export interface ProviderPluginStatus {
  id: string;
  version: string;
  official: true;
  installed: boolean;
  enabled: boolean;
  installDir: string | null;
  executable: string | null;
  bundledBinary: string | null;
  capabilities: string[];
}

export function listProviders(): { providers: ProviderPluginStatus[] } {
  return { providers: [] };
}
