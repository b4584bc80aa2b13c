// A blank capability id on the invoke commands fails with the original's wording before any
// vault or socket access (the original's thin and local envelope builders both say
// "capability id required").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from './_helpers/fake-io.js';

test('invoke/json/markdown with a blank id: "capability id required", exit 1, nothing on stdout', async () => {
  for (const command of ['invoke', 'json', 'markdown']) {
    const ran = await run([command, '   ', '--method', 'GET', '--path', '/x'], { env: { AIVAULTD_SOCKET: '/nonexistent/aivaultd.sock', HOME: '/nonexistent' } });
    assert.equal(ran.code, 1, command);
    assert.equal(ran.stdout, '');
    assert.equal(ran.stderr, 'capability id required\n');
  }
});
