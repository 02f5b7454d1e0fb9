import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { byLabel, byText, click, fakeBridge, render, settle, stubDialogs, type } from '../testing';
import { KeysView } from './KeysView';

beforeAll(stubDialogs);
const mounted: Array<() => void> = [];
afterEach(() => mounted.splice(0).forEach((unmount) => unmount()));

const key = {
  id: 'k-0123456789abcdef',
  name: 'release',
  type: 'ecdsa-p256',
  kind: 'software',
  algorithm: 'ecdsa-p256-sha256',
  spkiSha256: 'ab'.repeat(32),
  created: '2026-01-01T00:00:00.000Z',
  store: 'keychain',
  labels: [],
  retired: false,
} as const;
const answers = (trustEntries: unknown[] = []) => ({
  'keys.list': () => [key],
  'keys.vaultStatus': () => ({ exists: false, unlocked: false, file: '/tmp/vault' }),
  'keys.get': () => ({ info: key, exports: { pem: '-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----\n' } }),
  'trust.list': () => ({ entries: trustEntries, policies: [] }),
  'keys.generate': (input: unknown) => ({
    ...key,
    name: (input as { name: string }).name,
    ...((input as { trust?: boolean }).trust === false
      ? {}
      : { trusted: { id: 'key-0123456789ab', name: (input as { name: string }).name } }),
  }),
});

async function generate(untick: boolean) {
  const { calls } = fakeBridge(answers());
  const view = await render(<KeysView />);
  mounted.push(view.unmount);
  await settle();
  await click(byText(view.container, 'button', 'Generate key'));
  const dialog = [...view.container.querySelectorAll('dialog')].find((d) => d.getAttribute('aria-label') === 'Generate a signing key')!;
  const box = byText(dialog, 'label', 'Trust this key for verification')?.querySelector('input') as HTMLInputElement;
  expect(box.checked).toBe(true);
  if (untick) await click(box);
  expect(box.checked).toBe(!untick);
  await type(byLabel(dialog, 'Name'), 'ci-2026');
  await click(byText(dialog, 'button', 'Generate'));
  await settle();
  return calls.find((c) => c.name === 'keys.generate')?.input;
}

describe('the generate form: "Trust this key for verification"', () => {
  it('is shown and on by default, and asks the core to trust the key', async () => {
    expect(await generate(false)).toMatchObject({ name: 'ci-2026', type: 'ecdsa-p256', trust: true });
  });

  it('left off, asks for no trust', async () => {
    expect(await generate(true)).toMatchObject({ name: 'ci-2026', trust: false });
  });
});

describe('the key page', () => {
  it('offers "Trust this key…" for a key the trust store does not hold', async () => {
    fakeBridge(answers());
    const view = await render(<KeysView sub={key.id} />);
    mounted.push(view.unmount);
    await settle();
    const details = view.container.querySelector('[aria-label="Key details"]')!;
    expect(details.textContent).toContain('Not trusted');
    expect(byText(details, 'button', 'Trust this key…')).toBeDefined();
  });

  it('says "Trusted as …" with a link to the Trust view when it is trusted', async () => {
    fakeBridge(
      answers([
        {
          id: 'key-0123456789ab',
          name: 'Release team',
          kind: 'public-key',
          fingerprint: 'ab'.repeat(32),
          addedAt: '2026-01-01T00:00:00.000Z',
          signetKey: { id: key.id, name: key.name },
        },
      ]),
    );
    const view = await render(<KeysView sub={key.id} />);
    mounted.push(view.unmount);
    await settle();
    const trust = view.container.querySelector('[aria-label="Trust status"]')!;
    expect(trust.textContent).toContain('Trusted as “Release team”');
    expect(trust.querySelector('a')?.getAttribute('href')).toBe('#/trust');
    expect(byText(trust, 'button', 'Trust this key…')).toBeUndefined();
  });
});
