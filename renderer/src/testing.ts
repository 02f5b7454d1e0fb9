import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { ReactElement } from 'react';
import type { CallName } from '../../shared/api';
import { buildClient } from '../../shared/client';
import { failure, type Result } from '../../shared/errors';
import { useApp } from './stores/app';

/**
 * A fake bridge for renderer tests: the real typed client built from the contract, over an invoke
 * that answers from `answers` (a value or a promise of one; every call is recorded). jsdom has no <dialog> methods: they are
 * stubbed here.
 */
export function fakeBridge(answers: Partial<Record<CallName, (input: unknown) => unknown>>, info: { readOnly?: boolean } = {}) {
  const calls: Array<{ name: CallName; input: unknown }> = [];
  const invoke = async (name: CallName, input: unknown): Promise<Result<unknown>> => {
    calls.push({ name, input });
    const answer = answers[name];
    if (!answer) return failure('UNAVAILABLE', `no fake answer for ${name}`);
    const value: unknown = await answer(input);
    return value && typeof value === 'object' && 'ok' in value ? (value as Result<unknown>) : { ok: true, value };
  };
  const api = buildClient(invoke, () => () => undefined);
  useApp.setState({ api, info: { name: 'Signet', version: 'test', host: 'web', readOnly: info.readOnly ?? false, platform: 'test' } });
  return { api, calls };
}

export function stubDialogs(): void {
  const proto = HTMLDialogElement.prototype as unknown as { showModal(): void; close(): void };
  proto.showModal = function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  proto.close = function (this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export async function render(element: ReactElement): Promise<{ container: HTMLElement; root: Root; unmount(): void }> {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  await act(async () => root.render(element));
  return {
    container,
    root,
    unmount: () => {
      act(() => root.unmount());
      container.remove();
    },
  };
}

/** Lets pending promises (fake calls) settle and React re-render. */
export async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  });
}

export async function click(element: Element | null | undefined): Promise<void> {
  if (!element) throw new Error('nothing to click');
  await act(async () => (element as HTMLElement).click());
  await settle();
}

export async function type(element: Element | null | undefined, value: string): Promise<void> {
  if (!(element instanceof HTMLInputElement)) throw new Error('not an input');
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  await act(async () => {
    setter?.call(element, value);
    element.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

export function byText(root: ParentNode, selector: string, text: string | RegExp): HTMLElement | undefined {
  return [...root.querySelectorAll<HTMLElement>(selector)].find((e) =>
    typeof text === 'string' ? e.textContent?.trim() === text : text.test(e.textContent ?? ''),
  );
}

export function byLabel(root: ParentNode, text: string): HTMLElement | null {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent?.trim().startsWith(text));
  if (!label) return null;
  const id = label.getAttribute('for');
  return id ? (root.ownerDocument ?? document).getElementById(id) : label.querySelector('input,select,textarea');
}
