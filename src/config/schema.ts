// The transfer.json model: one zod schema gives the types, the validation and the
// published JSON Schema (schema/transfer.schema.json, written by `npm run schema`).
import * as z from 'zod';

export const JUPYTER_MODES = ['lab', 'notebook', 'server', 'none'] as const;

/**
 * The schemas, built on first use. zod builds a schema eagerly (~15 ms for these on a slow
 * machine), and a command whose config is known to be valid (valid-cache.ts) needs none.
 * No defaults or transforms: a valid document parses to itself (load.ts relies on that).
 */
function build() {
  const name = (what: string) =>
    z
      .string()
      .min(1)
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, `${what} may use letters, digits, '_', '.' and '-', starting with a letter or digit`);

  const imageRef = z
    .string()
    .min(1)
    .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, 'an image name is lowercase: [registry/]repository[:tag]');

  const containerSchema = z
    .strictObject({
      name: name('a container name').describe('Name of the workspace container (seed 000). Default: tc-<folder>-<id>.'),
    })
    .describe('The workspace container.');

  const imageSchema = z
    .strictObject({
      name: imageRef.describe('Image to build and run, e.g. "my-analysis" or "my-analysis:v2". Default: tc-<folder>.'),
      dockerfile: z.string().min(1).optional().describe('Dockerfile, relative to this file. Default: ./Dockerfile when it exists and no binder/ folder does, else one transferctl generates from repo2docker\'s files.'),
      context: z.string().min(1).optional().describe('Build context folder, relative to this file. Default: the Dockerfile\'s folder.'),
      base: imageRef.optional().describe('Base image for the Dockerfile transferctl generates (passed as build arg BASE_IMAGE). Default: the pinned Jupyter docker-stacks image, or the local Debian JupyterLab image offline.'),
      'build-args': z.record(z.string(), z.string()).optional().describe('Build arguments (ARG) for the Dockerfile.'),
      target: z.string().min(1).optional().describe('Build stage to stop at (multi-stage Dockerfiles).'),
      pull: z.boolean().optional().describe('Always try to pull a newer base image when building. Default: false.'),
      'cache-repo': z
        .string()
        .min(1)
        .regex(/^(?:[a-z0-9][a-z0-9.-]*(?::\d+)?\/)?[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*$/, 'a repository without a tag: [registry/]repository, e.g. "127.0.0.1:5000/team/analysis-env"')
        .optional()
        .describe('Repository of prebuilt environment images, tagged env-<hash of the environment\'s inputs>: `build` and `up` pull from it instead of building, `build --push-cache` pushes to it. Default: <commit.repo>/<image name>-env when commit.repo is set, else none (builds stay on this engine).'),
    })
    .describe('The workspace image.');

  const volumeSchema = z
    .strictObject({
      'mount-point': z.string().startsWith('/', 'the mount point is an absolute path inside the container').describe('Where the host folder appears inside the container. Default: /home/jovyan/work.'),
      'host-directory': z.string().min(1).describe('Host folder with your notebooks, code and data, relative to this file. Default: "."'),
      'read-only': z.boolean().optional().describe('Mount the folder read-only.'),
    })
    .partial({ 'mount-point': true, 'host-directory': true })
    .describe('The host folder mounted into the container (your work).');

  const commitSchema = z
    .strictObject({
      name: z.string().min(1).describe('Repository name for committed/saved images, e.g. "bare-notebook-latest".'),
      repo: z.string().min(1).optional().describe('Registry (and namespace) to push to, e.g. "nvcr.io/myteam" or "127.0.0.1:5000".'),
      tag: z.string().min(1).optional().describe('Tag for commit/save. Default: a timestamp, and "latest" moves with it.'),
    })
    .describe('Where `commit`, `save` and `push` put the workspace image (seed 000).');

  const saveSchema = z
    .strictObject({
      'archive-path': z.string().regex(/^\/[^\0]*[^/]$/, 'an absolute path inside the image, not "/"').optional().describe('Where `save` puts the mounted folder inside the image. Default: /archive.'),
      'squash-after': z.number().int().min(1).max(100).optional().describe('How many archive layers a saved image may stack before `save` rewrites the archive as one layer. Default: 20.'),
    })
    .describe('How `save` stores the workspace folder inside the image.');

  const jupyterSchema = z
    .strictObject({
      mode: z.enum(JUPYTER_MODES).optional().describe('lab (JupyterLab), notebook (classic), server (Jupyter Server only) or none (run `command`). Default: lab.'),
      command: z.array(z.string()).min(1).optional().describe('A custom command instead of Jupyter, as an argument list. {port}, {token} and {root} are replaced.'),
      port: z.number().int().min(1).max(65535).optional().describe('Port the server listens on inside the container. Default: 8888.'),
      args: z.array(z.string()).optional().describe('Extra arguments for the Jupyter command.'),
    })
    .describe('What serves the notebooks inside the container.');

  const publishSchema = z
    .strictObject({
      port: z.number().int().min(1).max(65535).optional().describe('Host port. When set it is fixed (an error if taken); unset: 8888 or the next free one.'),
      address: z.string().min(1).optional().describe('Host address to bind. Default: 127.0.0.1 (this machine only). "0.0.0.0" opens it to the network.'),
    })
    .describe('How the notebook port is published on the host.');

  const resourcesSchema = z
    .strictObject({
      memory: z.string().regex(/^\d+(\.\d+)?\s*[bkmgt]?i?b?$/i, 'a size like "4g", "512m" or "2GiB"').optional().describe('Memory limit, e.g. "8g".'),
      cpus: z.number().positive().optional().describe('CPU limit, e.g. 2 or 0.5.'),
      'shm-size': z.string().regex(/^\d+(\.\d+)?\s*[bkmgt]?i?b?$/i, 'a size like "1g"').optional().describe('Size of /dev/shm (PyTorch data loaders need more than 64m).'),
    })
    .describe('Resource limits (work with cgroups v1 and v2).');

  const gpuSchema = z
    .union([z.boolean(), z.literal('all'), z.number().int().positive(), z.array(z.string().min(1)).min(1)])
    .describe('GPUs: true or "all", a count, or a list of device IDs. Needs the NVIDIA container runtime on the engine.');

  const profileMountSchema = z
    .strictObject({
      type: z.enum(['bind', 'volume', 'tmpfs']).optional().describe('Default: bind when source is a path, else volume.'),
      source: z.string().min(1).optional().describe('Host path (relative to the project root) or volume name. {project-name}, {project-root}, {user}, {home} are replaced.'),
      target: z.string().startsWith('/', 'the target is an absolute path inside the container').describe('Path inside the container.'),
      'read-only': z.boolean().optional(),
    })
    .describe('A mount, as `--mount` would give it.');

  const profileSchema = z
    .strictObject({
      image: name('an image folder').optional().describe('The docker/<folder> this profile runs (run.cfg\'s `name=` of a synthetic image). Default: the profile\'s own name.'),
      tag: z.string().min(1).optional().describe('Image tag instead of your user name.'),
      environment: z
        .union([z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), z.string()), z.string()])
        .optional()
        .describe('Variables: {"NAME": "value"}, or run.cfg\'s form "-e NAME=value …".'),
      interactive: z.enum(['-it', '-ti', '-i', '-t', '-d']).optional().describe('-it: a terminal with input; -i: input only; -t: a terminal only; -d: detached. Default: in the foreground, output only.'),
      gpu: z
        .union([z.boolean(), z.literal('all'), z.number().int().positive(), z.array(z.string().min(1)).min(1), z.string().regex(/^\s*-/, 'docker flags such as "--gpus all"')])
        .optional()
        .describe('What `--gpu` adds: true/"all", a count, device IDs, or flags like "--runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all".'),
      network: z.string().min(1).optional().describe('Network name (bridge, host, none, or one you created).'),
      volumes: z
        .union([z.string(), z.array(z.union([z.string(), profileMountSchema]))])
        .optional()
        .describe('"host:container[:ro]" entries or mount objects; or run.cfg\'s form "-v a:b --mount …".'),
      ports: z
        .union([z.string(), z.array(z.union([z.string(), z.number().int().min(1).max(65535)]))])
        .optional()
        .describe('"[address:]host:container[/proto]" entries (127.0.0.1 unless an address is given), or run.cfg\'s form "-p 8888:8888".'),
      cmd: z.union([z.string(), z.array(z.string()).min(1)]).optional().describe('The command: a list of arguments, or words.'),
    })
    .describe('How an image of a project (docker/<folder>/Dockerfile) runs: the same keys as a docker/run.cfg section.');

  const transferConfigSchema = z
    .strictObject({
      $schema: z.string().optional(),
      container: containerSchema.partial().optional(),
      image: imageSchema.partial({ name: true }).optional(),
      volume: volumeSchema.optional(),
      commit: commitSchema.optional(),
      save: saveSchema.optional(),
      jupyter: jupyterSchema.optional(),
      publish: publishSchema.optional(),
      environment: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name'), z.string()).optional().describe('Environment variables for the container.'),
      'ssh-agent': z.boolean().optional().describe('Forward your SSH agent (SSH_AUTH_SOCK) into the container (seed 002). Default: false.'),
      gpu: gpuSchema.optional(),
      resources: resourcesSchema.optional(),
      'user-mapping': z.boolean().optional().describe('Run as your host UID/GID so files written to the folder are yours. Default: true.'),
      profiles: z
        .record(name('a profile name'), profileSchema)
        .optional()
        .describe('Run profiles for a project with docker/<folder>/Dockerfile images (like docker/run.cfg sections; a name that is not a folder is a synthetic image).'),
    })
    .describe('transferctl workspace configuration (transfer.json).');

  return { containerSchema, imageSchema, volumeSchema, commitSchema, saveSchema, jupyterSchema, publishSchema, resourcesSchema, gpuSchema, profileMountSchema, profileSchema, transferConfigSchema };
}

let built: ReturnType<typeof build> | undefined;

export function schemas(): ReturnType<typeof build> {
  return (built ??= build());
}

export type TransferConfig = z.infer<ReturnType<typeof build>['transferConfigSchema']>;
