import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { BrowserWindow, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { CALL_NAMES, contract, type CallName } from '../../shared/api';
import {
  ChoosePathRequest,
  CHOOSE_PATH_CHANNEL,
  fieldName,
  HOST_PATH_HANDLE,
  hostPathLocations,
  isTypedUrl,
  swapHostPaths,
  type ChosenPath,
  type HostPathLocation,
  type PathChoice,
} from '../../shared/contract/host-path';
import { failure, SignetError, type Result } from '../../shared/errors';

export { CHOOSE_PATH_CHANNEL };

/**
 * The paths the person chose in this window's file dialogs, each behind a random handle. A call
 * from the page names a place on disk only by such a handle; the page never names a path itself.
 * Handles live as long as the window (its page may keep one across views, not across restarts).
 */
export interface Grant {
  path: string;
  choice: PathChoice;
  /** The call and field it was chosen for; it is accepted there only. */
  purpose: { call: CallName; field: string };
}

export class PathGrants {
  private readonly granted = new Map<string, Grant>();

  grant(grant: Grant): string {
    const handle = `hostpath:${randomBytes(18).toString('base64url')}`;
    this.granted.set(handle, grant);
    return handle;
  }

  lookup(handle: string): Grant | undefined {
    return this.granted.get(handle);
  }

  clear(): void {
    this.granted.clear();
  }
}

const isCallName = (name: string): name is CallName => (CALL_NAMES as readonly string[]).includes(name);

const locationsByCall = new Map<string, readonly HostPathLocation[]>();
function locationsOf(name: CallName): readonly HostPathLocation[] {
  let found = locationsByCall.get(name);
  if (!found) {
    found = hostPathLocations(contract[name].request);
    locationsByCall.set(name, found);
  }
  return found;
}

/**
 * The call's input with every host-path handle swapped for the path it stands for. A typed path,
 * an unknown handle, or a handle chosen for another purpose (a file where a directory is needed)
 * refuses the whole call; only fields that say so take an http(s) URL as typed.
 */
export function resolveHostPaths(name: CallName, input: unknown, grants: PathGrants): Result<unknown> {
  const locations = locationsOf(name);
  if (locations.length === 0) return { ok: true, value: input };
  try {
    const value = swapHostPaths(input, locations, (given, location) => {
      if (isTypedUrl(given, location.meta)) return given;
      const field = fieldName(location);
      if (!HOST_PATH_HANDLE.test(given))
        throw new SignetError(
          'FORBIDDEN',
          `In the desktop app, files and folders are chosen with “Choose…”, not typed: choose the one for ${field} again.`,
        );
      const chosen = grants.lookup(given);
      if (!chosen)
        throw new SignetError(
          'FORBIDDEN',
          `The file or folder chosen for ${field} is no longer known (the page was reloaded): choose it again.`,
        );
      if (chosen.purpose.call !== name || chosen.purpose.field !== field)
        throw new SignetError('FORBIDDEN', `That file or folder was chosen for something else; choose the one for ${field} here.`);
      if (!location.meta.choices.includes(chosen.choice))
        throw new SignetError('INVALID_INPUT', `${field} needs ${wordsFor(location.meta.choices)}, and a ${chosen.choice} was chosen.`);
      return chosen.path;
    });
    return { ok: true, value };
  } catch (error) {
    if (error instanceof SignetError) return failure(error.code, error.message);
    throw error;
  }
}

function wordsFor(choices: readonly PathChoice[]): string {
  const words = { file: 'an existing file', directory: 'a folder', save: 'a new name to save to' } as const;
  return choices.map((choice) => words[choice]).join(' or ');
}

/** The two dialogs Signet shows (Electron's `dialog`, or a stand-in in tests). */
export interface PathDialogs {
  showOpenDialog(window: BrowserWindow, options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(window: BrowserWindow, options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string | undefined }>;
}

/**
 * Shows the dialog the page asked for, modal to its window, and grants the chosen path. The
 * request is checked first; the page chooses only the kind of dialog, its title and filter.
 */
export async function choosePath(
  dialog: PathDialogs,
  window: BrowserWindow,
  grants: PathGrants,
  raw: unknown,
): Promise<Result<ChosenPath | null>> {
  const parsed = ChoosePathRequest.safeParse(raw);
  if (!parsed.success) return failure('INVALID_INPUT', 'This file dialog request is not one Signet makes.');
  const request = parsed.data;
  const call = request.purpose.call;
  const location = isCallName(call)
    ? locationsOf(call).find((l) => fieldName(l) === request.purpose.field && l.meta.choices.includes(request.choice))
    : undefined;
  if (!isCallName(call) || !location)
    return failure('INVALID_INPUT', 'This file dialog request names no place a call takes from a dialog.');
  const filters = request.extensions?.length ? [{ name: request.extensions.join(', '), extensions: request.extensions }] : undefined;
  let chosen: string | undefined;
  if (request.choice === 'save') {
    const options: SaveDialogOptions = {
      title: request.title,
      properties: ['createDirectory', 'showOverwriteConfirmation'],
      ...(filters ? { filters } : {}),
      ...(request.defaultName ? { defaultPath: request.defaultName } : {}),
    };
    const result = await dialog.showSaveDialog(window, options);
    chosen = result.canceled ? undefined : result.filePath;
  } else {
    const options: OpenDialogOptions = {
      title: request.title,
      properties: request.choice === 'directory' ? ['openDirectory', 'createDirectory'] : ['openFile'],
      ...(filters && request.choice === 'file' ? { filters } : {}),
    };
    const result = await dialog.showOpenDialog(window, options);
    chosen = result.canceled ? undefined : result.filePaths[0];
  }
  if (!chosen) return { ok: true, value: null };
  if (!path.isAbsolute(chosen)) return failure('INVALID_INPUT', 'The dialog returned a path that is not absolute.');
  const handle = grants.grant({ path: chosen, choice: request.choice, purpose: { call, field: request.purpose.field } });
  return { ok: true, value: { handle, path: chosen } };
}
