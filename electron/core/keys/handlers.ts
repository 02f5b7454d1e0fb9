import type { keyCalls } from '../../../shared/contract/keys';
import { SignetError } from '../../../shared/errors';
import type { CoreServices } from '../core';
import type { AreaHandlers } from '../dispatch';

export function createKeyHandlers(services: CoreServices): AreaHandlers<typeof keyCalls> {
  const keys = services.keys;
  const vaultOf = () => {
    if (!keys.vault) throw new SignetError('UNSUPPORTED', 'This host has no vault file.');
    return keys.vault;
  };
  return {
    'keys.list': async () => keys.list(),
    'keys.get': async (input) => ({ info: await keys.get(input.key), exports: await keys.publicExports(input.key) }),
    'keys.generate': async (input, ctx) => {
      ctx.progress(0, 1, `Generating ${input.type} key "${input.name}"`);
      const info = await keys.generate({ name: input.name, type: input.type, ...(input.userId ? { userId: input.userId } : {}), ...(input.expires ? { expires: new Date(input.expires) } : {}), ...(input.labels ? { labels: input.labels } : {}), ...(input.store ? { store: input.store } : {}) });
      ctx.progress(1, 1, 'Done');
      return info;
    },
    'keys.import': async (input) => {
      const password = Buffer.from(input.password, 'utf8');
      try {
        const { found, ...info } = await keys.importKey({ name: input.name, text: input.text, password, ...(input.store ? { store: input.store } : {}) });
        return { info, found };
      } finally {
        password.fill(0);
      }
    },
    'keys.attachCertificate': async (input) => keys.attachCertificate(input.key, input.encoding === 'der-base64' ? Buffer.from(input.chain, 'base64') : Buffer.from(input.chain, 'utf8')),
    'keys.csr': async (input) => ({ csr: await keys.csr(input.key, { commonName: input.commonName, ...(input.organization ? { organization: input.organization } : {}) }) }),
    'keys.vaultStatus': async () => vaultOf().status(),
    'keys.vaultUnlock': async (input) => {
      const passphrase = Buffer.from(input.passphrase, 'utf8');
      try {
        return await vaultOf().unlock(passphrase);
      } finally {
        passphrase.fill(0);
      }
    },
    'keys.vaultLock': async () => {
      vaultOf().lock();
      return vaultOf().status();
    },
    'keys.addKms': async (input) => {
      const signer = await services.kms.signer(input.uri, { ...(input.connection ? { connection: input.connection } : {}), ...(input.algorithm ? { algorithm: input.algorithm } : {}) });
      return keys.addKms({ name: input.name, uri: input.uri, ...(input.connection ? { connection: input.connection } : {}), algorithm: signer.describe().algorithm, publicKeyPem: await signer.publicKeyPem() });
    },
    'keys.exportCosign': async (input) => {
      const password = Buffer.from(input.password, 'utf8');
      try {
        return await keys.exportCosign(input.key, password);
      } finally {
        password.fill(0);
      }
    },
    'keys.retire': async (input) => keys.retire(input.key),
    'keys.delete': async (input) => {
      await keys.delete(input.key, input.confirmName);
      return { deleted: true as const };
    },
  };
}
