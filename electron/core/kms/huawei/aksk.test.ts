import { describe, expect, it } from 'vitest';
import { canonicalRequest, escape, sdkDate, signAkSk, signature, stringToSign } from './aksk';

describe('Huawei AK/SK signing (SDK-HMAC-SHA256)', () => {
  it('computes the signature of the signing guide’s worked example', () => {
    // API Request Signing Guide: SK MFyfvK41…, X-Sdk-Date 20191115T033655Z, hashed canonical request b25362e6….
    const toSign = 'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a';
    expect(signature('MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc', toSign)).toBe(
      '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it('canonicalises like Huawei’s SDK signer: trailing slash, encoded segments, sorted query, blank line before the header list', () => {
    const url = new URL('https://kms.cn-north-4.myhuaweicloud.com/v1.0/p/kms/list keys?b=2&a=1&c=%2Ftmp');
    const canonical = canonicalRequest(
      { method: 'post', url, headers: { Host: url.host, 'X-Sdk-Date': '20191115T033655Z' }, body: new Uint8Array() },
      ['host', 'x-sdk-date'],
    );
    expect(canonical).toBe(
      [
        'POST',
        '/v1.0/p/kms/list%20keys/',
        'a=1&b=2&c=%2Ftmp',
        'host:kms.cn-north-4.myhuaweicloud.com\nx-sdk-date:20191115T033655Z\n',
        'host;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
    expect(stringToSign(canonical, '20191115T033655Z').split('\n').slice(0, 2)).toEqual(['SDK-HMAC-SHA256', '20191115T033655Z']);
    expect(escape('一 (&=?!#%.*)')).toBe('%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29');
    expect(sdkDate(new Date('2019-11-15T03:36:55.123Z'))).toBe('20191115T033655Z');
  });

  it('signs every header it sends, Host and X-Sdk-Date included', () => {
    const headers = signAkSk(
      {
        method: 'POST',
        url: new URL('https://kms.cn-north-4.myhuaweicloud.com/v1.0/p/kms/sign'),
        headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'p' },
        body: Buffer.from('{}'),
      },
      'AK',
      'SK',
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(headers.Authorization).toMatch(
      /^SDK-HMAC-SHA256 Access=AK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['X-Sdk-Date']).toBe('20260101T000000Z');
  });
});
