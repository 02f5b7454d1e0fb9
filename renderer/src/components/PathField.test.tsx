import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChoosePathRequest, HostBridge } from '../../../shared/contract/host-path';
import { byLabel, byText, click, fakeBridge, render, settle, stubDialogs, type } from '../testing';
import { EditRegistryDialog } from '../views/RegistriesView';
import { PathField } from './PathField';

beforeAll(stubDialogs);
const mounted: Array<() => void> = [];
afterEach(() => {
  mounted.splice(0).forEach((unmount) => unmount());
  delete (window as { signetHost?: HostBridge }).signetHost;
});

/** The desktop shell's bridge, answering each dialog with the next path (null: cancelled). */
function desktopDialogs(answers: Array<string | null>) {
  const asked: ChoosePathRequest[] = [];
  let n = 0;
  const host: HostBridge = {
    choosePath: async (request) => {
      asked.push(request);
      const path = answers.shift() ?? null;
      return { ok: true, value: path === null ? null : { handle: `hostpath:${String(++n).padStart(24, 'h')}`, path } };
    },
  };
  Object.defineProperty(window, 'signetHost', { value: host, configurable: true });
  return asked;
}

const registry = {
  id: 'r1',
  kind: 'distribution' as const,
  name: 'r1',
  host: 'registry.example',
  insecure: false,
  credentials: 'none' as const,
  lookaside: '/srv/saved-lookaside',
};

describe('PathField', () => {
  it('in the browser host, is a text field whose value is the typed path', async () => {
    let value = '';
    const view = await render(
      <PathField
        id="p"
        label="Folder"
        purpose={{ call: 'storage.add', field: 'path' }}
        value=""
        onChange={(v) => (value = v)}
        choices={['directory']}
      />,
    );
    mounted.push(view.unmount);
    expect(byText(view.container, 'button', 'Choose folder…')).toBeUndefined();
    await type(byLabel(view.container, 'Folder'), '/srv/x');
    expect(value).toBe('/srv/x');
  });

  it('in the desktop app, sends the dialog’s handle (never a typed path) and keeps a saved lookaside unsent', async () => {
    const asked = desktopDialogs([null, '/home/ada/lookaside']);
    const { calls } = fakeBridge({ 'registry.edit': (input) => ({ ...registry, ...(input as object) }) });
    const view = await render(<EditRegistryDialog registry={registry} open onClose={() => undefined} onSaved={() => undefined} />);
    mounted.push(view.unmount);
    const dialog = view.container.querySelector('dialog')!;
    const field = byLabel(dialog, 'Simple-signature lookaside (optional)') as HTMLInputElement;
    expect(field.value).toBe('/srv/saved-lookaside');
    // The saved lookaside is shown as it is, not flagged as a typed path.
    expect(dialog.querySelector('[role="alert"]')).toBeNull();

    await type(byLabel(dialog, 'Name'), 'renamed');
    await click(byText(dialog, 'button', 'Save'));
    await settle();
    expect(calls.find((c) => c.name === 'registry.edit')?.input).toEqual({ id: 'r1', name: 'renamed' });

    await click(byText(dialog, 'button', 'Choose folder…'));
    await settle();
    expect(field.value).toBe('/srv/saved-lookaside');
    await click(byText(dialog, 'button', 'Choose folder…'));
    await settle();
    expect(asked.map((a) => a.choice)).toEqual(['directory', 'directory']);
    expect(asked[0]?.purpose).toEqual({ call: 'registry.edit', field: 'lookaside' });
    expect(field.value).toBe('/home/ada/lookaside');
    calls.splice(0);
    await click(byText(dialog, 'button', 'Save'));
    await settle();
    const sent = calls.find((c) => c.name === 'registry.edit')?.input as { lookaside?: string };
    expect(sent.lookaside).toMatch(/^hostpath:/);
  });

  it('in the desktop app, says that a typed path is not used, and takes a typed URL', async () => {
    desktopDialogs([]);
    let value = '';
    const view = await render(
      <PathField
        id="p"
        label="Lookaside"
        purpose={{ call: 'registry.add', field: 'lookaside' }}
        value="/etc"
        onChange={(v) => (value = v)}
        choices={['directory']}
        urls
      />,
    );
    mounted.push(view.unmount);
    expect(view.container.querySelector('[role="alert"]')?.textContent).toMatch(/typed paths are not used/);
    await type(byLabel(view.container, 'Lookaside'), 'https://sigs.example/l');
    expect(value).toBe('https://sigs.example/l');
  });
});
