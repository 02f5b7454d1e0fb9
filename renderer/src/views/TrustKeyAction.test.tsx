import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { byLabel, byText, click, fakeBridge, render, settle, stubDialogs, type } from '../testing';
import { TrustKeyAction } from './TrustKeyAction';

beforeAll(stubDialogs);
const mounted: Array<() => void> = [];
afterEach(() => mounted.splice(0).forEach((unmount) => unmount()));

const entry = (input: { key: string; name: string; notAfter?: string; scopes?: string[] }) => ({
  id: 'key-0123456789ab',
  name: input.name,
  kind: 'public-key',
  fingerprint: 'AB'.repeat(32),
  addedAt: '2026-01-01T00:00:00.000Z',
  ...(input.notAfter ? { notAfter: input.notAfter } : {}),
  ...(input.scopes ? { scopes: input.scopes } : {}),
});

describe('TrustKeyAction', () => {
  it('opens a dialog named after the key and trusts it with the name, window and scopes typed', async () => {
    const { calls } = fakeBridge({ 'trust.addKey': (input) => entry(input as never) });
    let trusted: unknown;
    const view = await render(<TrustKeyAction keyId="k-0123456789abcdef" keyName="release" onTrusted={(e) => (trusted = e)} />);
    mounted.push(view.unmount);
    const dialog = view.container.querySelector('dialog')!;
    expect(dialog.hasAttribute('open')).toBe(false);
    await click(byText(view.container, 'button', 'Trust this key…'));
    expect(dialog.hasAttribute('open')).toBe(true);
    expect(dialog.getAttribute('aria-label')).toBe('Trust release for verification');
    const name = byLabel(dialog, 'Trust entry name') as HTMLInputElement;
    expect(name.value).toBe('release');
    await type(name, 'Release 2026');
    await type(byLabel(dialog, 'before'), '2027-01-01');
    await type(byLabel(dialog, 'Scopes'), 'registry.example.com/team, quay.io');
    await click(byText(dialog, 'button', 'Trust'));
    await settle();
    expect(calls.filter((c) => c.name === 'trust.addKey')).toEqual([
      {
        name: 'trust.addKey',
        input: {
          key: 'k-0123456789abcdef',
          name: 'Release 2026',
          notAfter: '2027-01-01T00:00:00.000Z',
          scopes: ['registry.example.com/team', 'quay.io'],
        },
      },
    ]);
    expect(trusted).toMatchObject({ name: 'Release 2026' });
    expect(view.container.textContent).toContain('Trusted as “Release 2026”');
    expect(byText(view.container, 'button', 'Trust this key…')).toBeUndefined();
  });

  it('prefills the window with the key’s expiry and keeps the dialog open with the reason when refused', async () => {
    const { calls } = fakeBridge({
      'trust.addKey': () => ({ ok: false, code: 'CONFLICT', message: 'A trust entry named "release" exists already.' }),
    });
    const view = await render(<TrustKeyAction keyId="k-0123456789abcdef" keyName="release" expires="2030-06-01T23:59:59.000Z" />);
    mounted.push(view.unmount);
    await click(byText(view.container, 'button', 'Trust this key…'));
    const dialog = view.container.querySelector('dialog')!;
    expect((byLabel(dialog, 'before') as HTMLInputElement).value).toBe('2030-06-01');
    await click(byText(dialog, 'button', 'Trust'));
    await settle();
    expect(calls.map((c) => c.name)).toEqual(['trust.addKey']);
    expect(dialog.querySelector('[role="alert"]')?.textContent).toContain('exists already');
    expect(dialog.hasAttribute('open')).toBe(true);
  });

  it('is not offered in read-only mode', async () => {
    fakeBridge({}, { readOnly: true });
    const view = await render(<TrustKeyAction keyId="k-0123456789abcdef" keyName="release" />);
    mounted.push(view.unmount);
    expect(view.container.innerHTML).toBe('');
  });
});
