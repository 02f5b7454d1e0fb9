import type { ParsedRequestOf } from '../../../shared/api';
import { SignetError } from '../../../shared/errors';
import type { LookedPlace, SignatureReport } from '../../../shared/models/signatures';
import type { RegistryConnections } from '../registry/handlers';
import type { CoreServices } from '../services';
import { reviewerSafe } from '../storage/handlers';
import { notationTrustFor } from '../trust/notation-trust';
import { signatureLockDirectory } from './cosign';
import { FORMATS } from './formats';
import type { Referrers, VerifyContext } from './formats/format';
import { chooseLookaside } from './lookaside/choose';
import { finishReport, signatureDate } from './report-fields';
import { collectTrust } from './trusted';
import { imageReferenceFor } from './verdict';
import { readTags } from './tags';

/** Where to look and what to trust, as `signatures.verify` takes them (delete and tag calls take the same places). */
export type InspectInput = Omit<ParsedRequestOf<'signatures.verify'>, 'requested'>;

export interface Inspected {
  ctx: VerifyContext;
  signatures: SignatureReport[];
  attestations: SignatureReport[];
  looked: LookedPlace[];
}

/**
 * Reads every signature of one manifest in every format, each verified against the trust store
 * (and the keys given): the one pipeline behind the report, delete and tags, so each finds the
 * signatures the report lists, by the same ids.
 */
export async function inspectImage(services: CoreServices, connections: RegistryConnections, input: InspectInput): Promise<Inspected> {
  if (services.readOnly && (input.lookaside || input.registriesD))
    throw new SignetError(
      'READ_ONLY',
      'In read-only reviewer mode Signet reads the lookaside saved with the registry or named by registries.d, not one given per call.',
    );
  if (input.asc) reviewerSafe(services, input.asc);
  const saved = await connections.saved.get(input.id);
  const source = await connections.source(input.id);
  const host = saved.kind === 'oci-layout' ? 'oci-layout' : saved.host;
  // A tag chooses the identity signatures must name (and a tag-scoped trust entry): it must point at this image now.
  if (input.tag) {
    const tagged = await source.manifest(input.repository, input.tag);
    const holds =
      tagged.digest === input.digest || (tagged.parsed.kind === 'index' && tagged.parsed.manifests.some((m) => m.digest === input.digest));
    if (!holds)
      throw new SignetError(
        'CONFLICT',
        `The tag ${input.tag} points to ${tagged.digest}, not to ${input.digest}; verify that image by its digest, or the tag.`,
      );
  }
  const imageReference = imageReferenceFor(
    host,
    input.repository,
    input.digest,
    input.reference ?? (input.tag ? `${host}/${input.repository}:${input.tag}` : undefined),
  );
  const trust = await collectTrust(services.dataDir, services.keys, {
    ...(input.publicKeys ? { publicKeys: input.publicKeys } : {}),
    ...(input.pgpKeys ? { pgpKeys: input.pgpKeys } : {}),
    ...(input.trustOnly ? { only: true } : {}),
    image: imageReference,
  });
  const lookaside = await chooseLookaside(input, saved, imageReference, false);
  // Notation signatures follow the imported Notation trust policy (scoped by host/repository, as notation scopes them).
  const notation = input.trustOnly ? undefined : await notationTrustFor(services.dataDir, `${host}/${input.repository}`);
  const looked: LookedPlace[] = [];
  let referrers: Promise<Referrers> | undefined;
  const ctx: VerifyContext = {
    source,
    registryLabel: saved.kind === 'oci-layout' ? 'layout' : saved.host,
    repository: input.repository,
    digest: input.digest,
    imageReference,
    trust,
    ...(notation ? { notation } : {}),
    ...(lookaside ? { lookaside } : {}),
    ...(input.asc ? { asc: await services.storage.open(input.asc) } : {}),
    referrers: () => (referrers ??= source.referrers(input.repository, input.digest)),
    look: (place) => looked.push(place),
    now: new Date(),
    lockDirectory: signatureLockDirectory(services.dataDir),
  };
  if (!lookaside)
    looked.push({
      kind: 'lookaside',
      place: 'no lookaside configured (none given, none saved with the registry, none in registries.d)',
      outcome: 'none',
    });
  const all: SignatureReport[] = [];
  for (const format of FORMATS) all.push(...(await format.verifyAll(ctx)).map(finishReport));
  // A referrer's tags (and creation time) sit on its descriptor in the referrers listing (read once already).
  if (all.some((r) => r.handle?.kind === 'referrer')) {
    const descriptors = await ctx.referrers().then(
      (r) => r.descriptors,
      () => [],
    );
    for (const [i, r] of all.entries()) {
      if (r.handle?.kind !== 'referrer') continue;
      const manifest = r.handle.manifest;
      const annotations = descriptors.find((d) => d.digest === manifest)?.annotations;
      const tags = readTags(annotations);
      // The referrer's creation time as the registry's listing records it (unsigned): the date of last resort.
      const created = Date.parse(annotations?.['org.opencontainers.image.created'] ?? '');
      const storedAt = Number.isFinite(created) ? new Date(created).toISOString() : undefined;
      const date = r.date ?? (storedAt ? signatureDate({ storedAt }) : undefined);
      all[i] = { ...r, ...(tags ? { tags } : {}), ...(storedAt ? { storedAt } : {}), ...(date ? { date } : {}) };
    }
  }
  return { ctx, signatures: all.filter((s) => s.kind === 'signature'), attestations: all.filter((s) => s.kind === 'attestation'), looked };
}
