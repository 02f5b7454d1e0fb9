import { parseReference } from '../../core/registry/reference';
import { UsageError } from './args';
import type { CommandContext } from './command';

/** Finds the saved registry for a reference's host (saving it on first use) and pins the digest. */
export async function resolve(ctx: CommandContext, text: string): Promise<{ id: string; repository: string; digest: string; tag?: string }> {
  let ref;
  try {
    ref = parseReference(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const list = await ctx.call('registry.list', {});
  if (!list.ok) throw new Error(list.message);
  let saved = list.value.find((r) => r.kind === 'distribution' && r.host === ref.registry);
  if (!saved) {
    const added = await ctx.call('registry.add', { host: ref.registry });
    if (!added.ok) throw new Error(added.message);
    saved = added.value;
  }
  const image = await ctx.call('registry.image', { id: saved.id, repository: ref.repository, reference: ref.digest ?? ref.tag ?? 'latest' });
  if (!image.ok) throw new Error(image.message);
  return { id: saved.id, repository: ref.repository, digest: image.value.digest, ...(ref.tag && !ref.digest ? { tag: ref.tag } : {}) };
}
