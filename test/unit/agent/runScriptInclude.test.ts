// The runScript tool resolves `include` lines relative to the script file (it parsed without the file's
// path, so every include was refused as if the file were unsaved), mocks included.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScript } from '../../../src/core/agent/runScript';
import { Peers } from '../support';

describe('agent tools: runScript with include', () => {
  const peers = new Peers();
  afterEach(() => peers.dispose());

  it('runs a file whose block and mock include steps from files beside it', async () => {
    const dir = peers.tempDir('agent-include');
    fs.mkdirSync(path.join(dir, 'common'));
    fs.writeFileSync(path.join(dir, 'common', 'ping.tcp'), 'send "PING\\n"\nexpect "PONG\\n"\n');
    fs.writeFileSync(path.join(dir, 'common', 'settings.tcp'), '@timeout = 2s\n');
    const file = path.join(dir, 'main.tcp');
    fs.writeFileSync(
      file,
      'include common/settings.tcp\n### mock\nlisten 127.0.0.1:0\non "PING\\n" send "PONG\\n"\n\n### ping\nconnect {{listen.port}}\ninclude common/ping.tcp\nclose\n',
    );
    const r = (await runScript(file, { file: 'main.tcp' })) as { passed: number; failed: number; blocks: { title: string; status: string }[] };
    assert.deepEqual([r.passed, r.failed, r.blocks.map((b) => `${b.title} ${b.status}`)], [1, 0, ['ping passed']]);
  });
});
