import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { byLabel, byText, click, fakeBridge, render, settle, stubDialogs, type } from '../testing';
import { OcirSignatures } from './OcirSignatures';

beforeAll(stubDialogs);
const mounted: Array<() => void> = [];
afterEach(() => mounted.splice(0).forEach((unmount) => unmount()));

const registry = {
  id: 'iad-ocir-io',
  kind: 'distribution' as const,
  name: 'iad.ocir.io',
  host: 'iad.ocir.io',
  insecure: false,
  credentials: 'none' as const,
  ocir: { profile: 'DEFAULT', compartmentId: 'ocid1.compartment.oc1..aaaa' },
};
const digest = `sha256:${'ab'.repeat(32)}`;
const signature = (kms?: boolean) => ({
  id: 'ocid1.containerimagesignature.oc1.iad.0123456789abcdef',
  displayName: 'x',
  imageId: 'ocid1.containerimage.oc1.iad.i',
  kmsKeyId: 'ocid1.key.oc1.iad.key',
  kmsKeyVersionId: 'ocid1.keyversion.oc1.iad.v1',
  algorithm: 'SHA_256_RSA_PKCS_PSS',
  timeCreated: '2026-03-01T10:00:00.000Z',
  lifecycleState: 'AVAILABLE',
  description: 'release 1',
  metadata: { buildNumber: '123' },
  freeformTags: { stage: 'prod' },
  definedTags: { Ops: { Team: 'a' } },
  verdict: { status: 'invalid', reason: 'DIGEST_MISMATCH', detail: 'The message names sha256:cd…, not sha256:ab….' },
  trust: { status: 'not-checked', detail: 'Trust is judged only for a signature that verifies.' },
  ...(kms ? { kmsVerdict: { status: 'valid', detail: 'OCI Vault says the signature is valid.' } } : {}),
});

describe('OcirSignatures', () => {
  it.each([
    ['trusted', 'Verified', 'badge-ok'],
    ['untrusted', 'Signed, not trusted', 'badge-warn'],
  ] as const)('shows a signature that verifies with a %s key as %s', async (trust, words, badge) => {
    fakeBridge({
      'ocir.list': () => ({
        signatures: [
          {
            ...signature(false),
            verdict: { status: 'valid', reason: 'SIG_VALID_KMS_KEY', detail: 'RSA-PSS verifies.' },
            trust: { status: trust, detail: `the key is ${trust}` },
          },
        ],
        complete: true,
        region: 'us-ashburn-1',
        repositoryName: 'team/app',
      }),
    });
    const view = await render(<OcirSignatures registry={registry} repository="ns/team/app" digest={digest} />);
    mounted.push(view.unmount);
    await settle();
    const status = view.container.querySelector('[aria-label="OCIR signature list"] .badge')!;
    expect(status.textContent).toBe(words);
    expect(status.className).toContain(badge);
    expect(view.container.textContent).toContain(`the key is ${trust}`);
  });

  it('lists OCIR signatures with key, version, signed description and metadata, tags, date kind and the local verdict; asks OCI Vault on request', async () => {
    const { calls } = fakeBridge({
      'ocir.list': (input) => ({
        signatures: [signature((input as { kmsVerify?: boolean }).kmsVerify)],
        complete: true,
        region: 'us-ashburn-1',
        repositoryName: 'team/app',
      }),
    });
    const view = await render(<OcirSignatures registry={registry} repository="ns/team/app" digest={digest} />);
    mounted.push(view.unmount);
    await settle();
    const table = view.container.querySelector('[aria-label="OCIR signature list"]')!;
    const text = table.textContent ?? '';
    for (const part of [
      'ocid1.key.oc1.iad.key',
      'version ocid1.keyversion.oc1.iad.v1',
      'release 1',
      '{"buildNumber":"123"}',
      'stage=prod',
      'Ops.Team=a',
    ])
      expect(text).toContain(part);
    expect(text).toContain('seen at the registry');
    expect(text).toContain('Failed');
    expect(text).toContain('The message names sha256:cd…');
    expect(text).not.toContain('OCI Vault:');
    await click(byText(view.container, 'button', 'Ask OCI Vault')!);
    await settle();
    expect(view.container.querySelector('[aria-label="OCI Vault answer"]')?.textContent).toContain('valid');
    expect(calls.map((c) => c.input)).toEqual([
      { id: 'iad-ocir-io', repository: 'ns/team/app', digest },
      { id: 'iad-ocir-io', repository: 'ns/team/app', digest, kmsVerify: true },
    ]);
  });

  it('tags a signature (free-form and defined) and deletes it only once its id’s last 12 characters are typed', async () => {
    const { calls } = fakeBridge({
      'ocir.list': () => ({ signatures: [signature()], complete: true, region: 'us-ashburn-1', repositoryName: 'team/app' }),
      'ocir.tag': () => ({ id: signature().id, freeformTags: {}, definedTags: {} }),
      'ocir.delete': () => ({ deleted: signature().id }),
    });
    const view = await render(<OcirSignatures registry={registry} repository="ns/team/app" digest={digest} />);
    mounted.push(view.unmount);
    await settle();
    await click(byText(view.container, 'button', 'Tags and delete…'));
    const dialog = view.container.querySelector('dialog')!;
    await type(byLabel(dialog, 'Add or change tags'), 'owner=me Ops.CostCenter=42');
    await type(byLabel(dialog, 'Remove tags'), 'stage Ops.Team');
    await click(byText(dialog, 'button', 'Save tags'));
    await settle();
    const image = { id: 'iad-ocir-io', repository: 'ns/team/app', digest, signature: signature().id };
    expect(calls.find((c) => c.name === 'ocir.tag')?.input).toEqual({
      ...image,
      setFreeform: { owner: 'me' },
      setDefined: { Ops: { CostCenter: '42' } },
      removeFreeform: ['stage'],
      removeDefined: ['Ops.Team'],
    });
    await click(byText(view.container, 'button', 'Tags and delete…'));
    const again = view.container.querySelector('dialog')!;
    const del = byText(again, 'button', 'Delete signature') as HTMLButtonElement;
    expect(del.disabled).toBe(true);
    await type(byLabel(again, 'Type'), signature().id.slice(-12));
    expect(del.disabled).toBe(false);
    await click(del);
    await settle();
    expect(calls.find((c) => c.name === 'ocir.delete')?.input).toEqual(image);
  });

  it('signs for OCIR with one of Signet’s OCI Vault keys, a description and metadata', async () => {
    const uri = 'ocikms://vault-crypto.kms.us-ashburn-1.oraclecloud.com/ocid1.key.oc1.iad.key';
    const { calls } = fakeBridge({
      'ocir.list': () => ({ signatures: [], complete: true, region: 'us-ashburn-1', repositoryName: 'team/app' }),
      'keys.list': () => [{ id: 'k1', name: 'oci-release', uri }],
      'ocir.sign': () => signature(),
    });
    const view = await render(<OcirSignatures registry={registry} repository="ns/team/app" digest={digest} />);
    mounted.push(view.unmount);
    await settle();
    expect(view.container.textContent).toContain('OCIR has no signature of team/app@');
    await click(byText(view.container, 'button', 'Sign for OCIR…'));
    await settle();
    const dialog = view.container.querySelector('dialog')!;
    expect((byLabel(dialog, 'OCI Vault key') as HTMLInputElement).value).toBe(uri);
    await type(byLabel(dialog, 'Metadata'), '[1]');
    expect((byText(dialog, 'button', 'Sign') as HTMLButtonElement).disabled).toBe(true);
    await type(byLabel(dialog, 'Metadata'), '{"buildNumber":"123"}');
    await type(byLabel(dialog, 'Description'), 'release 1');
    await click(byText(dialog, 'button', 'Sign'));
    await settle();
    expect(calls.find((c) => c.name === 'ocir.sign')?.input).toEqual({
      id: 'iad-ocir-io',
      repository: 'ns/team/app',
      digest,
      key: uri,
      algorithm: 'SHA_256_RSA_PKCS_PSS',
      description: 'release 1',
      metadata: { buildNumber: '123' },
    });
  });
});
