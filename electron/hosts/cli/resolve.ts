import { parseReference } from '../../core/registry/reference';
import { UsageError } from './args';
import type { CommandContext } from './command';

/** Finds the saved registry for a reference's host (saving it on first use), without contacting the image. */
export async function locate(ctx: CommandContext, text: string): Promise<{ id: string; repository: string; reference: string; tag?: string; digest?: string }> {
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
  return { id: saved.id, repository: ref.repository, reference: ref.digest ?? ref.tag ?? 'latest', ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}) };
}

/** `locate`, then pins the digest the reference names now. */
export async function resolve(ctx: CommandContext, text: string): Promise<{ id: string; repository: string; digest: string; tag?: string }> {
  const at = await locate(ctx, text);
  const image = await ctx.call('registry.image', { id: at.id, repository: at.repository, reference: at.reference });
  if (!image.ok) throw new Error(image.message);
  return { id: at.id, repository: at.repository, digest: image.value.digest, ...(at.tag && !at.digest ? { tag: at.tag } : {}) };
}
