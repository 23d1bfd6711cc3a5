import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDevcontainer, parseDevcontainer } from '../../../../src/config/devcontainer/parse.js';
import { replaceContainerEnv, replaceLocal } from '../../../../src/config/devcontainer/variables.js';
import { ConfigError } from '../../../../src/errors.js';

function folder(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tc-dc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const parse = (dir: string, env: NodeJS.ProcessEnv = {}) => parseDevcontainer(findDevcontainer(dir)!, dir, { devcontainerId: 'abc', env });

test('.devcontainer/devcontainer.json is found before .devcontainer.json; neither: null', (t) => {
  const both = folder(t, { '.devcontainer/devcontainer.json': '{"image":"a"}', '.devcontainer.json': '{"image":"b"}' });
  assert.equal(findDevcontainer(both), join(both, '.devcontainer/devcontainer.json'));
  const root = folder(t, { '.devcontainer.json': '{"image":"b"}' });
  assert.equal(findDevcontainer(root), join(root, '.devcontainer.json'));
  assert.equal(findDevcontainer(folder(t, {})), null);
});

test('.devcontainer/<name>/devcontainer.json: the one there is found; several are an error naming them', (t) => {
  const one = folder(t, { '.devcontainer/python/devcontainer.json': '{"image":"a"}', '.devcontainer/notes/readme.md': '' });
  assert.equal(findDevcontainer(one), join(one, '.devcontainer/python/devcontainer.json'));
  const top = folder(t, { '.devcontainer/devcontainer.json': '{"image":"a"}', '.devcontainer/gpu/devcontainer.json': '{"image":"b"}' });
  assert.equal(findDevcontainer(top), join(top, '.devcontainer/devcontainer.json'), 'the top one wins');
  const two = folder(t, { '.devcontainer/gpu/devcontainer.json': '{"image":"a"}', '.devcontainer/cpu/devcontainer.json': '{"image":"b"}' });
  assert.throws(() => findDevcontainer(two), (e: Error) => e instanceof ConfigError && /2 configurations \(cpu\/devcontainer\.json, gpu\/devcontainer\.json\)/.test(e.message));
});

test('an image config with comments, remoteEnv variables and a string postCreateCommand', (t) => {
  const dir = folder(t, {
    '.devcontainer.json': `// an image, as it is
{
  "image": "transferctl/jupyter:bookworm",
  "postCreateCommand": "touch /tmp/created",
  "remoteEnv": { "LOCAL_PATH": "\${localEnv:PATH}", "CONTAINER_PATH": "\${containerEnv:PATH}", "GONE": null },
  "containerEnv": { "WHERE": "\${localWorkspaceFolderBasename} in \${containerWorkspaceFolder}" },
}`,
  });
  const dc = parse(dir, { PATH: '/host/bin' });
  assert.equal(dc.image, 'transferctl/jupyter:bookworm');
  assert.equal(dc.build, undefined);
  assert.deepEqual(dc.lifecycle.postCreateCommand, { kind: 'shell', command: 'touch /tmp/created' });
  assert.deepEqual(dc.remoteEnv, { LOCAL_PATH: '/host/bin', CONTAINER_PATH: '${containerEnv:PATH}' });
  const base = dir.split('/').pop();
  assert.equal(dc.workspaceFolder, `/workspaces/${base}`);
  assert.equal(dc.containerEnv.WHERE, `${base} in /workspaces/${base}`);
});

test('a build config: dockerfile and context relative to the file, args, target; the three command forms', (t) => {
  const dir = folder(t, {
    '.devcontainer/Dockerfile': 'FROM x\n',
    '.devcontainer/devcontainer.json': JSON.stringify({
      build: { dockerfile: 'Dockerfile', context: '..', target: 'desired-image', args: { VARIANT: '${localEnv:VARIANT:3.11}' } },
      postCreateCommand: { one: 'touch /tmp/1', two: ['touch', '/tmp/2'] },
      postStartCommand: ['date'],
      postAttachCommand: 'true',
    }),
  });
  const dc = parse(dir);
  assert.deepEqual(dc.build, { dockerfile: join(dir, '.devcontainer/Dockerfile'), context: dir, target: 'desired-image', args: { VARIANT: '3.11' } });
  assert.deepEqual(dc.lifecycle.postCreateCommand, {
    kind: 'parallel',
    commands: { one: { kind: 'shell', command: 'touch /tmp/1' }, two: { kind: 'exec', argv: ['touch', '/tmp/2'] } },
  });
  assert.deepEqual(dc.lifecycle.postStartCommand, { kind: 'exec', argv: ['date'] });
});

test('the older top-level dockerFile and context work too', (t) => {
  const dir = folder(t, { 'Dockerfile': 'FROM x\n', '.devcontainer.json': '{ "dockerFile": "Dockerfile", "context": "." }' });
  assert.deepEqual(parse(dir).build, { dockerfile: join(dir, 'Dockerfile'), context: dir, args: {}, target: undefined });
});

test('workspaceMount and workspaceFolder: the host folder, where it goes, where Jupyter starts', (t) => {
  const dir = folder(t, {
    '.devcontainer.json': '{ "image": "i", "workspaceMount": "source=${localWorkspaceFolder}/data,target=/work,type=bind,consistency=cached", "workspaceFolder": "/work" }',
  });
  const dc = parse(dir);
  assert.deepEqual(dc.workspaceMount, { source: `${dir}/data`, target: '/work', readOnly: false });
  assert.equal(dc.workspaceFolder, '/work');
});

function fails(fn: () => unknown, pattern: RegExp): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('errors name file:line:column and the key', (t) => {
  const dir = folder(t, { '.devcontainer.json': '{\n  "image": "i",\n  "dockerComposeFile": "compose.yml"\n}' });
  const e = fails(() => parse(dir), /devcontainer\.json:3:3: dockerComposeFile: Docker Compose configs are not supported/);
  assert.match(e.hint ?? '', /"image" or "build"/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "image": "i", "initializeCommand": "make" }' })), /initializeCommand: runs a command on this machine/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "image": "i", "privileged": true }' })), /privileged: widens/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "image": "i", "postCreateComand": "x" }' })), /postCreateComand: unknown key — did you mean "postCreateCommand"\?/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "image": "i", "build": { "dockerfile": "D" } }' })), /both "image" and "build"/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "build": { "dockerfile": "Nope" } }' })), /build\.dockerfile: .*Nope does not exist/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "name": "only a name" }' })), /neither "image" nor "build"/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "image": "i", "forwardPorts": ["db:5432"] }' })), /:1:34: forwardPorts\.0: "db:5432" is not a port of this container/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "image": "i", "containerEnv": { "A": 1 } }' })), /containerEnv\.A: expected a string/);
  fails(() => parse(folder(t, { '.devcontainer.json': '{ "image": "i", ' })), /syntax error/);
});

test('editor settings and unknown keys of other tools are ignored; features are listed', (t) => {
  const dc = parse(folder(t, {
    '.devcontainer.json': '{ "image": "i", "name": "n", "customizations": { "vscode": {} }, "someOtherToolSetting": 1, "features": { "ghcr.io/devcontainers/features/node:1": {}, "go": "latest" } }',
  }));
  assert.deepEqual(dc.features, ['ghcr.io/devcontainers/features/node:1', 'go']);
});

test('variables: defaults, unknown names and shell variables stay as written', () => {
  const vars = { localWorkspaceFolder: '/home/me/proj', devcontainerId: 'id1', env: { A: 'a' } };
  assert.equal(replaceLocal('${localEnv:A} ${localEnv:B:dflt} ${localEnv:C} ${HOME} ${devcontainerId}', vars), 'a dflt  ${HOME} id1');
  assert.equal(replaceLocal('${containerWorkspaceFolder}', vars), '${containerWorkspaceFolder}');
  assert.equal(replaceContainerEnv('${containerEnv:PATH}:/x ${containerEnv:NOPE:d}', { PATH: '/usr/bin' }), '/usr/bin:/x d');
});
