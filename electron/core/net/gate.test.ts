import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installNetworkGate, isOfflineError } from './gate';

let offline = true;
let connections = 0;
let server: net.Server;
let port: number;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  installNetworkGate({ offline: () => offline });
  server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function settle(socket: net.Socket): Promise<unknown> {
  return new Promise((resolve) => {
    socket.once('error', resolve);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
  });
}

describe('offline mode network gate', () => {
  it('refuses fetch, http, net and tls while offline, and the listening socket sees nothing', async () => {
    offline = true;
    const fetchError = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(isOfflineError(fetchError)).toBe(true);
    const httpError = await new Promise((resolve) => http.get(`http://127.0.0.1:${port}/`).once('error', resolve));
    expect(isOfflineError(httpError)).toBe(true);
    expect(isOfflineError(await settle(net.connect(port, '127.0.0.1')))).toBe(true);
    expect(isOfflineError(await settle(net.connect({ port, host: 'localhost' })))).toBe(true);
    expect(isOfflineError(await settle(tls.connect({ port, host: '127.0.0.1' })))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(0);
  });

  it('lets connections through once offline mode is off', async () => {
    offline = false;
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(await response.text()).toBe('ok');
    expect(connections).toBeGreaterThan(0);
  });
});
