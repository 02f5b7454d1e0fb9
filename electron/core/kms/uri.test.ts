import { describe, expect, it } from 'vitest';
import { SignetError } from '../../../shared/errors';
import { looksLikeKeyUri, parseKmsUri, withVersion } from './uri';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('KMS key URIs', () => {
  it.each([
    ['awskms:///1234abcd-12ab-34cd-56ef-1234567890ab', { provider: 'awskms', keyId: KEY_ID, form: 'id' }],
    ['awskms://localhost:4566/1234abcd-12ab-34cd-56ef-1234567890ab', { provider: 'awskms', endpoint: 'localhost:4566', keyId: KEY_ID }],
    ['awskms:///mrk-1234abcd12ab34cd56ef1234567890ab', { provider: 'awskms', form: 'id' }],
    ['awskms:///alias/release/prod_1', { provider: 'awskms', keyId: 'alias/release/prod_1', form: 'alias' }],
    [
      `awskms:///arn:aws:kms:eu-central-1:111122223333:key/${KEY_ID}`,
      { provider: 'awskms', region: 'eu-central-1', account: '111122223333', form: 'arn' },
    ],
    ['awskms:///arn:aws-cn:kms:cn-north-1:111122223333:alias/release', { provider: 'awskms', region: 'cn-north-1', form: 'alias-arn' }],
    ['awskms:///arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/release', { provider: 'awskms', region: 'us-gov-west-1' }],
    [
      'gcpkms://projects/my-project/locations/europe-west1/keyRings/ring/cryptoKeys/key',
      { provider: 'gcpkms', project: 'my-project', location: 'europe-west1', keyRing: 'ring', key: 'key' },
    ],
    [
      'gcpkms://projects/my-project/locations/global/keyRings/ring/cryptoKeys/key/cryptoKeyVersions/3',
      { provider: 'gcpkms', version: '3' },
    ],
    ['gcpkms://projects/my-project/locations/global/keyRings/ring/cryptoKeys/key/versions/3', { provider: 'gcpkms', version: '3' }],
    ['azurekms://my-vault.vault.azure.net/release', { provider: 'azurekms', vaultHost: 'my-vault.vault.azure.net', key: 'release' }],
    [
      'azurekms://myvault.vault.azure.cn/release/0123456789abcdef0123456789ABCDEF',
      { provider: 'azurekms', version: '0123456789abcdef0123456789abcdef' },
    ],
    ['hashivault://release-key', { provider: 'hashivault', key: 'release-key' }],
    [`tencentkms://ap-guangzhou/${KEY_ID}`, { provider: 'tencentkms', region: 'ap-guangzhou', keyId: KEY_ID }],
    [`tencentkms://na-siliconvalley/${KEY_ID}`, { provider: 'tencentkms', region: 'na-siliconvalley' }],
    [
      'ocikms://bbx3kj7oaaeyq-crypto.kms.us-ashburn-1.oraclecloud.com/ocid1.key.oc1.iad.bbx3kj7oaaeyq.abuwcljr2bk3hq',
      { provider: 'ocikms', cryptoHost: 'bbx3kj7oaaeyq-crypto.kms.us-ashburn-1.oraclecloud.com', regionKey: 'iad' },
    ],
    [
      'ocikms://x-crypto.kms.us-phoenix-1.oraclecloud.com/ocid1.key.oc1.phx.x.abc/ocid1.keyversion.oc1.phx.x.abc.def',
      { provider: 'ocikms', versionId: 'ocid1.keyversion.oc1.phx.x.abc.def' },
    ],
    [
      `huaweikms://cn-north-4/0123456789abcdef0123456789abcdef/${KEY_ID}`,
      { provider: 'huaweikms', region: 'cn-north-4', projectId: '0123456789abcdef0123456789abcdef' },
    ],
    [`huaweikms://eu-west-101/0123456789abcdef0123456789abcdef/${KEY_ID}`, { provider: 'huaweikms', region: 'eu-west-101' }],
  ])('parses %s', (uri, expected) => {
    expect(parseKmsUri(uri)).toMatchObject({ uri, ...expected });
  });

  it.each([
    ['', /is empty/],
    ['cosign.key', /not of the form SCHEME/],
    ['/home/me/awskms:///x', /not of the form SCHEME/],
    ['k8s://ns/secret', /unknown scheme "k8s:\/\/"/],
    ['AWSKMS:///alias/x', /not of the form SCHEME/],
    ['awskms://alias/release', /has no key after the endpoint|does not name a key id/],
    ['awskms:///alias/aws/ebs', /AWS managed alias/],
    ['awskms:///1234', /does not name a key id/],
    ['awskms:///arn:aws:kms:eu-central-1:1234:key/x', /does not name a key id/],
    ['awskms:///alias/x?region=us-east-1', /query/],
    ['awskms://evil host/alias/x', /whitespace/],
    [
      'gcpkms://projects/my-project/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersion/1',
      /"cryptoKeyVersion" where "cryptoKeyVersions" belongs/,
    ],
    ['gcpkms://projects/my-project/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/0', /not a positive number/],
    ['gcpkms://projects/my-project/locations/global/keyRing/r/cryptoKeys/k', /shape/],
    ['gcpkms://projects/my-project/locations/global/keyRings/r/cryptoKeys/k/', /shape/],
    ['azurekms://example.com/key', /not a Key Vault host/],
    ['azurekms://vault.vault.azure.net/key/1', /32 hexadecimal/],
    ['azurekms://vault.vault.azure.net/k_y', /invalid key name/],
    ['hashivault://', /does not name a Vault transit key/],
    ['hashivault://a/b', /does not name a Vault transit key/],
    ['tencentkms://ap-guangzhou/not-a-uuid', /not a key UUID/],
    [`tencentkms://${KEY_ID}`, /REGION\/KEY-ID shape/],
    ['ocikms://host/ocid1.vault.oc1.iad.x.y', /key OCID/],
    [`huaweikms://cn-north-4/${KEY_ID}`, /REGION\/PROJECT-ID\/KEY-ID shape/],
    [`huaweikms://cn-north-4/ABCDEF0123456789abcdef0123456789/${KEY_ID}`, /project id/],
    ['pkcs11:token=x', /not of the form SCHEME/],
  ])('refuses %j', (uri, why) => {
    let caught: unknown;
    try {
      parseKmsUri(uri);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SignetError);
    expect((caught as SignetError).code).toBe('INVALID_INPUT');
    expect((caught as SignetError).message).toMatch(/^Invalid KMS key reference: /);
    expect((caught as SignetError).message).toMatch(why);
  });

  it('tells URIs from paths', () => {
    expect(looksLikeKeyUri('hashivault://x')).toBe(true);
    expect(looksLikeKeyUri('unknown://x')).toBe(true);
    expect(looksLikeKeyUri('./cosign.key')).toBe(false);
    expect(looksLikeKeyUri('C:\\keys\\cosign.key')).toBe(false);
  });

  it('pins versions in the provider’s own form', () => {
    expect(withVersion(parseKmsUri('gcpkms://projects/my-project/locations/global/keyRings/r/cryptoKeys/k'), '4')).toBe(
      'gcpkms://projects/my-project/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/4',
    );
    expect(withVersion(parseKmsUri('azurekms://vlt.vault.azure.net/k'), 'a'.repeat(32))).toBe(
      `azurekms://vlt.vault.azure.net/k/${'a'.repeat(32)}`,
    );
    expect(withVersion(parseKmsUri('hashivault://k'), '3')).toBe('hashivault://k');
  });
});
