import type { tokenCalls } from '../../../shared/contract/tokens';
import { SignetError } from '../../../shared/errors';
import type { CoreServices } from '../services';
import type { AreaHandlers } from '../dispatch';
import { redactPin } from './uri';

/** Unexpected errors are logged with their stack by the dispatcher: strip any PIN from them first. */
async function redacted<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SignetError || !(error instanceof Error)) throw error;
    const clean = new Error(redactPin(error.message));
    clean.stack = redactPin(error.stack ?? clean.message);
    throw clean;
  }
}

export function createTokenHandlers(services: CoreServices): AreaHandlers<typeof tokenCalls> {
  const tokens = services.tokens;
  return {
    'tokens.modules': async () => tokens.modules(),
    'tokens.addModule': async (input) => tokens.addModule(input.path),
    'tokens.list': async (input) => tokens.list(input.module),
    'tokens.keys': async (input) => redacted(() => tokens.keys(input)),
    'tokens.generate': async (input, ctx) => {
      ctx.progress(0, 1, `Generating a ${input.type} key "${input.label}" on the token`);
      const key = await redacted(() => tokens.generate(input));
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
    'tokens.testSign': async (input) => redacted(() => tokens.testSign(input)),
    'tokens.diagnostics': async (input) => tokens.diagnostics(input),
  };
}
