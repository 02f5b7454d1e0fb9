import { SignetError } from '../../../shared/errors';
import type { storageCalls } from '../../../shared/contract/storage';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { publishStaging, putLookasideSignature } from './lookaside-publish';
import { sha256Hex } from './object-store';

/** Storage profiles, uploads with read-back, lookaside signatures and staging publication. */
/** The reviewer host reads saved profiles only: an inline target would name any folder or server on the host. */
export function reviewerSafe<T extends { profile?: string | undefined }>(services: Pick<CoreServices, 'readOnly'>, target: T): T {
  const inline = Object.entries(target).some(([k, v]) => k !== 'profile' && k !== 'prefix' && v !== undefined);
  if (services.readOnly && (!target.profile || inline))
    throw new SignetError('READ_ONLY', 'In read-only reviewer mode Signet reads saved storage profiles only, as they are.');
  return target;
}

export function createStorageHandlers(services: CoreServices): AreaHandlers<typeof storageCalls> {
  const storage = services.storage;
  return {
    'storage.list': async () => storage.list(),
    'storage.add': async (request) => {
      const profile = await storage.add(request);
      services.log(`storage: profile "${profile.name}" (${profile.kind}, credentials from ${profile.credential.source}) saved`);
      await services.audit.append('storage.changed', `Saved the storage profile "${profile.name}" (${profile.kind})`, {
        name: profile.name,
        kind: profile.kind,
        credentials: profile.credential.source,
      });
      return profile;
    },
    'storage.remove': async ({ name }) => {
      await storage.remove(name);
      await services.audit.append('storage.changed', `Removed the storage profile "${name}"`, { name, removed: true });
      return { removed: true as const };
    },
    'storage.test': async ({ target, mode }) => storage.test(target, mode),
    'storage.upload': async (input, ctx) => {
      const store = await storage.open(input.target);
      const data = Buffer.from(input.content, 'base64');
      ctx.progress(0, data.length, `Uploading ${input.key} to ${store.description}`);
      const result = await store.put(input.key, data, {
        ...(input.overwrite ? { overwrite: true } : {}),
        ...(input.contentType ? { contentType: input.contentType } : {}),
      });
      ctx.progress(data.length, data.length, `Uploaded and read back ${result.url}`);
      await services.audit.append(
        'storage.uploaded',
        `Uploaded ${input.key} to ${store.description}${result.overwritten ? ' (replacing the object there)' : ''}`,
        { url: result.url, sha256: result.sha256, overwritten: result.overwritten },
      );
      return result;
    },
    'storage.objects': async ({ target, prefix, limit }) => (await storage.open(reviewerSafe(services, target))).list(prefix ?? '', limit),
    'storage.download': async ({ target, key }) => {
      const bytes = await (await storage.open(reviewerSafe(services, target))).get(key);
      return { key, content: Buffer.from(bytes).toString('base64'), size: bytes.length, sha256: sha256Hex(bytes) };
    },
    'storage.lookaside': async ({ target, repository, digest, signature }) => {
      const store = await storage.open(target);
      const { alreadyPresent, ...result } = await putLookasideSignature(store, repository, digest, Buffer.from(signature, 'base64'));
      if (!alreadyPresent)
        await services.audit.append('storage.uploaded', `Stored a simple signature at ${result.key} in ${store.description}`, {
          url: result.url,
          sha256: result.sha256,
        });
      return result;
    },
    'storage.publish': async ({ directory, target, scope }, ctx) => {
      const store = await storage.open(target);
      const result = await publishStaging(directory, store, { ...(scope ? { scope } : {}), progress: ctx.progress });
      await services.audit.append(
        'storage.uploaded',
        `Published ${result.uploaded.length} lookaside signature(s) from ${directory} to ${store.description}`,
        { uploaded: result.uploaded.length, identical: result.identical.length },
      );
      return result;
    },
  };
}
