import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OciLayout } from './layout';
import { extractTar, extractTarFile } from './tar';

const temp = (p: string) => mkdtempSync(path.join(tmpdir(), `signet-${p}-`));

describe('OCI image layout', () => {
  it('writes and reads back images by tag and digest, checking digests', async () => {
    const dir = temp('layout');
    const layout = await OciLayout.create(dir);
    const config = await layout.pushBlob('image', Buffer.from('{"os":"linux","architecture":"amd64"}'));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 37 },
        layers: [],
      }),
    );
    const digest = await layout.pushManifest('image', 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
    await layout.pushManifest('team/app', '2.0', manifest, 'application/vnd.oci.image.manifest.v1+json');
    expect((await layout.repositories()).repositories).toEqual(['image', 'team/app']);
    expect((await layout.tags('image')).tags).toEqual(['v1']);
    expect((await layout.manifest('team/app', '2.0')).digest).toBe(digest);
    // A blob whose bytes changed on disk is refused.
    writeFileSync(path.join(dir, 'blobs', 'sha256', config.slice(7)), '{"os":"evil"}');
    await expect(layout.blob('image', config, 1024)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('reads a layout skopeo wrote and a tar of it', async () => {
    const dir = temp('skopeo');
    const source = await OciLayout.create(path.join(dir, 'src'));
    const configBytes = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const config = await source.pushBlob('image', configBytes);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: configBytes.length },
        layers: [],
      }),
    );
    await source.pushManifest('image', 'latest', manifest, 'application/vnd.oci.image.manifest.v1+json');
    execFileSync('skopeo', ['copy', '--quiet', `oci:${path.join(dir, 'src')}:latest`, `oci:${path.join(dir, 'copy')}:copied`]);
    const copy = new OciLayout(path.join(dir, 'copy'));
    await copy.check();
    expect((await copy.tags('image')).tags).toEqual(['copied']);
    expect((await copy.manifest('image', 'copied')).parsed.config?.digest).toBe(config);

    execFileSync('tar', ['-cf', path.join(dir, 'copy.tar'), '-C', path.join(dir, 'copy'), '.']);
    const extracted = temp('untar');
    expect(await extractTar(readFileSync(path.join(dir, 'copy.tar')), extracted)).toBeGreaterThan(2);
    expect((await new OciLayout(extracted).tags('image')).tags).toEqual(['copied']);
  });

  it('refuses archive entries that escape their folder or are links', async () => {
    const dir = temp('evil');
    mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(dir, 'in', 'ok'), 'x');
    execFileSync('ln', ['-s', '/etc/passwd', path.join(dir, 'in', 'link')]);
    execFileSync('tar', ['-cf', path.join(dir, 'link.tar'), '-C', path.join(dir, 'in'), 'ok', 'link']);
    await expect(extractTar(readFileSync(path.join(dir, 'link.tar')), temp('out'))).rejects.toThrow('symbolic link');
    execFileSync('tar', ['-cPf', path.join(dir, 'dots.tar'), '--transform', 's,^,../../,', '-C', path.join(dir, 'in'), 'ok']);
    await expect(extractTar(readFileSync(path.join(dir, 'dots.tar')), temp('out'))).rejects.toThrow('escapes its folder');
    execFileSync('tar', ['-cPf', path.join(dir, 'abs.tar'), path.join(dir, 'in', 'ok')]);
    await expect(extractTar(readFileSync(path.join(dir, 'abs.tar')), temp('out'))).rejects.toThrow('escapes its folder');
  });

  it('extracts a .tar file read piece by piece, and refuses a FIFO or device as the archive', { timeout: 5000 }, async () => {
    const dir = temp('tarfile');
    mkdirSync(path.join(dir, 'in', 'blobs'), { recursive: true });
    writeFileSync(path.join(dir, 'in', 'blobs', 'big'), Buffer.alloc(3 * 1024 * 1024 + 5, 1));
    writeFileSync(path.join(dir, 'in', 'small'), 'x');
    execFileSync('tar', ['-cf', path.join(dir, 'a.tar'), '-C', path.join(dir, 'in'), '.']);
    const out = temp('tarout');
    expect(await extractTarFile(path.join(dir, 'a.tar'), out)).toBe(4);
    expect(readFileSync(path.join(out, 'blobs', 'big')).equals(Buffer.alloc(3 * 1024 * 1024 + 5, 1))).toBe(true);
    await expect(extractTarFile(path.join(dir, 'a.tar'), temp('tarcap'), 1024)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    execFileSync('mkfifo', [path.join(dir, 'fifo.tar')]);
    await expect(extractTarFile(path.join(dir, 'fifo.tar'), temp('tarfifo'))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/FIFO/),
    });
    symlinkSync('/dev/zero', path.join(dir, 'zero.tar'));
    await expect(extractTarFile(path.join(dir, 'zero.tar'), temp('tarzero'))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/character device/),
    });
  });

  it(
    'refuses a FIFO, a link to /dev/zero or a link out of the tree as oci-layout, index.json or a blob, without hanging',
    { timeout: 5000 },
    async () => {
      const dir = temp('hostile');
      const layout = await OciLayout.create(dir);
      const config = await layout.pushBlob('image', Buffer.from('{}'));
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
          layers: [],
        }),
      );
      await layout.pushManifest('image', 'v1', manifest, 'application/vnd.oci.image.manifest.v1+json');
      await layout.check();

      const marker = path.join(dir, 'oci-layout');
      rmSync(marker);
      execFileSync('mkfifo', [marker]);
      await expect(layout.check()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/oci-layout.*FIFO/) });
      rmSync(marker);
      symlinkSync('/dev/zero', marker);
      await expect(layout.check()).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/character device/) });
      rmSync(marker);
      writeFileSync(marker, '{"imageLayoutVersion":"1.0.0"}');

      const index = path.join(dir, 'index.json');
      const saved = readFileSync(index);
      rmSync(index);
      symlinkSync('/dev/zero', index);
      await expect(layout.tags('image')).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/index\.json.*character device/),
      });
      rmSync(index);
      execFileSync('mkfifo', [index]);
      await expect(layout.repositories()).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      rmSync(index);
      const outside = path.join(temp('outside'), 'index.json');
      writeFileSync(outside, saved);
      symlinkSync(outside, index);
      await expect(layout.tags('image')).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/symbolic link leading out/),
      });
      rmSync(index);
      writeFileSync(index, saved);

      const blob = path.join(dir, 'blobs', 'sha256', config.slice(7));
      rmSync(blob);
      execFileSync('mkfifo', [blob]);
      await expect(layout.blob('image', config, 1024)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      rmSync(blob);
      symlinkSync('/dev/zero', blob);
      await expect(layout.blob('image', config, 1024)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      rmSync(blob);
      writeFileSync(blob, Buffer.alloc(2048));
      await expect(layout.blob('image', config, 1024)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    },
  );
});
