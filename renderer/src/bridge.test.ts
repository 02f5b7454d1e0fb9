import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, takeToken } from './bridge';

afterEach(() => {
  sessionStorage.clear();
  vi.unstubAllGlobals();
  history.replaceState(null, '', '/');
});

describe('renderer bridge (browser mode)', () => {
  it('takes the token from the fragment once and removes it from the address bar', () => {
    history.replaceState(null, '', '/#token=abc_DEF-123');
    expect(takeToken()).toBe('abc_DEF-123');
    expect(window.location.hash).toBe('');
    expect(takeToken()).toBe('abc_DEF-123');
  });

  it('sends calls with the token header and passes results through', async () => {
    sessionStorage.setItem('signet.token', 'tok');
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ ok: true, value: { offlineMode: false } }), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const api = connect();
    await expect(api.settings.get({})).resolves.toEqual({ ok: true, value: { offlineMode: false } });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/call/settings.get');
    expect((init.headers as Record<string, string>)['X-Signet-Token']).toBe('tok');
  });

  it('turns a host that answers nonsense into an error sentence, not an exception', async () => {
    sessionStorage.setItem('signet.token', 'tok');
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html>', { status: 502 })),
    );
    await expect(connect().app.info({})).resolves.toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ ok: false, code: 'NOT_A_CODE', message: 'x' }))),
    );
    await expect(connect().app.info({})).resolves.toMatchObject({ ok: false, code: 'UNAVAILABLE' });
  });

  it('without a token, says how to get one', async () => {
    await expect(connect().app.info({})).resolves.toMatchObject({
      ok: false,
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('signet serve'),
    });
  });
});
