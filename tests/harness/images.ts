import { createHash } from 'node:crypto';
import { RegistryClient } from '../../electron/core/registry/client';

const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface PushedImage {
  digest: string;
  platforms: Array<{ platform: string; digest: string }>;
}

/**
 * Pushes a small real image (config + one layer per platform; an OCI index when there are
 * several platforms) through the registry API.
 */
export async function pushTestImage(
  registryUrl: string,
  repository: string,
  tag: string,
  options: { platforms?: string[]; seed?: string; credentials?: { username: string; password: string }; layerBytes?: number } = {},
): Promise<PushedImage> {
  const client = new RegistryClient({
    registry: new URL(registryUrl).host,
    ...(options.credentials ? { credentials: async () => options.credentials } : {}),
  });
  const platforms = options.platforms ?? ['linux/amd64'];
  const manifests: Array<{ platform: string; digest: string; size: number; bytes: Buffer }> = [];
  for (const platform of platforms) {
    const [os, architecture] = platform.split('/') as [string, string];
    const layer = options.layerBytes
      ? filler(`layer ${repository} ${tag} ${platform} ${options.seed ?? ''}`, options.layerBytes)
      : Buffer.from(`layer ${repository} ${tag} ${platform} ${options.seed ?? ''}`);
    const config = Buffer.from(
      JSON.stringify({
        architecture,
        os,
        created: '2026-01-01T00:00:00Z',
        config: { Labels: { 'org.opencontainers.image.title': repository } },
        rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
      }),
    );
    await client.pushBlob(repository, layer);
    await client.pushBlob(repository, config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
      }),
    );
    manifests.push({ platform, digest: sha256(manifest), size: manifest.length, bytes: manifest });
  }
  if (manifests.length === 1) {
    const only = manifests[0] as (typeof manifests)[number];
    await client.pushManifest(repository, tag, only.bytes, 'application/vnd.oci.image.manifest.v1+json');
    return { digest: only.digest, platforms: [{ platform: only.platform, digest: only.digest }] };
  }
  for (const m of manifests) await client.pushManifest(repository, m.digest, m.bytes, 'application/vnd.oci.image.manifest.v1+json');
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: manifests.map((m) => {
        const [os, architecture] = m.platform.split('/') as [string, string];
        return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: m.digest, size: m.size, platform: { os, architecture } };
      }),
    }),
  );
  await client.pushManifest(repository, tag, index, 'application/vnd.oci.image.index.v1+json');
  return { digest: sha256(index), platforms: manifests.map((m) => ({ platform: m.platform, digest: m.digest })) };
}

/** `size` bytes that do not repeat in short cycles (SHA-256 in counter mode over a seed). */
function filler(seed: string, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let at = 0, n = 0; at < size; at += 32, n += 1)
    createHash('sha256')
      .update(`${seed}/${n}`)
      .digest()
      .copy(out, at, 0, Math.min(32, size - at));
  return out;
}
