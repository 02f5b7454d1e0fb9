import type { PolicyEvaluation, SignatureOutcome } from '../../../shared/models/trust';
import type { LookedPlace, SignatureReport } from '../../../shared/models/signatures';
import { SignetError } from '../../../shared/errors';
import type { RegistryConnections } from '../registry/handlers';
import { notationFormat } from '../signatures/formats/notation';
import { emptyTrust } from '../signatures/trusted';
import { applicableStatement, levelLabel, type NotationPolicyDocument } from './notation-policy';
import { notationTrustFrom } from './notation-trust';
import type { TrustEntry } from '../../../shared/models/trust';

/** Whether notation would accept this signature: no enforced check failed (logged failures do not block), and nothing left unverifiable. */
const admits = (r: SignatureReport) =>
  !r.checks.some((c) => c.status === 'failed') && !r.checks.some((c) => c.code === 'FORMAT_NOT_VERIFIABLE');

function outcomeOf(r: SignatureReport): SignatureOutcome {
  const deciding = r.checks.find((c) => c.status === 'failed') ?? r.checks.find((c) => c.code === r.code);
  const logged = r.checks.filter((c) => c.status === 'logged').map((c) => `${c.name} (${c.code}, logged)`);
  return {
    source: r.storage,
    format: 'notation',
    outcome: admits(r) ? 'accepted' : 'rejected',
    code: r.code,
    reason: `${admits(r) ? `Every enforced check passed${r.signer ? `; signed by ${r.signer}` : ''}${r.notation?.anchor ? `, anchored by ${r.notation.anchor}` : ''}.` : (deciding?.reason ?? r.code)}${logged.length ? ` Logged only: ${logged.join(', ')}.` : ''}${r.notation?.policy.decidingCheck ? ` [deciding check: ${r.notation.policy.decidingCheck}]` : ''}`,
    ...(r.fingerprint ? { signer: r.fingerprint } : {}),
  };
}

/**
 * What `notation verify` would decide for an image under a Notation trust policy: the statement
 * whose registryScopes cover `host/repository` (exact first, then `*`), its level and overrides,
 * the trust store's named stores; admitted when one signature passes every enforced check (a
 * skip level admits without looking), rejected when none does or none is there. Each signature is
 * listed with the check that decided it.
 */
export async function evaluateNotationPolicy(
  doc: NotationPolicyDocument,
  policyName: string,
  entries: readonly TrustEntry[],
  connections: RegistryConnections,
  image: { id: string; repository: string; reference: string },
  now = new Date(),
): Promise<PolicyEvaluation> {
  const saved = await connections.saved.get(image.id);
  const source = await connections.source(image.id);
  const host = saved.kind === 'oci-layout' ? 'oci-layout' : saved.host;
  const manifest = await source.manifest(image.repository, image.reference);
  const artifactPath = `${host}/${image.repository}`;
  const identity = `${artifactPath}@${manifest.digest}`;
  const statement = applicableStatement(doc, artifactPath);
  if (!statement)
    return {
      allowed: false,
      transport: 'docker',
      identity,
      section: { kind: 'default' },
      requirements: [],
      reason: `No statement of the Notation trust policy "${policyName}" has a registry scope covering ${artifactPath}: notation refuses the image.`,
    };
  const section = { kind: 'scope' as const, scope: statement.registryScopes.includes(artifactPath) ? artifactPath : '*' };
  const summary = `statement "${statement.name}": ${levelLabel(statement)}${statement.trustStores.length ? `; stores ${statement.trustStores.join(', ')}` : ''}${statement.trustedIdentities.length ? `; identities ${statement.trustedIdentities.join(' | ')}` : ''}`;
  if (statement.level === 'skip') {
    return {
      allowed: true,
      transport: 'docker',
      identity,
      section,
      requirements: [
        {
          index: 0,
          type: 'notation',
          summary,
          outcome: 'admitted',
          reason: 'The level is skip: notation does not verify signatures on this image.',
          signatures: [],
        },
      ],
      reason: `The Notation statement "${statement.name}" skips verification for ${artifactPath}.`,
    };
  }
  const trust = notationTrustFrom(doc, policyName, entries, artifactPath);
  const looked: LookedPlace[] = [];
  const reports = await notationFormat.verifyAll({
    source,
    registryLabel: saved.kind === 'oci-layout' ? 'layout' : saved.host,
    repository: image.repository,
    digest: manifest.digest,
    imageReference: identity,
    trust: emptyTrust(),
    notation: trust,
    referrers: () => source.referrers(image.repository, manifest.digest),
    look: (place) => looked.push(place),
    now,
  });
  const unreadable = looked.find((l) => l.outcome === 'unreadable');
  if (!reports.length && unreadable)
    throw new SignetError('REGISTRY_ERROR', `Could not read ${unreadable.place}: ${unreadable.reason ?? 'error'}`);
  const signatures = reports.map(outcomeOf);
  const accepted = reports.find(admits);
  const reason = accepted
    ? `A Notation signature passes every check the level "${levelLabel(statement)}" enforces.`
    : reports.length
      ? `No Notation signature passes the checks the level "${levelLabel(statement)}" enforces.`
      : `No Notation signature is associated with ${identity}.`;
  return {
    allowed: Boolean(accepted),
    transport: 'docker',
    identity,
    section,
    requirements: [{ index: 0, type: 'notation', summary, outcome: accepted ? 'admitted' : 'rejected', reason, signatures }],
    reason: `${accepted ? 'Admitted' : 'Rejected'} by the Notation trust policy "${policyName}", ${summary}. ${reason}`,
  };
}
