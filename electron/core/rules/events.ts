/**
 * Registry push events, read from the two shapes registries send:
 * - the CNCF distribution notification envelope (`application/vnd.docker.distribution.events.v1+json`:
 *   `{ events: [{ id, action: "push", target: { mediaType, digest, repository, tag? } }] }`), which
 *   Debian's docker-registry sends from its `notifications: endpoints:` configuration;
 * - Harbor's `PUSH_ARTIFACT` webhook, Default (`{ type: "PUSH_ARTIFACT", event_data: { resources:
 *   [{ digest, tag, resource_url }], repository: { repo_full_name } } }`) or CloudEvents
 *   (`{ specversion: "1.0", id, type: "harbor.artifact.pushed", data: { resources, repository } }`).
 * Only pushes of manifests are kept; an event is a hint that names an image, never proof of one.
 */

export interface PushEvent {
  /** The delivery's event id, when it has one (replays carry the same id). */
  id?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const MANIFEST_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/;
const MAX_EVENTS = 1000;

const str = (v: unknown, max = 512): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** A well-formed push, or nothing: names that are not repository names, tags or digests are dropped. */
function checked(e: {
  id?: string | undefined;
  repository?: string | undefined;
  tag?: string | undefined;
  digest?: string | undefined;
}): PushEvent | undefined {
  if (!e.repository || e.repository.length > 255 || !REPOSITORY.test(e.repository)) return undefined;
  // Harbor writes the digest as the "tag" of an image pushed by digest.
  const tag = e.tag && TAG.test(e.tag) ? e.tag : undefined;
  const digest = e.digest && DIGEST.test(e.digest) ? e.digest : undefined;
  if (!tag && !digest) return undefined;
  return { ...(e.id ? { id: e.id } : {}), repository: e.repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export type ParsedEvents =
  { kind: 'distribution' | 'harbor' | 'harbor-cloudevents'; pushes: PushEvent[]; ignored: number } | { kind: 'unknown'; reason: string };

export function parsePushEvents(body: unknown): ParsedEvents {
  const doc = obj(body);
  if (!doc) return { kind: 'unknown', reason: 'the body is not a JSON object' };
  if (Array.isArray(doc.events)) {
    const pushes: PushEvent[] = [];
    let ignored = 0;
    for (const raw of doc.events.slice(0, MAX_EVENTS)) {
      const e = obj(raw);
      const target = obj(e?.target);
      if (!e || !target || e.action !== 'push' || !MANIFEST_TYPES.has(String(target.mediaType))) {
        ignored++;
        continue;
      }
      const push = checked({
        id: str(e.id, 128),
        repository: str(target.repository, 255),
        tag: str(target.tag, 128),
        digest: str(target.digest, 200),
      });
      if (push) pushes.push(push);
      else ignored++;
    }
    return { kind: 'distribution', pushes, ignored: ignored + Math.max(0, doc.events.length - MAX_EVENTS) };
  }
  const cloud = doc.specversion !== undefined;
  const type = str(doc.type, 100);
  if (cloud ? type !== 'harbor.artifact.pushed' : type !== 'PUSH_ARTIFACT')
    return { kind: 'unknown', reason: `not a push event (${type ?? 'no type'})` };
  const data = obj(cloud ? doc.data : doc.event_data);
  const repository = str(obj(data?.repository)?.repo_full_name, 255);
  const resources = Array.isArray(data?.resources) ? data.resources.slice(0, MAX_EVENTS) : [];
  const id = cloud ? str(doc.id, 128) : undefined;
  const pushes: PushEvent[] = [];
  let ignored = 0;
  for (const [i, raw] of resources.entries()) {
    const r = obj(raw);
    const push = r
      ? checked({ id: id ? `${id}#${i}` : undefined, repository, tag: str(r.tag, 200), digest: str(r.digest, 200) })
      : undefined;
    if (push) pushes.push(push);
    else ignored++;
  }
  return { kind: cloud ? 'harbor-cloudevents' : 'harbor', pushes, ignored };
}
