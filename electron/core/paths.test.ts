import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from './paths';

describe('defaultDataDir', () => {
  it('prefers SIGNET_HOME', () => {
    expect(defaultDataDir({ SIGNET_HOME: '/tmp/x', HOME: '/home/u' }, 'linux')).toBe('/tmp/x');
  });
  it('matches Electron userData on each platform', () => {
    expect(defaultDataDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.config/Signet');
    expect(defaultDataDir({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }, 'linux')).toBe('/cfg/Signet');
    expect(defaultDataDir({ HOME: '/Users/u' }, 'darwin')).toBe('/Users/u/Library/Application Support/Signet');
    expect(defaultDataDir({ HOME: 'C:\\Users\\u', APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toBe(
      path.join('C:\\Users\\u\\AppData\\Roaming', 'Signet'),
    );
  });
});
