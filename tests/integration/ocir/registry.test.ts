import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../../electron/hosts/cli/commands/registry';
import { runCommand, startCore } from '../../harness/core';

describe('a saved registry marked as Oracle OCIR', () => {
  const handle = startCore();
  afterAll(() => handle.restore());
  const ocir = { profile: 'DEFAULT', compartmentId: 'ocid1.compartment.oc1..aaaaexample', region: 'us-ashburn-1' };

  it('is saved with its OCI profile and compartment, edited, and forgotten; an entry without it stays as it was', async () => {
    const plain = await handle.ok<{ id: string; ocir?: unknown }>('registry.add', { host: 'registry.example.com', saveAnyway: true });
    expect(plain.ocir).toBeUndefined();
    const added = await handle.ok<{ id: string; ocir?: unknown }>('registry.add', { host: 'iad.ocir.io', saveAnyway: true, ocir });
    expect(added.ocir).toEqual(ocir);
    // Saving the same host again without OCIR settings keeps them.
    expect((await handle.ok<{ ocir?: unknown }>('registry.add', { host: 'iad.ocir.io', saveAnyway: true })).ocir).toEqual(ocir);
    const edited = await handle.ok<{ ocir?: { profile: string } }>('registry.edit', { id: added.id, ocir: { ...ocir, profile: 'PROD' } });
    expect(edited.ocir?.profile).toBe('PROD');
    expect((await handle.ok<{ ocir?: unknown }>('registry.edit', { id: added.id, ocir: null })).ocir).toBeUndefined();
    const bad = await handle.call('registry.edit', { id: added.id, ocir: { profile: 'DEFAULT', compartmentId: 'not-an-ocid' } });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    const list = await handle.ok<Array<{ id: string; ocir?: unknown }>>('registry.list', {});
    expect(list.find((r) => r.id === plain.id)).not.toHaveProperty('ocir');
  });

  it('the CLI marks a registry as OCIR with --ocir-profile/--ocir-compartment (and namespace), and forgets it with --no-ocir', async () => {
    const added = await runCommand(commands, handle, [
      'registry',
      'add',
      'phx.ocir.io',
      '--save-anyway',
      '--ocir-profile',
      'DEFAULT',
      '--ocir-compartment',
      'ocid1.compartment.oc1..aaaaexample',
      '--ocir-namespace',
      'tenancyns',
      '--json',
    ]);
    expect(added.code).toBe(0);
    const saved = JSON.parse(added.out) as { id: string; ocir: unknown };
    expect(saved.ocir).toEqual({ profile: 'DEFAULT', compartmentId: 'ocid1.compartment.oc1..aaaaexample', namespace: 'tenancyns' });
    await expect(runCommand(commands, handle, ['registry', 'add', 'x.ocir.io', '--ocir-profile', 'DEFAULT'])).rejects.toThrow(
      /--ocir-compartment/,
    );
    const forgot = await runCommand(commands, handle, ['registry', 'edit', saved.id, '--no-ocir', '--json']);
    expect(JSON.parse(forgot.out)).not.toHaveProperty('ocir');
  });
});
