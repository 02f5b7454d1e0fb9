import { describe, expect, it } from 'vitest';
import { parseSignedPayload } from './signed-payload';

const digest = `sha256:${'ab'.repeat(32)}`;
const swr = `{"critical":{"identity":{"docker-reference":"team/app"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature"}}\n`;
const atomic = `{"critical":{"identity":{"docker-reference":"registry.example/team/app:1"},"image":{"docker-manifest-digest":"${digest}"},"type":"atomic container signature"},"optional":{}}`;

describe('parseSignedPayload', () => {
  it('reads SWR’s form only when asked for it: containers/image’s atomic form requires optional', () => {
    expect(parseSignedPayload(Buffer.from(swr), 'swr')).toMatchObject({
      ok: true,
      payload: { dockerReference: 'team/app', manifestDigest: digest, optional: null },
    });
    expect(parseSignedPayload(Buffer.from(swr), 'atomic')).toMatchObject({ ok: false, code: 'PAYLOAD_INVALID' });
  });

  it('the SWR form takes no optional section and no other type', () => {
    expect(parseSignedPayload(Buffer.from(atomic), 'swr')).toMatchObject({ ok: false, code: 'PAYLOAD_INVALID' });
    expect(
      parseSignedPayload(Buffer.from(swr.replace('atomic container signature', 'cosign container image signature')), 'swr'),
    ).toMatchObject({ ok: false, code: 'PAYLOAD_INVALID' });
    expect(parseSignedPayload(Buffer.from(atomic), 'atomic')).toMatchObject({ ok: true });
  });
});
