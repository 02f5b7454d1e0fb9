import type { tokenCalls } from '../../../shared/contract/tokens';
import type { CoreServices } from '../core';
import type { AreaHandlers } from '../dispatch';
import { TokenService } from './service';

export function createTokenHandlers(services: CoreServices): AreaHandlers<typeof tokenCalls> {
  const findModules = services.options.doctor?.findPkcs11Modules;
  const tokens = new TokenService(services.dataDir, findModules ? { findModules } : {});
  return {
    'tokens.modules': async () => tokens.modules(),
    'tokens.addModule': async (input) => tokens.addModule(input.path),
    'tokens.list': async (input) => tokens.list(input.module),
    'tokens.keys': async (input) => tokens.keys(input),
    'tokens.generate': async (input, ctx) => {
      ctx.progress(0, 1, `Generating a ${input.type} key "${input.label}" on the token`);
      const key = await tokens.generate(input);
      await services.audit.append('key.generated', `Generated ${input.type} key "${input.label}" on PKCS#11 token ${input.token}`, {
        store: 'pkcs11',
        token: input.token,
        label: input.label,
        type: input.type,
        uri: key.uri,
        ...(key.spkiSha256 ? { spkiSha256: key.spkiSha256 } : {}),
      });
      ctx.progress(1, 1, 'Done');
      return key;
    },
    'tokens.testSign': async (input) => tokens.testSign(input),
    'tokens.diagnostics': async (input) => tokens.diagnostics(input),
  };
}
