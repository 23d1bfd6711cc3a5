// run.cfg's docker-style values → structured settings (no engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCmd, parseEnvironment, parseGpu, parseInteractive, parsePorts, parseVolumes } from '../../../src/project/docker-args.js';
import { ArgError } from '../../../src/project/flags.js';
import { parseIni, iniGet } from '../../../src/project/ini.js';
import { replaceVariables } from '../../../src/project/variables.js';
import { ConfigError } from '../../../src/errors.js';

const ctx = { root: '/proj', home: '/home/ann' };

test('environment: -e, --env, --env=, quotes, and a name alone taken from the host', () => {
  const env = parseEnvironment(`-e A=1 --env B="two words" --env=C='x=y' -eD=4 -e FROM_HOST -e UNSET_HERE`, { FROM_HOST: 'h' });
  assert.deepEqual(env, { A: '1', B: 'two words', C: 'x=y', D: '4', FROM_HOST: 'h' });
  assert.equal(parseEnvironment('-e HOME=$HOME').HOME, '$HOME', 'nothing is expanded on the host');
});

test('environment: anything but -e is refused with the allowed form', () => {
  assert.throws(() => parseEnvironment('-e A=1 --privileged'), (e: unknown) => e instanceof ArgError && /"--privileged" is not supported in environment/.test(e.message));
  assert.throws(() => parseEnvironment('-e 1BAD=x'), /not a variable name/);
  assert.throws(() => parseEnvironment('-e A="open'), /quote is not closed/);
  assert.throws(() => parseEnvironment('-e'), /needs a value/);
  assert.throws(() => parsePorts('-p 8888:8888 # jupyter'), /comment must be on a line of its own/);
});

test('volumes: -v bind (relative, ~, :ro), named volume, anonymous, --mount, --tmpfs', () => {
  const mounts = parseVolumes(
    '-v /abs:/a -v ./rel:/b:ro -v ~/x:/c -v cache:/d --volume /e --mount type=bind,source=src,target=/f,readonly --mount type=volume,src=v1,dst=/g --tmpfs /h',
    ctx,
  );
  assert.deepEqual(mounts, [
    { type: 'bind', source: '/abs', target: '/a', readOnly: false },
    { type: 'bind', source: '/proj/rel', target: '/b', readOnly: true },
    { type: 'bind', source: '/home/ann/x', target: '/c', readOnly: false },
    { type: 'volume', source: 'cache', target: '/d', readOnly: false },
    { type: 'volume', target: '/e' },
    { type: 'bind', source: '/proj/src', target: '/f', readOnly: true },
    { type: 'volume', source: 'v1', target: '/g', readOnly: false },
    { type: 'tmpfs', target: '/h', readOnly: false },
  ]);
});

test('volumes: malformed and unsupported entries say what is wrong', () => {
  assert.throws(() => parseVolumes('-v /a:relative', ctx), /container path "relative" must be absolute/);
  assert.throws(() => parseVolumes('-v /a:/b:shared', ctx), /volume option "shared" is not supported/);
  assert.throws(() => parseVolumes('-v /a:/b:ro:x', ctx), /is not a volume/);
  assert.throws(() => parseVolumes('--mount type=bind,target=/x', ctx), /bind mount needs source/);
  assert.throws(() => parseVolumes('--mount type=npipe,target=/x', ctx), /mount type "npipe" is not supported/);
  assert.throws(() => parseVolumes('--mount type=bind,source=/a,target=/b,bind-propagation=rshared', ctx), /"bind-propagation" is not supported/);
  assert.throws(() => parseVolumes('-p 80:80', ctx), /"-p" is not supported in volumes/);
});

test('ports: 127.0.0.1 unless an address is written; ranges, protocols, IPv6', () => {
  const ports = parsePorts('-p 8888:8888 -p 0.0.0.0:9000:90 -p 7000 --publish 127.0.0.1::6000/udp -p [::1]:5000:50 -p 3000-3001:4000-4001');
  assert.deepEqual(
    ports.map((p) => [p.hostIp, p.hostPort, p.containerPort, p.protocol, p.explicitAddress]),
    [
      ['127.0.0.1', 8888, 8888, 'tcp', false],
      ['0.0.0.0', 9000, 90, 'tcp', true],
      ['127.0.0.1', 0, 7000, 'tcp', false],
      ['127.0.0.1', 0, 6000, 'udp', true],
      ['::1', 5000, 50, 'tcp', true],
      ['127.0.0.1', 3000, 4000, 'tcp', false],
      ['127.0.0.1', 3001, 4001, 'tcp', false],
    ],
  );
  assert.throws(() => parsePorts('-p 99999:80'), /host port "99999" is not a port/);
  assert.throws(() => parsePorts('-p 80:80/icmp'), /unknown protocol/);
  assert.throws(() => parsePorts('-p 3000-3002:4000-4001'), /differ in length/);
  assert.throws(() => parsePorts('-p abc:1.2.3:80:80'), /not a port mapping/);
});

test('interactive: -it, -ti, -i, -t, -d; anything else names the accepted values', () => {
  assert.equal(parseInteractive('-it'), 'it');
  assert.equal(parseInteractive('-ti'), 'it');
  assert.equal(parseInteractive('-i'), 'i');
  assert.equal(parseInteractive('-t'), 't');
  assert.equal(parseInteractive('-d'), 'd');
  for (const bad of ['-e', 'yes', '-it -d', '']) {
    assert.throws(() => parseInteractive(bad), /use -it .*-i .*-t .*-d/);
  }
});

test('gpu: NVIDIA Docker 2.0 form and --gpus forms', () => {
  assert.deepEqual(parseGpu('--runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all'), { runtime: 'nvidia', env: { NVIDIA_VISIBLE_DEVICES: 'all' } });
  assert.deepEqual(parseGpu('--gpus all').request, { count: -1 });
  assert.deepEqual(parseGpu('--gpus 2').request, { count: 2 });
  assert.deepEqual(parseGpu('--gpus "device=0,1"').request, { deviceIds: ['0', '1'] });
  assert.throws(() => parseGpu('-e X=1'), /asks for no GPU/);
  assert.throws(() => parseGpu('--gpus lots'), /not understood/);
});

test('cmd: JSON exec form or shell words', () => {
  assert.deepEqual(parseCmd('["python", "-m", "app"]'), ['python', '-m', 'app']);
  assert.deepEqual(parseCmd(`sh -c "echo 'a b' $X"`), ['sh', '-c', "echo 'a b' $X"]);
  assert.throws(() => parseCmd('["a", 1]'), /not a list of strings/);
  assert.throws(() => parseCmd('[oops'), /not a JSON list/);
});

test('replacement variables: known ones, {{ }}, ${…} left alone, unknown ones refused', () => {
  const vars = { 'project-name': 'proj', 'project-root': '/p', user: 'ann', home: '/h' };
  assert.equal(replaceVariables('{project-name}/{user}:{project_name} ${HOME} {{x}}', vars), 'proj/ann:proj ${HOME} {x}');
  assert.throws(() => replaceVariables('{projectname}', vars), /unknown replacement variable \{projectname\}/);
});

test('INI: sections, both delimiters, comments, continuation lines, DEFAULT, interpolation', () => {
  const doc = parseIni(
    'run.cfg',
    ['# c', '[DEFAULT]', 'net = bridge', '[dev]', 'a = 1', 'B: two', '; note', 'volumes = -v /a:/a', '    -v /b:/b', '', 'network = %(net)s', 'pct = 100%%'].join('\n'),
  );
  const dev = doc.sections[0];
  assert.equal(dev.name, 'dev');
  assert.equal(dev.line, 4);
  assert.equal(iniGet(doc, dev, 'b')?.value, 'two');
  assert.deepEqual(iniGet(doc, dev, 'volumes'), { key: 'volumes', value: '-v /a:/a\n-v /b:/b', line: 8, lines: [8, 9] });
  assert.equal(iniGet(doc, dev, 'network')?.value, 'bridge');
  assert.equal(iniGet(doc, dev, 'pct')?.value, '100%');
});

test('INI: errors carry the line', () => {
  const err = (text: string) => {
    try {
      parseIni('/p/docker/run.cfg', text);
    } catch (e) {
      return e as ConfigError;
    }
    throw new Error('no error');
  };
  assert.match(err('a = 1').message, /^\/p\/docker\/run.cfg:1:1: "a = 1" is outside any section/);
  assert.match(err('[dev\nports=1').message, /run.cfg:1:1: "\[dev" is not a section header/);
  assert.match(err('[dev]\na=1\n[base] x').message, /run.cfg:3:1: "\[base\] x" is not a section header/);
  assert.match(err('[dev]\nnot a setting').message, /run.cfg:2:1: expected "key = value"/);
  assert.match(err('[dev]\na=1\n[dev]').message, /run.cfg:3:1: section \[dev\] appears twice \(first at line 1\)/);
  assert.match(err('[dev]\na=1\nA=2').message, /run.cfg:3:1: key "a" appears twice/);
});
