import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notebookUser } from '../../../../src/workspace/environment/build-input.js';

test("postBuild's user: the base image's own user unless it is root", () => {
  assert.equal(notebookUser('jovyan'), 'jovyan');
  assert.equal(notebookUser('1000:100'), '1000');
  assert.equal(notebookUser(''), undefined);
  assert.equal(notebookUser('root'), undefined);
  assert.equal(notebookUser('0:0'), undefined);
  assert.equal(notebookUser(undefined), undefined);
});
