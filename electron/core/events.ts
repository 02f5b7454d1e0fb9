import type { SignetEvent } from '../../shared/api';

export type EventListener = (event: SignetEvent) => void;

/** Fan-out of core events to every host subscriber (IPC window, SSE clients, CLI progress). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SignetEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // one broken subscriber must not stop the others
      }
    }
  }
}
