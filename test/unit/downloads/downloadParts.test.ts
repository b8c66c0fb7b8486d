// The downloader's parts on their own: the request/reply exchange over real sockets, the temporary file
// (hash, no-clobber placement, nothing left behind), local-name helpers, and the error codes.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as net from 'node:net';
import { DownloadError, NotFoundError } from '../../../src/core/downloads/downloadErrors';
import { netCause } from '../../../src/core/errors';
import { exchange } from '../../../src/core/downloads/exchange';
import { cutBytes, numbered } from '../../../src/core/downloads/localName';
import { TempDownload, placeNoClobber } from '../../../src/core/downloads/tempDownload';
import { Peers } from '../support';

const OPTS = { connectTimeoutMs: 2000, idleTimeoutMs: 2000, what: 'Download of "a.txt"', name: 'a.txt' };

describe('download parts', () => {
  const peers = new Peers();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlparts-'));
  });
  afterEach(async () => {
    await peers.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('exchange', () => {
    it('sends the request in one write and hands every chunk over until the server closes', async () => {
      let request = '';
      const port = await peers.listen((s) => {
        s.once('data', (d) => {
          request = d.toString();
          s.write('hello ');
          s.end('world');
        });
      });
      const chunks: Buffer[] = [];
      const r = await exchange('127.0.0.1', port, Buffer.from('a.txt'), OPTS, (c) => chunks.push(c));
      r.socket.destroy();
      assert.equal(request, 'a.txt');
      assert.equal(Buffer.concat(chunks).toString(), 'hello world');
      assert.equal(r.bytes, 11);
    });

    it('a refused connection is download.refused with the name and the address', async () => {
      const port = await peers.refusedPort();
      const err = await exchange('127.0.0.1', port, Buffer.from('a.txt'), OPTS, () => undefined).catch((e: unknown) => e);
      assert.ok(err instanceof DownloadError, String(err));
      assert.equal(err.code, 'download.refused');
      assert.equal(err.errno, 'ECONNREFUSED');
      assert.deepEqual(err.args, { name: 'a.txt', where: `127.0.0.1:${port}`, bytes: 0 });
    });

    it('a reset after some bytes is download.reset, counting the bytes', async () => {
      const port = await peers.listen((s) => {
        s.once('data', () => {
          s.write('partial', () => setTimeout(() => s.resetAndDestroy(), 50));
        });
      });
      const err = await exchange('127.0.0.1', port, Buffer.from('a.txt'), OPTS, () => undefined).catch((e: unknown) => e);
      assert.ok(err instanceof DownloadError, String(err));
      assert.equal(err.code, 'download.reset');
      assert.equal(err.bytesReceived, 7);
    });

    it('an abort is download.cancelled', async () => {
      const port = await peers.listen(() => undefined);
      const ac = new AbortController();
      const p = exchange('127.0.0.1', port, Buffer.from('a.txt'), { ...OPTS, signal: ac.signal }, () => undefined);
      setTimeout(() => ac.abort(), 50);
      const err = await p.catch((e: unknown) => e);
      assert.ok(err instanceof DownloadError && err.code === 'download.cancelled', String(err));
    });
  });

  describe('TempDownload', () => {
    /** A socket stand-in is not needed: write() only pauses the socket under backpressure. */
    const socket = { pause: () => undefined, resume: () => undefined, destroy: () => undefined } as unknown as net.Socket;

    it('hashes what it wrote and places it under the target name', async () => {
      const file = await TempDownload.open(dir, 'a.txt', {});
      file.write(Buffer.from('abc'), socket);
      file.write(Buffer.from('def'), socket);
      const sha = await file.finish();
      assert.equal(sha, crypto.createHash('sha256').update('abcdef').digest('hex'));
      const final = await file.place(path.join(dir, 'a.txt'), 'fail');
      assert.equal(final, path.join(dir, 'a.txt'));
      assert.deepEqual(fs.readdirSync(dir), ['a.txt']);
      assert.equal(fs.readFileSync(final, 'utf8'), 'abcdef');
    });

    it("'fail' never replaces a file that appeared meanwhile, and leaves no temporary file", async () => {
      const file = await TempDownload.open(dir, 'a.txt', {});
      file.write(Buffer.from('new'), socket);
      await file.finish();
      fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
      await assert.rejects(file.place(path.join(dir, 'a.txt'), 'fail'), (e: Error) => e.name === 'TargetExistsError');
      assert.deepEqual(fs.readdirSync(dir), ['a.txt']);
      assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'old');
    });

    it("'keep-both' numbers the name; 'overwrite' replaces", async () => {
      fs.writeFileSync(path.join(dir, 'a.txt'), 'old');
      fs.writeFileSync(path.join(dir, 'a (1).txt'), 'old1');
      const kept = await TempDownload.open(dir, 'a.txt', {});
      kept.write(Buffer.from('two'), socket);
      await kept.finish();
      assert.equal(await kept.place(path.join(dir, 'a.txt'), 'keep-both'), path.join(dir, 'a (2).txt'));
      const over = await TempDownload.open(dir, 'a.txt', {});
      over.write(Buffer.from('three'), socket);
      await over.finish();
      await over.place(path.join(dir, 'a.txt'), 'overwrite');
      assert.equal(fs.readFileSync(path.join(dir, 'a.txt'), 'utf8'), 'three');
      assert.deepEqual(fs.readdirSync(dir).sort(), ['a (1).txt', 'a (2).txt', 'a.txt']);
    });

    it('#fail removes the temporary file and keeps an error that is already ours', async () => {
      const file = await TempDownload.open(dir, 'a.txt', { name: 'a.txt' });
      file.write(Buffer.from('x'), socket);
      const notFound = new NotFoundError('gone');
      assert.equal(await file.fail(notFound, path.join(dir, 'a.txt'), 'Download'), notFound);
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('#fail wraps a foreign error as a DownloadError with the bytes so far', async () => {
      const file = await TempDownload.open(dir, 'a.txt', { name: 'a.txt' });
      file.write(Buffer.from('xyz'), socket);
      const e = await file.fail(Object.assign(new Error('boom'), { code: 'EIO' }), path.join(dir, 'a.txt'), 'Download of "a.txt"');
      assert.ok(e instanceof DownloadError);
      assert.equal(e.message, 'Download of "a.txt" failed after 3 bytes: boom');
      assert.equal(e.errno, 'EIO');
      assert.deepEqual(fs.readdirSync(dir), []);
    });
  });

  describe('placeNoClobber', () => {
    it('false (and nothing moved) when the target exists', async () => {
      fs.writeFileSync(path.join(dir, 't'), 'temp');
      fs.writeFileSync(path.join(dir, 'x'), 'there');
      assert.equal(await placeNoClobber(path.join(dir, 't'), path.join(dir, 'x')), false);
      assert.equal(fs.readFileSync(path.join(dir, 'x'), 'utf8'), 'there');
      assert.equal(await placeNoClobber(path.join(dir, 't'), path.join(dir, 'y')), true);
      assert.deepEqual(fs.readdirSync(dir).sort(), ['x', 'y']);
    });
  });

  describe('local names', () => {
    it('numbered keeps the extension, and a dot file stays whole', () => {
      assert.equal(numbered('a.txt', 2), 'a (2).txt');
      assert.equal(numbered('archive', 1), 'archive (1)');
      assert.equal(numbered('.env', 3), '.env (3)');
    });

    it('cutBytes never splits a character', () => {
      assert.equal(cutBytes('测试', 5), '测');
      assert.equal(Buffer.byteLength(cutBytes('a测b', 4)), 4);
    });
  });

  describe('netCause', () => {
    it('names the cause of the common errno codes', () => {
      assert.equal(netCause('ECONNREFUSED'), 'refused');
      assert.equal(netCause('EAI_AGAIN'), 'unknownHost');
      assert.equal(netCause('EPIPE'), 'reset');
      assert.equal(netCause('ABORT_ERR'), 'cancelled');
      assert.equal(netCause(undefined), 'failed');
    });
  });
});
