import { describe, expect, it } from 'vitest';
import { contract, type CallName } from '../../../shared/api';
import { CALL_AUDIT } from './calls';

describe('the audit table', () => {
  it('has a line for every call that is not a read, and none for reads', () => {
    const effectful = (Object.keys(contract) as CallName[]).filter((name) => contract[name].effect !== 'read');
    expect(effectful.filter((name) => !CALL_AUDIT[name])).toEqual([]);
    expect((Object.keys(CALL_AUDIT) as CallName[]).filter((name) => contract[name].effect === 'read')).toEqual([]);
  });

  it('records what was asked without the secrets that came with it', () => {
    const secret = 'hunter2-secret';
    const asked = [
      CALL_AUDIT['keys.import']!.asked({ name: 'k', text: secret, password: secret }),
      CALL_AUDIT['keys.exportCosign']!.asked({ key: 'k', password: secret }),
      CALL_AUDIT['keys.exportPgpSecret']!.asked({ key: 'k', passphrase: secret }),
      CALL_AUDIT['signatures.sign']!.asked({
        id: 'r',
        repository: 'team/app',
        digest: `sha256:${'a'.repeat(64)}`,
        key: `pkcs11:token=t;object=k?pin-value=${secret}`,
        pin: secret,
      }),
      CALL_AUDIT['registry.add']!.asked({ host: 'example.com', username: 'u', password: secret }),
      CALL_AUDIT['tokens.keys']!.asked({ module: '/m.so', token: 't', pin: secret }),
      CALL_AUDIT['keys.vaultUnlock']!.asked({ passphrase: secret }),
    ];
    expect(JSON.stringify(asked)).not.toContain(secret);
  });
});
