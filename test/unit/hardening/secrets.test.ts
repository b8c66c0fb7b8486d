// The deny list against test/data/secret-names.json: a real FileServer with the default list, a root full
// of real secret files (each holding a marker), real sockets and the tutorial python client. Every name is
// refused or absent, listings hide what is denied, no byte of a secret comes back, allowed files are
// still served, and the server keeps serving.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeText } from '../../../src/core/codec';
import { DenyList, DeniedNameError } from '../../../src/core/fileServer/denyList';
import { FileServer } from '../../../src/core/fileServer/fileServer';
import { CorpusEntry, HostileName, leakedBytes, loadCorpus } from './corpus';
import { RequestEvents, pool, raceRequests } from './helpers';
import { PEERS, Scaffold } from '../support';

interface SecretEntry extends CorpusEntry {
  expect: 'denied' | 'refused' | 'absent' | 'listing';
  hides?: string[];
  shows?: string[];
}

const SECRET_FILES = [
  '.env',
  '.ENV',
  '.env.local',
  '.env ',
  '.env.',
  '.envrc',
  'sub/.env',
  'sub/.env.',
  '.git/config',
  '.git/HEAD',
  '.git/objects/ab/cd',
  'sub/.git/HEAD',
  'server.key',
  'a.pem',
  'a.pem.',
  'id_rsa',
  'id_rsa.pub',
  '.ssh/id_ed25519',
  '.aws/credentials',
  '.docker/config.json',
  '.npmrc',
  'terraform.tfstate',
  '机密/.env',
  '证书.key',
];
const ALLOWED_FILES = ['normal.txt', '.gitignore', '.docker/daemon.json', 'sub/inner.txt', '中文.txt'];
const LINKS: [string, string][] = [
  ['env-link', '.env'],
  ['git-link', '.git'],
  ['cfg-link', '.git/config'],
  ['sub/up-env', '../.env'],
  ['hidden-ssh', '.ssh'],
];

interface SecretRoot {
  base: string;
  root: string;
  token: string;
}

function buildSecretRoot(bed: Scaffold): SecretRoot {
  const base = bed.tempDir('secrets');
  const root = path.join(base, 'root');
  const token = `SECRET-${crypto.randomBytes(24).toString('hex')}`;
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  SECRET_FILES.forEach((f) => write(f, `${token} ${f}\n`.repeat(16)));
  ALLOWED_FILES.forEach((f) => write(f, `allowed ${f}\n`));
  LINKS.forEach(([at, target]) => fs.symlinkSync(target, path.join(root, at)));
  return { base, root, token };
}

describe('hardening: secret names corpus (deny list)', function () {
  this.timeout(60000);
  let fx: SecretRoot;
  const servers: FileServer[] = [];
  const ports: Partial<Record<'utf-8' | 'gbk', number>> = {};
  const requests = new RequestEvents();
  const corpus = loadCorpus<SecretEntry>('secret-names.json');
  const peers = new Scaffold();
  const defaults = new DenyList();

  before(async () => {
    fx = buildSecretRoot(peers);
    for (const encoding of ['utf-8', 'gbk'] as const) {
      const s = new FileServer({ root: fx.root, encoding, nameTimeoutMs: 2000 });
      requests.watch(s);
      servers.push(s);
      ports[encoding] = (await peers.start(s)).port;
    }
  });

  after(() => peers.dispose());

  async function allowedStillServed(encoding: 'utf-8' | 'gbk', name = 'normal.txt'): Promise<void> {
    const r = await requests.ask(ports[encoding]!, encodeText(`${name}\n`, encoding));
    assert.equal(r.data.toString('utf8'), `allowed ${name}\n`, `${name} not served right after (${r.end})`);
  }

  /** What is wrong with the answer to one corpus name ([] when it is right). */
  function problemsOf(h: HostileName<SecretEntry>, reply: Awaited<ReturnType<RequestEvents['ask']>>): string[] {
    const e = h.entry;
    const ev = reply.event;
    const problems: string[] = [];
    const leak = leakedBytes(reply.data, fx.token);
    if (leak > 0) {
      problems.push(`LEAKED ${leak} secret bytes`);
    }
    if (reply.end === 'timeout' || reply.end === 'cap') {
      problems.push(`the server did not close (${reply.end})`);
    }
    if (!ev) {
      return [...problems, 'no onDidRequest event'];
    }
    if (e.expect === 'listing') {
      const lines = reply.data
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      if (ev.outcome !== 'listed') {
        problems.push(`outcome ${ev.outcome} (${ev.reason}), not a listing`);
      }
      problems.push(...(e.hides ?? []).filter((n) => lines.includes(n)).map((n) => `listed ${JSON.stringify(n)}`));
      problems.push(...(e.shows ?? []).filter((n) => !lines.includes(n)).map((n) => `did not list ${JSON.stringify(n)}`));
      problems.push(...lines.filter((l) => defaults.match([l.replace(/\/$/, '')]) !== undefined).map((l) => `listed denied ${JSON.stringify(l)}`));
      return problems;
    }
    if (reply.data.length > 0) {
      problems.push(`${reply.data.length} bytes came back`);
    }
    if (ev.outcome !== 'refused' && ev.outcome !== 'not-found') {
      problems.push(`outcome ${ev.outcome} (${ev.path ?? ''})`);
    } else if (!ev.reason) {
      problems.push(`outcome ${ev.outcome} without a reason`);
    }
    const byDeny = ev.refusal instanceof DeniedNameError;
    if (e.expect === 'denied' && (ev.outcome !== 'refused' || !byDeny || !/^denied by the deny list: /.test(ev.reason ?? ''))) {
      problems.push(`not refused by the deny list: ${ev.outcome} (${ev.reason})`);
    }
    if (e.expect === 'refused' && ev.outcome !== 'refused') {
      problems.push(`not refused: ${ev.outcome} (${ev.reason})`);
    }
    return problems;
  }

  it('has at least 40 names, each with an expectation', () => {
    assert.ok(corpus.length >= 40, `only ${corpus.length} names`);
    for (const h of corpus) {
      assert.ok(['denied', 'refused', 'absent', 'listing'].includes(h.entry.expect), `${h.label}: expect ${h.entry.expect}`);
    }
  });

  it('the fixture is real: a server without a deny list hands out .env, .git/config and a key', async () => {
    const open = new FileServer({ root: fx.root, deny: [], nameTimeoutMs: 2000 });
    const own = new RequestEvents();
    own.watch(open);
    try {
      const { port } = await open.start();
      for (const name of ['.env', '.git/config', 'server.key', 'env-link']) {
        const r = await own.ask(port, Buffer.from(`${name}\n`));
        assert.ok(leakedBytes(r.data, fx.token) > 0, `${name} was not served without a deny list`);
      }
      const listing = await own.ask(port, Buffer.from('/\n'));
      assert.ok(listing.data.toString('utf8').split('\n').includes('.env'), 'an unfiltered listing shows .env');
    } finally {
      await open.stop();
      open.dispose();
    }
  });

  for (const mode of ['half-close', 'quiet'] as const) {
    it(`refuses or hides every name, zero secret bytes, allowed files still served (${mode})`, async () => {
      const failures: string[] = [];
      let denied = 0;
      let leaked = 0;
      await pool(corpus, 8, async (h) => {
        const reply = await requests.ask(ports[h.server]!, h.bytes, { halfClose: mode === 'half-close' });
        leaked += leakedBytes(reply.data, fx.token);
        const problems = problemsOf(h, reply);
        if (problems.length > 0) {
          failures.push(`${h.label} [${h.why}]: ${problems.join('; ')}`);
        } else if (reply.event?.refusal instanceof DeniedNameError) {
          denied++;
        }
        await allowedStillServed(h.server);
      });
      console.log(`      figure (${mode}): names tried ${corpus.length}, refused by the deny list ${denied}, bytes leaked ${leaked}`);
      assert.equal(leaked, 0, 'secret bytes leaked');
      assert.deepEqual(failures, [], `${failures.length} names not refused cleanly`);
      for (const name of ALLOWED_FILES) {
        await allowedStillServed(name === '中文.txt' ? 'gbk' : 'utf-8', name);
      }
      assert.equal(
        servers.every((s) => s.state === 'listening'),
        true,
        'a server stopped',
      );
    });
  }

  it('the tutorial python client gets "file does not exist" for secrets and the file for allowed names', async () => {
    const out = path.join(fx.base, 'py.out');
    const fetch = (name: string, encoding = 'utf-8') =>
      peers.run('python3', [path.join(PEERS, 'file_client.py'), '127.0.0.1', String(ports[encoding === 'gbk' ? 'gbk' : 'utf-8']), name, out, encoding]);
    for (const [name, encoding] of [
      ['.env', 'utf-8'],
      ['.ENV', 'utf-8'],
      ['.env.', 'utf-8'],
      ['.git/config', 'utf-8'],
      ['env-link', 'utf-8'],
      ['sub/.env', 'utf-8'],
      ['证书.key', 'gbk'],
    ]) {
      fs.rmSync(out, { force: true });
      const r = await fetch(name, encoding);
      assert.match(r.stdout.toString(), /file does not exist/, `${name}: ${r.stdout.toString()}${r.stderr}`);
      assert.equal(fs.existsSync(out), false, `${name}: the client wrote a file`);
    }
    const ok = await fetch('中文.txt', 'gbk');
    assert.match(ok.stdout.toString(), /received \d+ bytes/);
    assert.equal(fs.readFileSync(out, 'utf8'), 'allowed 中文.txt\n');
  });

  it('never serves .git/config while a folder on the path flips between a real folder and a symlink to .git (race)', async function () {
    this.timeout(20000);
    // The guard opens the resolved path: an attacker swaps a folder of that path for a symlink into .git
    // between the checks and the open. Caught by the inode check, or by the deny check on the descriptor.
    fs.mkdirSync(path.join(fx.root, 'flip'));
    fs.writeFileSync(path.join(fx.root, 'flip', 'config'), 'harmless flip config\n');
    const swapper = peers.spawn('python3', [
      '-c',
      [
        'import os, sys, time',
        'root = sys.argv[1]; end = time.time() + float(sys.argv[2])',
        "d = os.path.join(root, 'flip'); old = os.path.join(root, 'flip.old')",
        'n = 0',
        'while time.time() < end:',
        '    os.rename(d, old); os.symlink(".git", d)',
        '    os.remove(d); os.rename(old, d)',
        '    n += 1',
        'print(n)',
      ].join('\n'),
      fx.root,
      '2.5',
    ]);
    const { swaps, tries, served, leaked } = await raceRequests(
      swapper,
      (b) => requests.ask(ports['utf-8']!, b),
      'flip/config',
      (d) => leakedBytes(d, fx.token),
    );
    console.log(`      figure (race into .git): swaps ${swaps}, requests ${tries}, served harmless ${served}, bytes leaked ${leaked}`);
    assert.ok(tries > 50, `only ${tries} requests`);
    assert.ok(swaps > 50, `only ${swaps} swaps`);
    assert.equal(leaked, 0, '.git/config leaked through the race');
  });

  it('denies a custom list instead of the default, and logs the entry that matched', async () => {
    const custom = new FileServer({ root: fx.root, deny: ['*.txt'], nameTimeoutMs: 2000 });
    const own = new RequestEvents();
    own.watch(custom);
    try {
      const { port } = await custom.start();
      assert.deepEqual(custom.deny, ['*.txt']);
      const refused = await own.ask(port, Buffer.from('normal.txt\n'));
      assert.equal(refused.data.length, 0);
      assert.equal(refused.event?.reason, 'denied by the deny list: *.txt');
      const served = await own.ask(port, Buffer.from('.gitignore\n'));
      assert.equal(served.data.toString('utf8'), 'allowed .gitignore\n');
    } finally {
      await custom.stop();
      custom.dispose();
    }
  });
});
