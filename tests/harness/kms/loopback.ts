import net from 'node:net';

/**
 * Refuses, for the duration of a test, every TCP connection that is not to 127.0.0.1 or ::1:
 * tests that point a vendor SDK at a fake through a proxy or an endpoint setting must never reach
 * the vendor itself, even if a setting were ignored. Returns the function that lifts the guard.
 */
export function loopbackOnly(): () => void {
  const proto = net.Socket.prototype as unknown as { connect: (...args: unknown[]) => net.Socket };
  const original = proto.connect;
  const refused: string[] = [];
  proto.connect = function guarded(this: net.Socket, ...args: unknown[]) {
    const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : {}) as { host?: string; path?: string; port?: unknown };
    const host = typeof first === 'number' ? (typeof args[1] === 'string' ? args[1] : 'localhost') : options.host;
    const local = options.path !== undefined || host === undefined || host === '127.0.0.1' || host === '::1' || host === 'localhost';
    if (!local) {
      refused.push(String(host));
      process.nextTick(() =>
        this.destroy(
          Object.assign(new Error(`test guard: connection to ${host} refused (tests talk to 127.0.0.1 only)`), { code: 'ECONNREFUSED' }),
        ),
      );
      return this;
    }
    return original.apply(this, args);
  };
  return () => {
    proto.connect = original;
    if (refused.length) throw new Error(`The code tried to reach ${[...new Set(refused)].join(', ')}; tests must talk to 127.0.0.1 only.`);
  };
}
