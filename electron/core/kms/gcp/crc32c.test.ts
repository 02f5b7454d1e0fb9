import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c';

describe('CRC32C', () => {
  it('matches the Castagnoli check value and RFC 3720 examples', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
  });
});
