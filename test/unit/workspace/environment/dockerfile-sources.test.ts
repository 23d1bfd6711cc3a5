import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerfileReads, parseInstructions, substituteKnown } from '../../../../src/workspace/environment/dockerfile-sources.js';

test('COPY and ADD sources: plain words, JSON form, flags; the last word is the destination', () => {
  const r = dockerfileReads(
    [
      'FROM debian:trixie',
      'COPY requirements.txt /tmp/',
      'COPY --chown=1000:100 --chmod=644 apt.txt environment.yml /tmp/x/',
      'ADD ["src/a b.py", "/opt/"]',
      'COPY --link ./tools/ /usr/local/tools',
    ].join('\n'),
  );
  assert.deepEqual(r.sources, ['requirements.txt', 'apt.txt', 'environment.yml', 'src/a b.py', './tools/']);
  assert.deepEqual(r.images, ['debian:trixie']);
  assert.equal(r.wholeContext, false);
});

test('COPY --from a stage is not a context file; --from an image is an image the build reads', () => {
  const r = dockerfileReads(
    ['FROM python:3 AS build', 'COPY req.txt .', 'FROM debian', 'COPY --from=build /venv /venv', 'COPY --from=0 /a /a', 'COPY --from=busybox:1 /bin/sh /sh'].join('\n'),
  );
  assert.deepEqual(r.sources, ['req.txt']);
  assert.deepEqual(r.images, ['python:3', 'debian', 'busybox:1']);
});

test('FROM: ARG defaults and build args substituted; stage names and scratch are not images', () => {
  const text = ['ARG BASE_IMAGE=transferctl/jupyter:trixie', 'FROM ${BASE_IMAGE} AS env', 'FROM env', 'FROM scratch'].join('\n');
  assert.deepEqual(dockerfileReads(text).images, ['transferctl/jupyter:trixie']);
  assert.deepEqual(dockerfileReads(text, { BASE_IMAGE: 'quay.io/x/y:1' }).images, ['quay.io/x/y:1']);
});

test('ADD of a URL or git repository reads nothing from the context', () => {
  const r = dockerfileReads(['FROM a', 'ADD https://example.org/x.tgz /x', 'ADD git@github.com:o/r.git /r', 'ADD local.tgz /l'].join('\n'));
  assert.deepEqual(r.sources, ['local.tgz']);
});

test('sources with variables: ARG/ENV values used; an unknown one makes the whole context count', () => {
  const known = dockerfileReads(['FROM a', 'ARG REQ=requirements.txt', 'ENV DIR=conf', 'COPY $REQ ${DIR}/ /tmp/'].join('\n'));
  assert.deepEqual(known.sources, ['requirements.txt', 'conf/']);
  assert.equal(known.wholeContext, false);
  assert.deepEqual(dockerfileReads(['FROM a', 'ARG REQ=requirements.txt', 'COPY $REQ /tmp/'].join('\n'), { REQ: 'dev.txt' }).sources, ['dev.txt']);
  assert.equal(dockerfileReads(['FROM a', 'COPY $WHERE /tmp/'].join('\n')).wholeContext, true);
  // A stage's ARGs and ENVs do not carry into the next stage.
  assert.equal(dockerfileReads(['FROM a', 'ENV D=x', 'FROM b', 'COPY $D /tmp/'].join('\n')).wholeContext, true);
});

test('continuation lines, comments inside them, heredocs and the escape directive', () => {
  const ins = parseInstructions(['FROM a', 'COPY one \\', '  # a comment in between', '  two /dst/', 'RUN <<EOF', 'COPY not-an-instruction /x', 'EOF', 'COPY three /d'].join('\n'));
  assert.deepEqual(ins.map((i) => i.op), ['FROM', 'COPY', 'RUN', 'COPY']);
  assert.deepEqual(dockerfileReads(['FROM a', 'COPY one \\', '  two /dst/', 'COPY <<EOF /etc/x', 'hello', 'EOF'].join('\n')).sources, ['one', 'two']);
  assert.deepEqual(dockerfileReads(['# escape=`', 'FROM a', 'COPY c:\\one `', '  two /d/'].join('\n')).sources, ['c:\\one', 'two']);
});

test('substituteKnown: defaults, alternatives, unknown names', () => {
  assert.equal(substituteKnown('${A:-x}/${B:+y}', { B: '1' }), 'x/y');
  assert.equal(substituteKnown('$A', {}), null);
  assert.equal(substituteKnown('plain', {}), 'plain');
});

test('a "heredoc" that never ends was a shell operator: the instructions after it still count', () => {
  const r = dockerfileReads(['FROM a', 'RUN python3 -c "print(x<<y)"', 'COPY requirements.txt /tmp/'].join('\n'));
  assert.deepEqual(r.sources, ['requirements.txt']);
});
