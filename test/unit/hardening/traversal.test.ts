// Issue 6, part 1: every hostile name in test/data/traversal-names.json against a real FileServer with a
// secret just outside the root and traps inside it. Zero bytes of the secret, a reported reason, and a
// normal file served right after each one.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { Fixture, HostileName, buildFixture, leakedBytes, loadCorpus, releaseFifoReaders } from './corpus';
import { RequestEvents, pool, raceRequests, rawRequest } from './helpers';
import { Scaffold } from '../support';

describe('hardening: path traversal corpus', function () {
  this.timeout(30000);
  let fx: Fixture;
  const servers: Partial<Record<'utf-8' | 'gbk', FileServer>> = {};
  const ports: Partial<Record<'utf-8' | 'gbk', number>> = {};
  /** Requests seen by the servers; every request to the shared servers goes through ask(). */
  const requests = new RequestEvents();
  const ask = requests.ask.bind(requests);
  const corpus = loadCorpus();
  const bed = new Scaffold();

  before(async () => {
    fx = buildFixture(bed.tempDir('traversal'));
    for (const encoding of ['utf-8', 'gbk'] as const) {
      const s = new FileServer({ root: fx.root, encoding, nameTimeoutMs: 2000 });
      requests.watch(s);
      servers[encoding] = s;
      ports[encoding] = (await bed.start(s)).port;
    }
  });

  after(async () => {
    // A server that opened the FIFO would hang a thread-pool thread (and this process) forever.
    if (fx) {
      releaseFifoReaders(fx.fifo);
    }
    await bed.dispose();
  });

  async function normalStillServed(encoding: 'utf-8' | 'gbk'): Promise<void> {
    const r = await ask(ports[encoding]!, Buffer.from(`${fx.normalName}\n`));
    assert.deepEqual(r.data, fx.normalContent, `normal file not served right after (${r.end}, ${r.data.length} B)`);
  }

  it('has at least 60 hostile names', () => {
    assert.ok(corpus.length >= 60, `only ${corpus.length} names`);
  });

  for (const mode of ['half-close', 'quiet'] as const) {
    it(`refuses every name, zero secret bytes, still serving (${mode})`, async () => {
      const failures: string[] = [];
      let refused = 0;
      let leaked = 0;
      await pool(corpus, 8, async (h: HostileName) => {
        const reply = await ask(ports[h.server]!, h.bytes, { halfClose: mode === 'half-close' });
        const leak = leakedBytes(reply.data, fx.token);
        leaked += leak;
        const ev = reply.event;
        const problems: string[] = [];
        if (leak > 0) {
          problems.push(`LEAKED ${leak} secret bytes`);
        }
        if (reply.data.length > 0) {
          problems.push(`${reply.data.length} bytes came back: ${JSON.stringify(reply.data.subarray(0, 60).toString('latin1'))}`);
        }
        if (reply.end === 'timeout' || reply.end === 'cap') {
          problems.push(`the server did not close (${reply.end} after ${reply.ms} ms)`);
        }
        if (!ev) {
          problems.push('no onDidRequest event');
        } else if (ev.outcome !== 'refused' && ev.outcome !== 'not-found') {
          problems.push(`outcome ${ev.outcome} (${ev.path ?? ''})`);
        } else if (!ev.reason) {
          problems.push(`outcome ${ev.outcome} without a reason`);
        }
        if (problems.length === 0) {
          refused++;
        } else {
          failures.push(`${h.label} [${h.why}]: ${problems.join('; ')}`);
        }
        await normalStillServed(h.server);
      });
      console.log(`      figure (${mode}): names tried ${corpus.length}, refused ${refused}, bytes leaked ${leaked}`);
      assert.equal(leaked, 0, 'secret bytes leaked');
      assert.deepEqual(failures, [], `${failures.length} names not refused cleanly`);
    });
  }

  it('reports a reason for each refusal class', async () => {
    // A sample that must be 'refused' (a rule hit), not merely 'not-found'.
    const mustRefuse = ['../secret', '/etc/passwd', 'C:\\Windows\\win.ini', 'a/../../secret', 'link-out/secret', 'sib-link', 'pipe', 'zero', 'sub'];
    const seen: string[] = [];
    for (const name of mustRefuse) {
      const reply = await ask(ports['utf-8']!, Buffer.from(name), { halfClose: true });
      const ev = reply.event;
      assert.equal(reply.data.length, 0, name);
      assert.equal(ev?.outcome, 'refused', `${name}: outcome ${ev?.outcome} (${ev?.reason})`);
      assert.ok(ev?.reason && ev.reason.length > 3, `${name}: reason "${ev?.reason}"`);
      seen.push(`${name} → ${ev?.reason}`);
    }
    console.log(`      reasons: ${seen.join(' | ')}`);
  });

  it('serves /dev-like and FIFO traps as zero bytes even when asked many at once', async () => {
    // Five FIFO opens at once would take every libuv thread-pool thread if the server opened it.
    const names = ['pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'zero', 'urandom', 'zero-dev'];
    const replies = await Promise.all(names.map((n) => ask(ports['utf-8']!, Buffer.from(`${n}\n`))));
    replies.forEach((r, i) => {
      assert.equal(r.data.length, 0, `${names[i]}: ${r.data.length} bytes`);
      assert.equal(r.end === 'timeout', false, `${names[i]}: server did not close`);
    });
    const r = await ask(ports['utf-8']!, Buffer.from(`${fx.normalName}\n`), { timeoutMs: 2000 });
    assert.deepEqual(r.data, fx.normalContent, 'normal file after the FIFO burst');
    console.log(`      device inside root via mknod: ${fx.deviceInside ? 'yes' : 'no (symlinks only)'}`);
  });

  it('never serves the secret while a name flips between a file and a symlink out (race)', async function () {
    this.timeout(20000);
    // A check-then-open server (realpath, then open by name) loses this race; one that checks the
    // opened descriptor does not. A python peer swaps race.txt as fast as it can for a bounded time.
    const swapper = spawn('python3', [
      '-c',
      [
        'import os, sys, time',
        'root = sys.argv[1]; end = time.time() + float(sys.argv[2])',
        "good = os.path.join(root, 'race.good'); evil = os.path.join(root, 'race.evil'); t = os.path.join(root, 'race.txt')",
        'n = 0',
        'while time.time() < end:',
        "    open(good, 'w').write('harmless race content\\n')",
        '    os.replace(good, t)',
        "    os.symlink('../secret', evil)",
        '    os.replace(evil, t)',
        '    n += 1',
        'print(n)',
      ].join('\n'),
      fx.root,
      '2.5',
    ]);
    const { swaps, tries, served, leaked } = await raceRequests(
      swapper,
      (b) => ask(ports['utf-8']!, b),
      'race.txt',
      (d) => leakedBytes(d, fx.token),
    );
    console.log(`      figure (race): swaps ${swaps}, requests ${tries}, served harmless ${served}, bytes leaked ${leaked}`);
    assert.ok(tries > 50, `only ${tries} requests`);
    assert.equal(leaked, 0, 'the secret leaked through the symlink race');
  });

  it('works when the root itself is reached through a symlink or has a trailing slash', async () => {
    const viaLink = path.join(fx.base, 'root-link');
    fs.symlinkSync(fx.root, viaLink);
    for (const root of [viaLink, `${fx.root}/`]) {
      const s = new FileServer({ root, nameTimeoutMs: 2000 });
      try {
        const { port } = await s.start();
        const ok = await rawRequest(port, Buffer.from(`${fx.normalName}\n`));
        assert.deepEqual(ok.data, fx.normalContent, `root ${root}: normal file`);
        for (const bad of ['secret-link', 'link-out/secret', 'sib-link']) {
          const r = await rawRequest(port, Buffer.from(`${bad}\n`));
          assert.equal(leakedBytes(r.data, fx.token), 0, `root ${root}: ${bad} leaked`);
          assert.equal(r.data.length, 0, `root ${root}: ${bad}`);
        }
      } finally {
        await s.stop();
        s.dispose();
      }
    }
  });

  it('answers an HTTP request from a browser with zero bytes and a close', async () => {
    const req = 'GET /../secret HTTP/1.1\r\nHost: x\r\n\r\n';
    const started = Date.now();
    const r = await ask(ports['utf-8']!, Buffer.from(req));
    assert.equal(r.data.length, 0);
    // Closed or reset (the unread header lines may make the kernel send RST): either way, not left hanging.
    assert.notEqual(r.end, 'timeout');
    // The first line ends the name: no need to wait for a quiet gap or a timeout.
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });
});
