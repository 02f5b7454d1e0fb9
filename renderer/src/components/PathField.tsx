import { useState } from 'react';
import type { CallName } from '../../../shared/api';
import { HOST_PATH_HANDLE, type HostBridge, type PathChoice } from '../../../shared/contract/host-path';

declare global {
  interface Window {
    /** Set by the Electron preload only: the desktop shell's file dialogs. */
    readonly signetHost?: HostBridge;
  }
}

/** The paths behind the handles this page was given, to show them (the handle is what calls carry). */
const shownPaths = new Map<string, string>();

/** Whether places on disk are chosen in dialogs here (the desktop app) rather than typed (the browser host). */
export function choosesPaths(): boolean {
  return typeof window !== 'undefined' && window.signetHost !== undefined;
}

/** Whether a value is a chosen place's handle (one that must not be kept across restarts). */
export function isChosenHandle(value: string): boolean {
  return HOST_PATH_HANDLE.test(value);
}

/** What to show for a field's value: the chosen path for a handle, else the value itself. */
export function shownPath(value: string): string {
  return shownPaths.get(value) ?? value;
}

const BUTTON_WORDS: Record<PathChoice, string> = { file: 'Choose file…', directory: 'Choose folder…', save: 'Save as…' };

/**
 * A place on disk. In the browser host it is typed; in the desktop app it is chosen in the main
 * process's file dialog (the page never names a path), and `value` holds the dialog's handle.
 * Where `urls` is set, an http(s):// URL can also be typed (a lookaside server).
 */
export function PathField({
  id,
  label,
  purpose,
  value,
  saved,
  onChange,
  choices,
  urls = false,
  placeholder,
  extensions,
  defaultName,
  hint,
  invalid = false,
  describedBy,
  disabled = false,
  compact = false,
}: {
  id: string;
  label: string;
  /** The call and field the place is for: the handle the dialog gives is accepted there only. */
  purpose: { call: CallName; field: string };
  value: string;
  /** The value saved before (shown as it is, not flagged as typed). */
  saved?: string | undefined;
  onChange(value: string): void;
  choices: readonly PathChoice[];
  urls?: boolean;
  placeholder?: string;
  /** For a file or save dialog: the extensions offered (without the dot). */
  extensions?: string[];
  defaultName?: string;
  hint?: string;
  invalid?: boolean;
  describedBy?: string;
  disabled?: boolean;
  /** Inside an inline form: no label above, the label names the input. */
  compact?: boolean;
}) {
  const [dialogError, setDialogError] = useState<string>();
  const host = typeof window !== 'undefined' ? window.signetHost : undefined;
  const typedPathInDesktop =
    host !== undefined && value.trim() !== '' && value !== saved && !isChosenHandle(value) && !/^https?:\/\//i.test(value.trim());
  const choose = async (choice: PathChoice) => {
    if (!host) return;
    setDialogError(undefined);
    const result = await host.choosePath({
      purpose,
      choice,
      title: label,
      ...(extensions && choice !== 'directory' ? { extensions } : {}),
      ...(defaultName && choice === 'save' ? { defaultName } : {}),
    });
    if (!result.ok) setDialogError(result.message);
    else if (result.value) {
      shownPaths.set(result.value.handle, result.value.path);
      onChange(result.value.handle);
    }
  };
  const errorId = `${id}-path-error`;
  const named = compact ? { 'aria-label': label } : {};
  const control = host ? (
    <div className="path-choice">
      <input
        id={id}
        {...named}
        value={shownPath(value)}
        title={shownPath(value) || undefined}
        readOnly={!urls}
        onChange={(e) => onChange(e.target.value)}
        placeholder={urls ? 'https://… or choose a folder' : 'Nothing chosen'}
        spellCheck={false}
        disabled={disabled}
        aria-invalid={invalid || typedPathInDesktop}
        aria-describedby={[describedBy, typedPathInDesktop || dialogError ? errorId : undefined].filter(Boolean).join(' ') || undefined}
      />
      {choices.map((choice) => (
        <button key={choice} type="button" className="button secondary" onClick={() => void choose(choice)} disabled={disabled}>
          {choice === 'file' && extensions?.length === 1 ? `Choose .${extensions[0]}…` : BUTTON_WORDS[choice]}
        </button>
      ))}
      {value && (
        <button type="button" className="button secondary" onClick={() => onChange('')} disabled={disabled} aria-label={`Clear ${label}`}>
          Clear
        </button>
      )}
    </div>
  ) : (
    <input
      id={id}
      {...named}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={placeholder}
      spellCheck={false}
      disabled={disabled}
      aria-invalid={invalid}
      aria-describedby={describedBy}
    />
  );
  const problem = (typedPathInDesktop || dialogError) && (
    <span id={errorId} className="field-error" role="alert">
      {dialogError ?? 'Type a URL (https://…), or choose the folder with “Choose folder…”: typed paths are not used here.'}
    </span>
  );
  if (compact)
    return (
      <>
        {control}
        {problem}
      </>
    );
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {problem}
      {hint && <span className="hint">{hint}</span>}
    </div>
  );
}
