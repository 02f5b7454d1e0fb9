import { describe, expect, it } from 'vitest';
import { buildMessage, decodeMessage, pythonJsonString } from './message';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('OCIR sign-upload message', () => {
  it('is byte for byte the formats.md §5.1 example (Python compact json.dumps, alphabetical keys)', () => {
    const { json } = buildMessage({
      imageDigest: DIGEST,
      kmsKeyId: 'ocid1.key.oc1.iad.k',
      kmsKeyVersionId: 'ocid1.keyversion.oc1.iad.v',
      metadata: { buildNumber: '123' },
      region: 'us-phoenix-1',
      repositoryName: 'busybox',
      signingAlgorithm: 'SHA_256_RSA_PKCS_PSS',
    });
    expect(json.toString('utf8')).toBe(
      `{"description":"","imageDigest":"${DIGEST}","kmsKeyId":"ocid1.key.oc1.iad.k","kmsKeyVersionId":"ocid1.keyversion.oc1.iad.v","metadata":"{\\"buildNumber\\":\\"123\\"}","region":"us-phoenix-1","repositoryName":"busybox","signingAlgorithm":"SHA_256_RSA_PKCS_PSS"}`,
    );
  });

  it('escapes non-ASCII as Python ensure_ascii does (surrogate pairs, lower-case hex), keeps "/" — golden from CPython json.dumps', () => {
    const built = buildMessage({
      description: 'Réalisé 🚀 a/b "q"\n',
      imageDigest: DIGEST,
      kmsKeyId: 'ocid1.key.oc1.iad.k',
      kmsKeyVersionId: 'ocid1.keyversion.oc1.iad.v',
      metadata: { zé: 'ü', buildNumber: '123' },
      region: 'us-phoenix-1',
      repositoryName: 'team/busybox',
      signingAlgorithm: 'SHA_256_RSA_PKCS_PSS',
    });
    // python3 -c 'import json,base64; m={...}; print(base64.b64encode(json.dumps(m,separators=(",",":")).encode()).decode())'
    expect(built.base64).toBe(
      'eyJkZXNjcmlwdGlvbiI6IlJcdTAwZTlhbGlzXHUwMGU5IFx1ZDgzZFx1ZGU4MCBhL2IgXCJxXCJcbiIsImltYWdlRGlnZXN0Ijoic2hhMjU2OmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWJhYmFiYWIiLCJrbXNLZXlJZCI6Im9jaWQxLmtleS5vYzEuaWFkLmsiLCJrbXNLZXlWZXJzaW9uSWQiOiJvY2lkMS5rZXl2ZXJzaW9uLm9jMS5pYWQudiIsIm1ldGFkYXRhIjoie1wiYnVpbGROdW1iZXJcIjpcIjEyM1wiLFwielxcdTAwZTlcIjpcIlxcdTAwZmNcIn0iLCJyZWdpb24iOiJ1cy1waG9lbml4LTEiLCJyZXBvc2l0b3J5TmFtZSI6InRlYW0vYnVzeWJveCIsInNpZ25pbmdBbGdvcml0aG0iOiJTSEFfMjU2X1JTQV9QS0NTX1BTUyJ9',
    );
    const decoded = decodeMessage(built.base64);
    expect(decoded.canonical).toBe(true);
    expect(decoded.message.description).toBe('Réalisé 🚀 a/b "q"\n');
    expect(decoded.metadata).toEqual({ buildNumber: '123', zé: 'ü' });
    expect(pythonJsonString('\u007f\u0001')).toBe('"\\u007f\\u0001"');
  });

  it('refuses other algorithms and messages over 4096 bytes', () => {
    const base = { imageDigest: DIGEST, kmsKeyId: 'k', kmsKeyVersionId: 'v', region: 'r', repositoryName: 'busybox' };
    expect(() => buildMessage({ ...base, signingAlgorithm: 'SHA_256_RSA_PKCS1_V1_5' as never })).toThrow(/OCIR signs with/);
    expect(() => buildMessage({ ...base, signingAlgorithm: 'SHA_256_RSA_PKCS_PSS', description: 'x'.repeat(4000) })).toThrow(/4096/);
  });

  it('decodes strictly: wrong keys, non-strings, duplicates, trailing data and bad base64 are refused', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const good = buildMessage({
      imageDigest: DIGEST,
      kmsKeyId: 'k',
      kmsKeyVersionId: 'v',
      region: 'r',
      repositoryName: 'busybox',
      signingAlgorithm: 'SHA_512_RSA_PKCS_PSS',
    });
    expect(decodeMessage(good.base64).metadata).toBeUndefined();
    const text = good.json.toString('utf8');
    expect(() => decodeMessage(b64(text.replace('"region":"r",', '')))).toThrow(/missing region/);
    expect(() => decodeMessage(b64(text.replace('"region":"r"', '"region":1')))).toThrow(/region that is not a string/);
    expect(() => decodeMessage(b64(text.replace('}', ',"region":"x"}')))).toThrow(/strict JSON/);
    expect(() => decodeMessage(b64(`${text} {}`))).toThrow(/strict JSON/);
    expect(() => decodeMessage(b64(text.replace('"metadata":""', '"metadata":"[1]"')))).toThrow(/metadata that is not a JSON object/);
    expect(() => decodeMessage('not base64!')).toThrow(/not base64/);
    // Reordered keys decode, but are not what sign-upload writes.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(good.message).reverse()));
    expect(decodeMessage(b64(reordered)).canonical).toBe(false);
  });
});
