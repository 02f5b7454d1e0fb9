import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Configuration } from 'electron-builder';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = require('./electron-builder.config.cjs') as Configuration;
const root = path.resolve(import.meta.dirname, '..');

function targets(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
}

describe('electron-builder configuration', () => {
  it('names the app', () => {
    expect(config.appId).toBe('dev.signet.desktop');
    expect(config.productName).toBe('Signet');
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      productName: string;
      scripts: Record<string, string>;
    };
    expect(pkg.productName).toBe('Signet');
    expect(pkg.scripts.release).toContain('build/electron-builder.config.cjs');
  });

  it('builds AppImage and deb for Linux, dmg for macOS, nsis for Windows', () => {
    expect(targets(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(targets(config.mac?.target)).toEqual(['dmg']);
    expect(targets(config.win?.target)).toEqual(['nsis']);
  });

  it('turns off run-as-node, NODE_OPTIONS and inspect arguments', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('has its icon in build/, a real 1024x1024 PNG', () => {
    const icon = readFileSync(path.join(root, 'build', 'icon.png'));
    expect(icon.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(icon.readUInt32BE(16)).toBe(1024);
    expect(icon.readUInt32BE(20)).toBe(1024);
    expect(config.linux?.icon).toBe('build/icon.png');
    expect(existsSync(path.join(root, config.directories?.buildResources ?? 'x'))).toBe(true);
  });

  it('packages only the built app', () => {
    expect(config.files).toContain('out/**');
    expect(config.asar).toBe(true);
  });
});
