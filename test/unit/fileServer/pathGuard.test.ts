// The path guard on real files: every refusal class, with a secret just outside the root and symlinks
// pointing out of it; what is allowed opens, and what is refused says why.
import * as assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import { checkName, decodeName, escapeBytes, guardRequest, GuardResult, MAX_NAME_BYTES, resolveInRoot } from '../../../src/core/fileServer/pathGuard';
import { Fixture, makeFixture } from '../fileFixtures';
import { RefusalCode, refusal } from '../../../src/core/refusals';
import { closeServer, openFds } from '../support';

describe('pathGuard', () => {
  let fx: Fixture;
  before(async () => {
    fx = await makeFixture();
  });
  after(async () => {
    await fx.cleanup();
  });

  async function expectFile(name: string, expected: Buffer): Promise<void> {
    const r = await resolveInRoot(fx.root, name);
    assert.ok(r.ok && r.kind === 'file', `${name}: ${JSON.stringify(r)}`);
    try {
      assert.equal(r.size, expected.length);
      const { bytesRead, buffer } = await r.handle.read(Buffer.alloc(expected.length + 1), 0, expected.length + 1, 0);
      assert.deepEqual(buffer.subarray(0, bytesRead), expected);
    } finally {
      await r.handle.close();
    }
  }

  async function expectRefused(name: string, reason: RegExp, outcome: 'refused' | 'not-found' = 'refused'): Promise<void> {
    const r: GuardResult = await resolveInRoot(fx.root, name);
    if (r.ok) {
      if (r.kind === 'file') {
        await r.handle.close();
      }
      assert.fail(`${JSON.stringify(name)} was allowed (${r.path})`);
    }
    assert.equal(r.outcome, outcome, `${JSON.stringify(name)}: ${r.reason}`);
    assert.match(r.reason, reason, JSON.stringify(name));
  }

  it('opens regular files in the root and in subfolders, Chinese names and symlinks that stay inside too', async () => {
    await expectFile('a.txt', fx.files['a.txt']);
    await expectFile('sub/inner.txt', fx.files['sub/inner.txt']);
    await expectFile('sub/子目录/文件.txt', fx.files['sub/子目录/文件.txt']);
    await expectFile('测试文件.txt', fx.files['测试文件.txt']);
    await expectFile('./a.txt', fx.files['a.txt']);
    await expectFile('link-in', fx.files['a.txt']);
    await expectFile('empty.txt', Buffer.alloc(0));
  });

  it('reports the real path and size of what it opened', async () => {
    const r = await resolveInRoot(fx.root, 'link-in');
    assert.ok(r.ok && r.kind === 'file');
    await r.handle.close();
    assert.equal(r.path, path.join(await fsp.realpath(fx.root), 'a.txt'));
    assert.equal(r.size, fx.files['a.txt'].length);
  });

  it('refuses absolute paths, drive letters, UNC paths and backslashes', async () => {
    await expectRefused(fx.secret, /absolute/);
    await expectRefused('/etc/passwd', /absolute/);
    await expectRefused('C:/secret.txt', /drive letter/);
    await expectRefused('c:secret.txt', /drive letter/);
    await expectRefused('\\\\server\\share\\secret.txt', /UNC/);
    await expectRefused('//server/share/secret.txt', /UNC/);
    await expectRefused('sub\\inner.txt', /backslash/);
    await expectRefused('..\\secret.txt', /backslash/);
    await expectRefused('a.txt:stream', /":"/);
  });

  it('refuses ".." segments and empty segments', async () => {
    await expectRefused('../secret.txt', /"\.\." segments/);
    await expectRefused('sub/../../secret.txt', /"\.\." segments/);
    await expectRefused('sub/../a.txt', /"\.\." segments/);
    await expectRefused('..', /"\.\." segments/);
    await expectRefused('sub//inner.txt', /empty path segment/);
    await expectRefused('', /empty name/);
  });

  it('gives every refusal a code and its values, and the English from them (the editor words it from the code)', async () => {
    const cases: [string, string, Record<string, string | number>][] = [
      ['', 'refusal.emptyName', {}],
      ['../secret.txt', 'refusal.dotDot', {}],
      ['sub//inner.txt', 'refusal.emptySegment', {}],
      ['/etc/passwd', 'refusal.absolute', {}],
      ['C:/x', 'refusal.driveLetter', {}],
      ['sub\\inner.txt', 'refusal.backslash', {}],
      ['a\tb', 'refusal.control', {}],
      ['missing.txt', 'refusal.noSuchFile', {}],
      ['x'.repeat(5000), 'refusal.nameTooLong', { max: 4096 }],
    ];
    for (const [name, code, args] of cases) {
      const r = await resolveInRoot(fx.root, name);
      assert.ok(!r.ok, JSON.stringify(name));
      assert.deepEqual([r.code, r.args, r.reason], [code, args, refusal(code as RefusalCode, args).reason], JSON.stringify(name));
    }
    const listing = await resolveInRoot(fx.root, '/', { listing: false });
    assert.ok(!listing.ok && listing.code === 'refusal.listingOff' && listing.reason === 'listing is switched off');
  });

  it('refuses NUL and control characters, CR and LF inside included', async () => {
    await expectRefused('a.txt\0.png', /NUL/);
    await expectRefused('a.txt\r', /control/);
    await expectRefused('a\nb', /control/);
    await expectRefused('a\tb', /control/);
    await expectRefused('a\u001bb', /control/);
    await expectRefused('a\u0085b', /control/);
  });

  it('refuses whatever resolves outside the root: symlinks to a file, to a folder, absolute symlinks', async () => {
    await expectRefused('link-out', /outside the root/);
    await expectRefused('abs-out', /outside the root/);
    await expectRefused('dir-out/secret.txt', /outside the root/);
    // What counts is where the bytes are: a detour out and back in ends inside the root.
    await expectFile('dir-out/root/a.txt', fx.files['a.txt']);
  });

  it('refuses folders, FIFOs, sockets and devices: only regular files are served', async function () {
    await expectRefused('sub', /folder, not a regular file/);
    await expectRefused('.', /folder, not a regular file/);
    // A FIFO must be refused without opening it (an open would wait for a writer forever).
    const t0 = Date.now();
    await expectRefused('fifo', /FIFO, not a regular file/);
    assert.ok(Date.now() - t0 < 1000);
    const sockPath = path.join(fx.root, 'unix.sock');
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(sockPath, r));
    try {
      await expectRefused('unix.sock', /socket, not a regular file/);
    } finally {
      await closeServer(srv);
    }
    // /dev as the root: null is a character device in it, no mknod needed.
    const r = await resolveInRoot('/dev', 'null');
    assert.ok(!r.ok && /device, not a regular file/.test(r.reason), JSON.stringify(r));
  });

  it('answers not-found for missing names, and for a 4096-byte name that is merely too long for the disk', async () => {
    await expectRefused('nope.txt', /no such file/, 'not-found');
    await expectRefused('sub/nope/x', /no such file/, 'not-found');
    await expectRefused('a.txt/x', /no such file/, 'not-found');
    await expectRefused('x'.repeat(MAX_NAME_BYTES), /too long for the file system/, 'not-found');
    await expectRefused('x'.repeat(MAX_NAME_BYTES + 1), /longer than 4096 bytes/);
    // Bytes count in the wire encoding: 2048 Chinese characters are 4096 bytes in gbk, 6144 in utf-8.
    const cn = '中'.repeat(2048);
    const gbk = await resolveInRoot(fx.root, cn, { encoding: 'gbk' });
    assert.ok(!gbk.ok && gbk.outcome === 'not-found', JSON.stringify(!gbk.ok && gbk.reason));
    const utf = await resolveInRoot(fx.root, cn);
    assert.ok(!utf.ok && /longer than 4096/.test(utf.reason));
  });

  it('lists folders (sorted, folders marked with /) with only what could be served', async () => {
    const r = await resolveInRoot(fx.root, '/');
    assert.ok(r.ok && r.kind === 'listing', JSON.stringify(r));
    // link-out, abs-out and dir-out point outside, fifo is not a file: none of them is listed.
    assert.deepEqual(r.entries, ['.hidden', 'a.txt', 'empty.txt', 'link-in', 'sub/', '测试文件.txt']);
    const s = await resolveInRoot(fx.root, 'sub/');
    assert.ok(s.ok && s.kind === 'listing');
    assert.deepEqual(s.entries, ['inner.txt', '子目录/']);
    const off = await resolveInRoot(fx.root, '/', { listing: false });
    assert.ok(!off.ok && /listing is switched off/.test(off.reason));
    const file = await resolveInRoot(fx.root, 'a.txt/');
    assert.ok(!file.ok && file.outcome === 'not-found');
    const out = await resolveInRoot(fx.root, 'dir-out/');
    assert.ok(!out.ok && /outside the root/.test(out.reason));
    const up = await resolveInRoot(fx.root, '../');
    assert.ok(!up.ok && /"\.\."/.test(up.reason));
  });

  it('decodes names strictly in the configured encoding', async () => {
    const bad = decodeName(Buffer.from([0x61, 0xff, 0xfe, 0x62]), 'utf-8');
    assert.ok(!bad.ok && /not valid utf-8/.test(bad.reason));
    const gbkName = iconv.encode('测试文件.txt', 'gbk');
    const good = decodeName(gbkName, 'gbk');
    assert.ok(good.ok && good.name === '测试文件.txt');
    // The gbk bytes are not utf-8: asked with the wrong encoding, the name is refused, not guessed.
    assert.ok(!decodeName(gbkName, 'utf-8').ok);
    const long = decodeName(Buffer.alloc(MAX_NAME_BYTES + 1, 0x61), 'utf-8');
    assert.ok(!long.ok && /longer than 4096/.test(long.reason));
    assert.equal(escapeBytes(Buffer.from([0x61, 0xff, 0x0a, 0x5c])), 'a\\xff\\x0a\\x5c');
  });

  it('guardRequest goes from wire bytes to an open file (gbk) or a refusal with a printable name', async () => {
    const r = await guardRequest(fx.root, iconv.encode('sub/子目录/文件.txt', 'gbk'), { encoding: 'gbk' });
    assert.ok(r.ok && r.kind === 'file');
    await r.handle.close();
    assert.equal(r.name, 'sub/子目录/文件.txt');
    const bad = await guardRequest(fx.root, Buffer.from([0xff, 0x2e, 0x2e]));
    assert.ok(!bad.ok);
    assert.equal(bad.name, '\\xff..');
  });

  it('checkName splits segments and spots listings without touching the disk', () => {
    assert.deepEqual(checkName('a/b/c.txt'), { ok: true, segments: ['a', 'b', 'c.txt'], listing: false });
    assert.deepEqual(checkName('a/b/'), { ok: true, segments: ['a', 'b'], listing: true });
    assert.deepEqual(checkName('/'), { ok: true, segments: [], listing: true });
    assert.equal(checkName('/a/').ok, false);
  });

  it('leaves no descriptor open after refusals', async () => {
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      await resolveInRoot(fx.root, 'fifo');
      await resolveInRoot(fx.root, 'link-out');
      await resolveInRoot(fx.root, 'sub');
      await resolveInRoot(fx.root, '/');
    }
    assert.equal(openFds(), before);
  });
});
