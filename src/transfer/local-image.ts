// The image to move, as the local engine knows it, and the name it travels under.
import { UserError } from '../errors.js';
import type { Engine, ImageDetails } from '../engine/index.js';

export interface LocalImage {
  details: ImageDetails;
  /** "repo:tag" when the user named a tag; undefined when they named an ID. */
  ref?: string;
}

/** "name" → "name:latest"; IDs and digests are left alone. */
export function normalizeTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  return ref.lastIndexOf(':') > slash ? ref : `${ref}:latest`;
}

export async function localImage(engine: Engine, image: string): Promise<LocalImage> {
  const details = await engine.images.inspect(image);
  if (!details) {
    throw new UserError(`no image "${image}" on the local engine (${engine.endpoint.url})`, {
      hint: 'see `docker images`; build it first, or name it by ID',
    });
  }
  const tag = normalizeTag(image);
  const ref = details.repoTags.includes(tag) ? tag : details.repoTags.includes(image) ? image : undefined;
  return { details, ref };
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);
