import type { KmsCredentialSource } from '../../../../shared/models/kms';
import type { CommandContext } from '../command';

/** How each credential source is chosen on `signet kms add`. */
const HOW: Record<KmsCredentialSource, string> = {
  default: 'default (no option)',
  profile: '--profile NAME',
  file: '--credentials-file FILE',
  keychain: '--keychain',
};

/** `signet kms --help`: the credential sources of each provider, from the core's provider table (no SDK is loaded). */
export async function credentialSourceLines(call: CommandContext['call']): Promise<string[]> {
  const providers = await call('kms.providers', {});
  if (!providers.ok) return [`Credential sources per provider: ${providers.message}`];
  const lines = ['Credential sources per provider (signet kms add NAME --provider ID …):'];
  for (const p of providers.value) {
    lines.push(
      `  ${p.id} (${p.name}): ${p.credentialSources.map((s) => (s === 'keychain' && p.secretFields.length ? `${HOW[s]} (fields ${p.secretFields.join(', ')})` : HOW[s])).join('; ')}`,
    );
    lines.push(`      default reads ${p.defaultCredentials}`);
  }
  return lines;
}
