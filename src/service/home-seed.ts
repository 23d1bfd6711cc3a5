// limits.disk needs the image's home twice: hidden under a size-limited tmpfs in each visitor
// container, and as the source the container copies it from at start. The source is one
// volume per service and image ("tcs-NAME-home-IMAGEID"), filled by the engine itself: a
// volume mounted empty over a folder of the image gets that folder's contents.
import type { Engine, ImageDetails } from '../engine/index.js';
import { UserError } from '../errors.js';
import type { ServeSpec } from './config.js';
import { prefixFor, SL } from './labels.js';
import { baseLabels } from '../labels.js';
import type { VisitorDisk } from './spawn-plan.js';

/** The image's home: its WORKDIR, else its HOME. */
export function imageHome(image: Pick<ImageDetails, 'workingDir' | 'env'>): string | undefined {
  if (image.workingDir && image.workingDir !== '/') return image.workingDir;
  const home = image.env.find((e) => e.startsWith('HOME='))?.slice(5);
  return home && home !== '/' ? home : undefined;
}

export async function prepareDisk(engine: Engine, spec: ServeSpec, image: ImageDetails): Promise<VisitorDisk | undefined> {
  if (spec.limits.diskBytes === undefined) return undefined;
  const home = imageHome(image);
  if (!home) {
    throw new UserError(`image ${spec.image} names no home folder (no WORKDIR or HOME): limits.disk cannot give visitors a writable copy of it`, {
      hint: 'set WORKDIR in the image to the folder visitors work in, or set "limits": { "disk": false } in the serve config',
    });
  }
  const seed = `${prefixFor(spec.name)}-home-${image.id.replace(/^sha256:/, '').slice(0, 12)}`;
  const labels = { ...baseLabels('service'), [SL.service]: spec.name };
  const existing = await engine.volumes.list({ labels: [`${SL.service}=${spec.name}`] });
  if (!existing.some((v) => v.name === seed)) {
    await engine.volumes.create(seed, labels);
    // Creating (not starting) a container with the empty volume over the home fills it.
    try {
      const filler = await engine.containers.create({
        name: `${seed}-fill`,
        image: spec.image,
        cmd: ['true'],
        labels,
        mounts: [{ type: 'volume', source: seed, target: home }],
        network: 'none',
      });
      await engine.containers.remove(filler, { force: true, volumes: true });
    } catch (err) {
      await engine.volumes.remove(seed); // never leave an empty seed behind for the next start
      throw err;
    }
  }
  // Seeds of earlier images go once nothing uses them (the engine refuses while something does).
  for (const v of existing) if (v.name !== seed && v.name.startsWith(`${prefixFor(spec.name)}-home-`)) await engine.volumes.remove(v.name);
  return { bytes: spec.limits.diskBytes, home, seed, volumes: image.volumes.filter((p) => p !== home) };
}
