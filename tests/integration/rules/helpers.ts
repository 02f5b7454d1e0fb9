import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RegistryClient } from '../../../electron/core/registry/client';
import type { RegistryHandle } from '../../harness';

export async function ok<T>(result: Promise<unknown>): Promise<T> {
  const r = (await result) as { ok: boolean; value?: T; code?: string; message?: string };
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.value as T;
}

/** Every cosign signature on a digest, each checked by openssl (a verifier nobody here wrote) against the key's public PEM. */
export async function cosignSignatures(
  registry: RegistryHandle,
  repository: string,
  digest: string,
  pem: string,
  check = true,
): Promise<{ count: number; verified: number; payloads: string[] }> {
  const client = new RegistryClient({ registry: registry.host });
  let manifest;
  try {
    manifest = JSON.parse((await client.manifest(repository, `${digest.replace(':', '-')}.sig`)).bytes.toString()) as {
      layers: Array<{ digest: string; annotations: Record<string, string> }>;
    };
  } catch {
    return { count: 0, verified: 0, payloads: [] };
  }
  if (!check) return { count: manifest.layers.length, verified: 0, payloads: [] };
  const dir = mkdtempSync(path.join(tmpdir(), 'signet-rules-openssl-'));
  writeFileSync(path.join(dir, 'pub.pem'), pem);
  let verified = 0;
  const payloads: string[] = [];
  for (const layer of manifest.layers) {
    const payload = await client.blob(repository, layer.digest, 65536);
    payloads.push(payload.toString());
    writeFileSync(path.join(dir, 'payload'), payload);
    writeFileSync(path.join(dir, 'sig'), Buffer.from(layer.annotations['dev.cosignproject.cosign/signature'] ?? '', 'base64'));
    const out = execFileSync('openssl', ['dgst', '-sha256', '-verify', 'pub.pem', '-signature', 'sig', 'payload'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (
      out.includes('Verified OK') &&
      (JSON.parse(payload.toString()) as { critical: { image: { 'docker-manifest-digest': string } } }).critical.image[
        'docker-manifest-digest'
      ] === digest
    )
      verified++;
  }
  return { count: manifest.layers.length, verified, payloads };
}
