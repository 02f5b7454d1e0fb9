import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { byLabel, byText, click, fakeBridge, render, settle, stubDialogs, type } from '../testing';
import { EditRegistryDialog } from './RegistriesView';

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
};

describe('EditRegistryDialog', () => {
  it('marks a registry as Oracle OCIR with a profile, compartment and namespace', async () => {
    const { calls } = fakeBridge({ 'registry.edit': (input) => ({ ...registry, ...(input as object) }) });
    let saved = false;
    const view = await render(<EditRegistryDialog registry={registry} open onClose={() => undefined} onSaved={() => (saved = true)} />);
    mounted.push(view.unmount);
    const dialog = view.container.querySelector('dialog')!;
    await click(byLabel(dialog, 'Oracle OCIR'));
    await type(byLabel(dialog, 'Compartment OCID'), 'ocid1.compartment.oc1..aaaa');
    await type(byLabel(dialog, 'Tenancy namespace'), 'tenancyns');
    await click(byText(view.container, 'button', 'Save'));
    await settle();
    expect(calls.find((c) => c.name === 'registry.edit')?.input).toEqual({
      id: 'iad-ocir-io',
      ocir: { profile: 'DEFAULT', compartmentId: 'ocid1.compartment.oc1..aaaa', namespace: 'tenancyns' },
    });
    expect(saved).toBe(true);
  });

  it('forgets the OCIR settings when unticked', async () => {
    const { calls } = fakeBridge({ 'registry.edit': () => registry });
    const marked = { ...registry, ocir: { profile: 'PROD', compartmentId: 'ocid1.compartment.oc1..aaaa', endpoint: 'http://127.0.0.1:1' } };
    const view = await render(<EditRegistryDialog registry={marked} open onClose={() => undefined} onSaved={() => undefined} />);
    mounted.push(view.unmount);
    const dialog = view.container.querySelector('dialog')!;
    expect((byLabel(dialog, 'OCI config profile') as HTMLInputElement).value).toBe('PROD');
    await click(byLabel(dialog, 'Oracle OCIR'));
    await click(byText(view.container, 'button', 'Save'));
    await settle();
    expect(calls.find((c) => c.name === 'registry.edit')?.input).toEqual({ id: 'iad-ocir-io', ocir: null });
  });
});
