import { describe, expect, it } from 'vitest';
import { cleanRegistryHost } from './registry';

describe('cleanRegistryHost', () => {
  it.each([
    ['https://registry.example.com/v2/', 'registry.example.com'],
    ['docker://registry.example.com:5000/team/app:1.0', 'registry.example.com:5000'],
    ['registry.example.com/team/app:1.0', 'registry.example.com'],
    ['  127.0.0.1:5000  ', '127.0.0.1:5000'],
    ['localhost/team/app', 'localhost'],
    ['http://127.0.0.1:5000', '127.0.0.1:5000'],
    ['library/nginx', 'library/nginx'],
  ])('%s → %s', (input, host) => {
    expect(cleanRegistryHost(input)).toBe(host);
  });
});
