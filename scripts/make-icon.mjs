// Draws build/icon.png (1024x1024): Signet's diamond mark. Pure Node, so the icon is reproducible.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { root } from './electron-runtime.mjs';

const size = 1024;
const rows = [];
for (let y = 0; y < size; y += 1) {
  const row = Buffer.alloc(1 + size * 4);
  for (let x = 0; x < size; x += 1) {
    const cx = Math.abs(x - size / 2 + 0.5);
    const cy = Math.abs(y - size / 2 + 0.5);
    const r = 180; // corner radius of the tile
    const inset = 40;
    const qx = Math.max(cx - (size / 2 - inset - r), 0);
    const qy = Math.max(cy - (size / 2 - inset - r), 0);
    const inTile = Math.hypot(qx, qy) <= r;
    const diamond = cx + cy;
    let rgba = [0, 0, 0, 0];
    if (inTile) rgba = [21, 27, 43, 255];
    if (inTile && diamond < 300) rgba = [126, 162, 255, 255];
    if (inTile && diamond < 300 && diamond > 250) rgba = [201, 216, 255, 255];
    row.set(rgba, 1 + x * 4);
  }
  rows.push(row);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let k = 0; k < 8; k += 1) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header.set([8, 6, 0, 0, 0], 8);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(join(root, 'build', 'icon.png'), png);
console.log(`build/icon.png: ${png.length} bytes`);
