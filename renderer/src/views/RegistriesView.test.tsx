import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { byLabel, byText, click, fakeBridge, render, settle, stubDialogs, type } from '../testing';
import { EditRegistryDialog, RegistriesView } from './RegistriesView';

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

describe('the tag list’s signed state', () => {
  const saved = {
    id: 'reg-1',
    kind: 'distribution' as const,
    name: 'Local',
    host: 'reg.example',
    insecure: false,
    credentials: 'none' as const,
  };
  const tags = Array.from({ length: 1200 }, (_, i) => `1.${i}`);
  const digest = `sha256:${'a'.repeat(64)}`;
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i += 1) await settle();
    expect(done()).toBe(true);
  };

  it('fills in part by part as the checks land, counting the totals as they come', async () => {
    const { calls } = fakeBridge({
      'registry.list': () => [saved],
      'registry.repositories': () => ({ repositories: ['team/app'], complete: true }),
      'registry.tags': () => ({ tags: [...tags, `sha256-${'a'.repeat(64)}.sig`], complete: true }),
      'signatures.status': (input) => ({
        results: (input as { tags: string[] }).tags.map((tag) => ({ tag, digest, verdict: tag.endsWith('7') ? 'verified' : 'unsigned' })),
      }),
    });
    const view = await render(<RegistriesView sub="reg.example" path={['team/app']} />);
    mounted.push(view.unmount);
    const totals = () => view.container.querySelector('[aria-label="Signed state totals"]')?.textContent;
    const asked = () => calls.filter((c) => c.name === 'signatures.status').map((c) => (c.input as { tags: string[] }).tags);
    // The first 1,000 tags without a click, 250 a call; the signature artifact is never asked about.
    await until(() => totals() === '100 verified · 900 unsigned');
    expect(asked().map((t) => t.length)).toEqual([250, 250, 250, 250]);
    expect(asked().flat()).toEqual(tags.slice(0, 1000));
    await click(byText(view.container, 'button', 'Check 200 more'));
    await until(() => totals() === '120 verified · 1080 unsigned');
    expect(asked().at(-1)).toEqual(tags.slice(1000));
    expect(byText(view.container, 'button', 'Re-check')).toBeDefined();
  });

  it('stops between two parts once the repository is left', async () => {
    let answer: (() => void) | undefined;
    const { calls } = fakeBridge({
      'registry.list': () => [saved],
      'registry.repositories': () => ({ repositories: ['team/other'], complete: true }),
      'registry.tags': () => ({ tags, complete: true }),
      'signatures.status': async (input) => {
        await new Promise<void>((resolve) => (answer = resolve));
        return { results: (input as { tags: string[] }).tags.map((tag) => ({ tag, digest, verdict: 'unsigned' })) };
      },
    });
    // Another repository: the first test's verdicts are kept for team/app while the app runs.
    const view = await render(<RegistriesView sub="reg.example" path={['team/other']} />);
    const asked = () => calls.filter((c) => c.name === 'signatures.status').length;
    await until(() => asked() === 1);
    view.unmount();
    answer?.();
    for (let i = 0; i < 10; i += 1) await settle();
    expect(asked()).toBe(1);
  });
});
