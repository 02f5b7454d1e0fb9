import net from 'node:net';
import { SignetError } from '../../../shared/errors';

/**
 * Offline mode, enforced in one place: every outgoing socket of this process (fetch, http, https,
 * tls, net, every SDK built on them) goes through `net.Socket.prototype.connect`, which refuses to
 * connect while the gate says offline. Local IPC sockets (a filesystem path) are not network and pass.
 */
export interface NetworkPolicy {
  offline(): boolean;
}

export const OFFLINE_MESSAGE =
  'Offline mode is on, so Signet makes no network connections. Turn it off in Settings → Environment (or `signet offline mode off`) to reach registries, KMS or storage.';

const PATCHED = Symbol.for('signet.networkGate');
let policy: NetworkPolicy = { offline: () => false };
let blockedAttempts = 0;

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

/** Installs the gate once per process; later calls replace the policy it consults. */
export function installNetworkGate(next: NetworkPolicy): void {
  policy = next;
  const proto = net.Socket.prototype as unknown as Record<symbol, unknown> & { connect: Connect };
  if (proto[PATCHED]) return;
  const original = proto.connect;
  proto[PATCHED] = original;
  proto.connect = function gatedConnect(this: net.Socket, ...args: unknown[]) {
    if (policy.offline() && !isLocalIpc(args)) {
      blockedAttempts += 1;
      process.nextTick(() => this.destroy(new SignetError('OFFLINE', OFFLINE_MESSAGE)));
      return this;
    }
    return original.apply(this, args);
  };
}

export function isOffline(): boolean {
  return policy.offline();
}

/** Fails early, with the same sentence, before work that would need the network starts. */
export function assertOnline(): void {
  if (policy.offline()) throw new SignetError('OFFLINE', OFFLINE_MESSAGE);
}

/** How many connections the gate refused in this process (shown by the doctor, used by tests). */
export function blockedConnectionAttempts(): number {
  return blockedAttempts;
}

/** True when an error (or one of its causes, as fetch wraps them) is the gate's refusal. */
export function isOfflineError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (e instanceof SignetError && e.code === 'OFFLINE') return true;
  }
  return false;
}

function isLocalIpc(args: unknown[]): boolean {
  // net.connect() hands connect() its normalized arguments as an array: [options, callback].
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (typeof first === 'string') return Number.isNaN(Number(first));
  if (typeof first === 'object' && first !== null) {
    const options = first as { path?: unknown; port?: unknown };
    return typeof options.path === 'string' && options.port === undefined;
  }
  return false;
}
