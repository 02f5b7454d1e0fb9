import { SignetError } from '../../../shared/errors';
import { parseStrictJson } from '../json/strict';
import { isDigest } from './digest';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
} as const;

export const MANIFEST_ACCEPT = [MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerManifest, MEDIA.dockerList].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
  artifactType?: string;
}

export interface ParsedManifest {
  kind: 'manifest' | 'index';
  mediaType: string;
  artifactType?: string;
  config?: Descriptor;
  layers: Descriptor[];
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations: Record<string, string>;
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList;
}

/** Parses a manifest or index strictly; its descriptors must carry valid digests and sizes. */
export function parseManifest(bytes: Uint8Array, headerType?: string): ParsedManifest {
  const doc = parseStrictJson(bytes, 'The manifest') as Record<string, unknown>;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new SignetError('MALFORMED', 'The manifest is not a JSON object.');
  if (doc.schemaVersion !== 2) throw new SignetError('UNSUPPORTED', 'Only schema version 2 manifests are supported.');
  const mediaType =
    typeof doc.mediaType === 'string' ? doc.mediaType : (headerType ?? (Array.isArray(doc.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest));
  if (
    typeof doc.mediaType === 'string' &&
    headerType &&
    headerType.split(';')[0] !== doc.mediaType &&
    headerType !== 'application/octet-stream'
  ) {
    throw new SignetError('MALFORMED', `The registry says ${headerType} but the manifest says ${doc.mediaType}.`);
  }
  const kind = isIndexType(mediaType) ? 'index' : 'manifest';
  const list = (value: unknown, field: string): Descriptor[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new SignetError('MALFORMED', `The manifest's ${field} is not a list.`);
    if (value.length > 10_000) throw new SignetError('TOO_LARGE', `The manifest lists more than 10,000 ${field}.`);
    return value.map((d, i) => descriptor(d, `${field}[${i}]`));
  };
  const annotations = stringMap(doc.annotations, 'annotations');
  return {
    kind,
    mediaType,
    ...(typeof doc.artifactType === 'string' ? { artifactType: doc.artifactType } : {}),
    ...(doc.config !== undefined ? { config: descriptor(doc.config, 'config') } : {}),
    layers: list(doc.layers, 'layers'),
    manifests: list(doc.manifests, 'manifests'),
    ...(doc.subject !== undefined ? { subject: descriptor(doc.subject, 'subject') } : {}),
    annotations,
  };
}

function descriptor(value: unknown, where: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw new SignetError('MALFORMED', `The manifest's ${where} is not a descriptor.`);
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || !isDigest(d.digest) || typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new SignetError('MALFORMED', `The manifest's ${where} has a bad media type, digest or size.`);
  }
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.annotations !== undefined) out.annotations = stringMap(d.annotations, `${where}.annotations`);
  if (typeof d.artifactType === 'string') out.artifactType = d.artifactType;
  if (d.platform !== undefined) {
    const p = d.platform as Record<string, unknown>;
    if (typeof p?.os !== 'string' || typeof p.architecture !== 'string')
      throw new SignetError('MALFORMED', `The manifest's ${where}.platform is incomplete.`);
    out.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) };
  }
  return out;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SignetError('MALFORMED', `The manifest's ${where} is not an object.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SignetError('MALFORMED', `The manifest's ${where}.${k} is not a string.`);
    out[k] = v;
  }
  return out;
}

export function platformName(p: { os: string; architecture: string; variant?: string } | undefined): string {
  return p ? `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}` : 'unknown';
}
