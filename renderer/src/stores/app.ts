import { create } from 'zustand';
import type { AppInfo, DoctorReport, JobProgress, Settings } from '../../../shared/model';
import type { SignetApi } from '../../../shared/client';
import { parseRoute, routeHash, type Route } from '../nav';

interface AppState {
  api?: SignetApi;
  info?: AppInfo;
  connectionError?: string;
  settings?: Settings;
  settingsError?: string;
  route: Route;
  /** A success said briefly, then gone (errors stay beside what caused them). */
  toast?: { id: number; message: string };
  confirm(message: string): void;
  doctor: { report?: DoctorReport; running: boolean; progress?: JobProgress; error?: string };
  init(api: SignetApi): Promise<void>;
  /** Goes to a place; `replace` swaps the current history entry (moving through a list with the keys). */
  navigate(route: Route, options?: { replace?: boolean }): void;
  runDoctor(): Promise<void>;
  setOfflineMode(on: boolean): Promise<void>;
}

let doctorJob = 0;
let toasts = 0;
const TOAST_MS = 4000;

export const useApp = create<AppState>((set, get) => ({
  route: parseRoute(window.location.hash),
  doctor: { running: false },

  async init(api) {
    set({ api });
    api.events.subscribe((event) => {
      if (event.type === 'job.progress' && event.payload.call === 'doctor.run' && get().doctor.running) {
        set((s) => ({ doctor: { ...s.doctor, progress: event.payload } }));
      }
    });
    window.addEventListener('hashchange', () => set({ route: parseRoute(window.location.hash) }));
    const [info, settings] = await Promise.all([api.app.info({}), api.settings.get({})]);
    if (info.ok) set({ info: info.value, connectionError: undefined });
    else set({ connectionError: info.message });
    if (settings.ok) set({ settings: settings.value });
  },

  async setOfflineMode(on) {
    const api = get().api;
    if (!api) return;
    const result = await api.settings.set({ offlineMode: on });
    if (result.ok) {
      set((s) => ({
        settings: result.value,
        settingsError: undefined,
        doctor: s.doctor.report ? { ...s.doctor, report: { ...s.doctor.report, offlineMode: on } } : s.doctor,
      }));
    } else set({ settingsError: result.message });
  },

  confirm(message) {
    const id = ++toasts;
    set({ toast: { id, message } });
    setTimeout(() => {
      if (get().toast?.id === id) set({ toast: undefined });
    }, TOAST_MS);
  },

  navigate(route, options) {
    const hash = routeHash(route);
    if (window.location.hash !== hash) {
      if (options?.replace) history.replaceState(null, '', hash);
      else history.pushState(null, '', hash);
    }
    set({ route });
  },

  async runDoctor() {
    const api = get().api;
    if (!api || get().doctor.running) return;
    const jobId = `doctor-${Date.now()}-${++doctorJob}`;
    set((s) => ({ doctor: { ...s.doctor, running: true, error: undefined, progress: undefined } }));
    const result = await api.doctor.run({ jobId });
    set((s) =>
      result.ok ? { doctor: { report: result.value, running: false } } : { doctor: { ...s.doctor, running: false, error: result.message } },
    );
  },
}));
