import { describe, expect, it } from 'vitest';
import { SignetError } from '../../../shared/errors';
import { formatPkcs11Uri, parsePkcs11Uri, redactPin } from './uri';

function refusal(uri: string): SignetError {
  try {
    parsePkcs11Uri(uri);
  } catch (error) {
    expect(error).toBeInstanceOf(SignetError);
    return error as SignetError;
  }
  throw new Error(`accepted ${uri}`);
}

describe('parsePkcs11Uri', () => {
  it('reads the RFC 7512 §3.3 examples', () => {
    expect(parsePkcs11Uri('pkcs11:')).toEqual({});
    expect(parsePkcs11Uri('pkcs11:object=my-pubkey;type=public')).toEqual({ object: 'my-pubkey', type: 'public' });
    expect(parsePkcs11Uri('pkcs11:object=my-key;type=private?pin-source=file:/etc/token')).toEqual({
      object: 'my-key',
      type: 'private',
      pinSource: '/etc/token',
    });
    const withPin = parsePkcs11Uri(
      'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin',
    );
    expect(withPin).toMatchObject({
      token: 'The Software PKCS#11 Softtoken',
      manufacturer: 'Snake Oil, Inc.',
      model: '1.0',
      object: 'my-certificate',
      type: 'cert',
      serial: '',
      pinSource: '/etc/token_pin',
    });
    expect(Buffer.from(withPin.id!).toString('hex')).toBe('69953e5cf4bdec91');
    expect(parsePkcs11Uri('pkcs11:object=my-sign-key;type=private?module-name=mypkcs11')).toEqual({
      object: 'my-sign-key',
      type: 'private',
      moduleName: 'mypkcs11',
    });
    expect(parsePkcs11Uri('pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1')).toEqual({
      object: 'my-sign-key',
      type: 'private',
      modulePath: '/mnt/libmypkcs11.so.1',
    });
    expect(
      parsePkcs11Uri('pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin'),
    ).toMatchObject({ token: 'Software PKCS#11 softtoken', manufacturer: 'Snake Oil, Inc.' });
    expect(parsePkcs11Uri('pkcs11:slot-description=Sun%20Metaslot')).toEqual({ slotDescription: 'Sun Metaslot' });
    expect(parsePkcs11Uri('pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token;library-version=1.23')).toEqual(
      { libraryManufacturer: 'Snake Oil, Inc.', libraryDescription: 'Soft Token', libraryVersion: '1.23' },
    );
    expect(parsePkcs11Uri('pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;id=%01%02%03%Ba%dd%Ef%0F')).toMatchObject({
      token: 'My token% created by Joe',
      libraryVersion: '3',
    });
    expect(parsePkcs11Uri('pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert')).toMatchObject({
      token: 'A name with a substring %;',
    });
    expect(parsePkcs11Uri('pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert').token).toBe(
      'Name with a small A with acute: á',
    );
    expect(parsePkcs11Uri('pkcs11:slot-id=1;object=k').slotId).toBe(1);
  });

  it('reads cosign’s URI forms, the PIN as bytes', () => {
    const uri = parsePkcs11Uri('pkcs11:token=mytoken;object=mykey?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234');
    expect(uri).toMatchObject({ token: 'mytoken', object: 'mykey', modulePath: '/usr/lib/softhsm/libsofthsm2.so' });
    expect(uri.pinValue?.toString()).toBe('1234');
    const yubi = parsePkcs11Uri(
      'pkcs11:token=YubiKey%20PIV%20%2315655471;slot-id=0;id=%02;object=SIGN%20key?module-path=/usr/local/lib/libykcs11.dylib&pin-value=123456',
    );
    expect(yubi).toMatchObject({ token: 'YubiKey PIV #15655471', slotId: 0, object: 'SIGN key' });
    expect([...yubi.id!]).toEqual([2]);
  });

  it('refuses a PIN in the path and says why, without echoing it', () => {
    const error = refusal('pkcs11:token=t;object=k;pin-value=987654');
    expect(error.message).toMatch(/pin-value.*path.*query/);
    expect(error.message).not.toContain('987654');
    expect(refusal('pkcs11:token=t;pin-source=/tmp/pin').message).toMatch(/path/);
  });

  it('refuses unknown, duplicate and misplaced attributes', () => {
    expect(refusal('pkcs11:token=a;token=b').message).toMatch(/twice/);
    expect(refusal('pkcs11:token=a;vendor-aaa=x').message).toMatch(/unknown/);
    expect(refusal('pkcs11:token=a?vendor-bbb=x').message).toMatch(/unknown/);
    expect(refusal('pkcs11:module-path=/x.so').message).toMatch(/query/);
    expect(refusal('pkcs11:?object=x').message).toMatch(/path attribute/);
    expect(refusal('pkcs11:type=secret').message).toMatch(/type/);
    expect(refusal('pkcs11:slot-id=x').message).toMatch(/decimal/);
    expect(refusal('pkcs11:token=a;;object=b').message).toMatch(/empty attribute/);
    expect(refusal('pkcs11:token').message).toMatch(/name=value/);
    expect(refusal('pkcs11:?module-path=relative/lib.so').message).toMatch(/absolute/);
    expect(refusal('pkcs11:?pin-value=1&pin-source=/p').message).toMatch(/both/);
    expect(refusal('pkcs12:token=a').message).toMatch(/pkcs11:/);
  });

  it('refuses bad percent-encoding, raw reserved characters and non-UTF-8 text', () => {
    expect(refusal('pkcs11:token=a%2').message).toMatch(/hex/);
    expect(refusal('pkcs11:token=a%zz').message).toMatch(/hex/);
    expect(refusal('pkcs11:token=a b').message).toMatch(/percent-encoded/);
    expect(refusal('pkcs11:object=a/b').message).toMatch(/percent-encoded/);
    expect(refusal('pkcs11:token=%ff%fe').message).toMatch(/UTF-8/);
  });

  it('reads pin-source only as a file, never a command', () => {
    expect(parsePkcs11Uri('pkcs11:?pin-source=/run/pin').pinSource).toBe('/run/pin');
    expect(parsePkcs11Uri('pkcs11:?pin-source=file:///run/my%20pin').pinSource).toBe('/run/my pin');
    expect(refusal('pkcs11:?pin-source=|/usr/bin/pinentry').message).toMatch(/never runs/);
    expect(refusal('pkcs11:?pin-source=https://example.com/pin').message).toMatch(/file/);
    expect(refusal('pkcs11:?pin-source=pin.txt').message).toMatch(/absolute/);
  });
});

describe('redactPin', () => {
  it('strips every pin-value from a string', () => {
    expect(redactPin('open pkcs11:token=a?module-path=/x.so&pin-value=1234 failed')).toBe(
      'open pkcs11:token=a?module-path=/x.so&pin-value=REDACTED failed',
    );
    expect(redactPin('pkcs11:object=k;pin-value=9999;token=t')).toBe('pkcs11:object=k;pin-value=REDACTED;token=t');
    expect(redactPin('"pkcs11:?pin%2Dvalue=55" and pkcs11:?PIN-VALUE=66')).not.toMatch(/55|66/);
  });
});

describe('formatPkcs11Uri', () => {
  it('round-trips through the parser', () => {
    const text = formatPkcs11Uri({
      token: 'My token; #1',
      serial: 'a1b2',
      object: 'release key',
      id: new Uint8Array([0, 0xab]),
      type: 'private',
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
    });
    expect(text).toBe(
      'pkcs11:token=My%20token%3B%20%231;serial=a1b2;object=release%20key;id=%00%ab;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so',
    );
    const back = parsePkcs11Uri(text);
    expect(back).toMatchObject({
      token: 'My token; #1',
      serial: 'a1b2',
      object: 'release key',
      type: 'private',
      modulePath: '/usr/lib/softhsm/libsofthsm2.so',
    });
    expect([...back.id!]).toEqual([0, 0xab]);
  });
});
