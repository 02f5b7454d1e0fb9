import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, startAppRulesListener } from '../core/core';
import { bindContract, bindPathDialog, forwardEvents, grantsFor } from './ipc';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './protocol';
import { APP_START_URL, denyAllPermissions, lockDownContents, mainWindowOptions } from './window';

// The renderer and preload are built next to this file by electron-vite.
const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', 'renderer');
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
// The CLI and the app share one data directory; SIGNET_HOME moves both.
if (process.env.SIGNET_HOME?.trim()) app.setPath('userData', path.resolve(process.env.SIGNET_HOME.trim()));
app.enableSandbox();

const openExternal = (url: string) => void shell.openExternal(url);

app.on('web-contents-created', (_event, contents) => lockDownContents(contents, openExternal));

if (!app.requestSingleInstanceLock()) app.quit();

async function start(): Promise<void> {
  await app.whenReady();
  denyAllPermissions(session.defaultSession);
  registerAppProtocol(protocol, rendererDir);
  const core = createCore({ dataDir: app.getPath('userData'), host: 'electron', log: (line) => console.error(line) });
  bindContract(ipcMain, core.dispatch);
  bindPathDialog(ipcMain, dialog, (sender) => BrowserWindow.fromWebContents(sender));
  // Sign on push while the app runs (rules with trigger event+manual); closed when the app quits.
  void startAppRulesListener({ dataDir: app.getPath('userData'), host: 'electron', log: (line) => console.error(line) }).then(
    (listener) => {
      if (listener) app.once('will-quit', () => void listener.close());
    },
  );

  const openWindow = () => {
    const window = new BrowserWindow(mainWindowOptions(preloadPath));
    // A reloaded page starts with no chosen places: handles die with the page that was given them.
    window.webContents.on('did-navigate', () => grantsFor(window.webContents).clear());
    forwardEvents((listener) => core.events.subscribe(listener), window.webContents);
    window.once('ready-to-show', () => window.show());
    void window.loadURL(APP_START_URL);
    return window;
  };
  let main = openWindow();
  app.on('second-instance', () => {
    if (main.isDestroyed()) main = openWindow();
    if (main.isMinimized()) main.restore();
    main.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) main = openWindow();
  });
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

void start();
