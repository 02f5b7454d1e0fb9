import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsFromFiles } from './credentials';

describe('credentials from the files users already have', () => {
  it('reads ~/.docker/config.json auths and containers auth.json, auth.json first', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'signet-creds-'));
    mkdirSync(path.join(home, '.docker'));
    writeFileSync(
      path.join(home, '.docker', 'config.json'),
      JSON.stringify({
        auths: {
          'reg.example': { auth: Buffer.from('docker:pw:with:colons').toString('base64') },
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:hubpw').toString('base64') },
        },
      }),
    );
    expect(await credentialsFromFiles('reg.example', { HOME: home })).toEqual({ username: 'docker', password: 'pw:with:colons' });
    expect(await credentialsFromFiles('docker.io', { HOME: home })).toEqual({ username: 'hub', password: 'hubpw' });
    expect(await credentialsFromFiles('other.example', { HOME: home })).toBeUndefined();
    const authFile = path.join(home, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { 'reg.example': { auth: Buffer.from('podman:ppw').toString('base64') } } }));
    expect(await credentialsFromFiles('reg.example', { HOME: home, REGISTRY_AUTH_FILE: authFile })).toEqual({
      username: 'podman',
      password: 'ppw',
    });
  });

  it('asks a docker-credential helper when one is configured and installed', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'signet-creds-'));
    const bin = path.join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, 'docker-credential-fake'),
      '#!/bin/sh\nread host\necho "{\\"Username\\":\\"helper-user\\",\\"Secret\\":\\"for-$host\\"}"\n',
      { mode: 0o755 },
    );
    mkdirSync(path.join(home, '.docker'));
    writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ credHelpers: { 'reg.example': 'fake' } }));
    const previous = process.env.PATH;
    process.env.PATH = `${bin}:${previous}`;
    try {
      expect(await credentialsFromFiles('reg.example', { HOME: home })).toEqual({ username: 'helper-user', password: 'for-reg.example' });
    } finally {
      process.env.PATH = previous;
    }
  });
});
