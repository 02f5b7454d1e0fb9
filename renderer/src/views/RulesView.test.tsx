import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { byLabel, byText, click, fakeBridge, render, settle, stubDialogs, type } from '../testing';
import { fieldErrors, RulesView } from './RulesView';

beforeAll(stubDialogs);
const mounted: Array<() => void> = [];
afterEach(() => mounted.splice(0).forEach((unmount) => unmount()));

const registry = {
  id: 'reg-1',
  kind: 'distribution',
  name: 'Registry',
  host: 'registry.example.com',
  insecure: false,
  credentials: 'none',
} as const;
const rule = {
  name: 'team/release',
  description: 'Release tags',
  registry: 'reg-1',
  namespace: 'team',
  repositories: '**',
  tags: 'v*',
  key: 'release',
  formats: ['cosign'],
  trigger: 'manual',
  enabled: true,
  exclusive: false,
  created: '2026-11-30T10:00:00.000Z',
  updated: '2026-11-30T10:00:00.000Z',
} as const;
const answers = (rules: unknown[] = []) => ({
  'rules.list': () => ({ rules, runs: [] }),
  'registry.list': () => [registry],
  'rules.keys': () => ({
    keys: [
      {
        key: 'k-0123456789abcdef',
        name: 'release',
        unattended: false,
        reason: 'In the vault, which is locked: it signs on push only while the vault is unlocked for the session.',
      },
    ],
  }),
  'rules.add': (input: unknown) => ({ rule: { ...(input as object), created: rule.created, updated: rule.updated }, warnings: [] }),
});

describe('the rule form', () => {
  it('says what is wrong with each field, in words, from the contract’s own checks', () => {
    const errors = fieldErrors({
      name: 'Team--x',
      description: '',
      registry: '',
      namespace: '',
      repositories: 'a**',
      tags: '{v1',
      key: '',
      formats: [],
      trigger: 'manual',
      enabled: true,
      exclusive: false,
    });
    expect(errors.name).toMatch(/lower case/);
    expect(errors.registry).toMatch(/Choose the registry/);
    expect(errors.namespace).toMatch(/Name the namespace/);
    expect(errors.repositories).toMatch(/whole path segment/);
    expect(errors.tags).toMatch(/never closed/);
    expect(errors.key).toMatch(/Choose the key/);
    expect(errors.formats).toMatch(/at least one format/);
    expect(
      fieldErrors({
        ...{
          name: 'ok',
          description: '',
          registry: 'r',
          namespace: 'team',
          repositories: '**',
          tags: '**',
          key: 'k',
          formats: ['cosign'],
          trigger: 'manual',
          enabled: true,
          exclusive: false,
        },
      }),
    ).toEqual({});
  });

  it('sends nothing until the fields are right, and says which key qualifies for a push trigger', async () => {
    const { calls } = fakeBridge(answers());
    const view = await render(<RulesView />);
    mounted.push(view.unmount);
    await settle();
    await click(byText(view.container, 'button', 'Add rule'));
    await settle();
    const dialog = [...view.container.querySelectorAll('dialog')].find((d) => d.getAttribute('aria-label') === 'Add a signing rule')!;
    await click(byText(dialog, 'button', 'Add rule'));
    expect(calls.some((c) => c.name === 'rules.add')).toBe(false);
    expect([...dialog.querySelectorAll('[role="alert"]')].map((a) => a.textContent)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/at least 2 characters/),
        expect.stringMatching(/Name the namespace/),
        expect.stringMatching(/Choose the key/),
      ]),
    );
    expect(byLabel(dialog, 'Name')?.getAttribute('aria-invalid')).toBe('true');
    await type(byLabel(dialog, 'Name'), 'team/release');
    await type(byLabel(dialog, 'Namespace or organisation'), 'team');
    await type(byLabel(dialog, 'Key'), 'release');
    await click(byText(dialog, 'label', /On every push/)?.querySelector('input'));
    expect(dialog.textContent).toContain('Cannot sign unattended: In the vault, which is locked');
    await click(byText(dialog, 'button', 'Add rule'));
    await settle();
    expect(calls.find((c) => c.name === 'rules.add')?.input).toMatchObject({
      name: 'team/release',
      registry: 'reg-1',
      namespace: 'team',
      key: 'release',
      trigger: 'event+manual',
      formats: ['cosign'],
    });
  });

  it('offers no add, edit, run or delete in the reviewer window', async () => {
    fakeBridge(answers([rule]), { readOnly: true });
    const view = await render(<RulesView />);
    mounted.push(view.unmount);
    await settle();
    expect(view.container.textContent).toContain('team/release');
    expect(byText(view.container, 'button', 'Add rule')).toBeUndefined();
    expect(byText(view.container, 'button', 'Run')).toBeUndefined();
    expect(byText(view.container, 'button', 'Delete')).toBeUndefined();
    expect(byText(view.container, 'button', 'Dry run')).toBeDefined();
  });
});
