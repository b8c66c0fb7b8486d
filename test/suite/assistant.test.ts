// The socket-assistant features through the commands, against real peers: hex and escapes, send to all
// clients, repeat, send a file, record to a file, per-connection encoding, counters and history.
import * as assert from 'node:assert';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as iconv from 'iconv-lite';
import * as vscode from 'vscode';
import { api, Api, cleanup, logSince, must, RecordingPeer, run, scratchFolder, server, waitFor } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connectRaw(port: number): Promise<net.Socket & { got: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const s = Object.assign(net.connect({ host: '127.0.0.1', port }), { got: [] as Buffer[] });
    s.on('data', (c: Buffer) => s.got.push(c));
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

describe('Socket assistant (commands in the extension host)', () => {
  let a: Api;
  const peer = new RecordingPeer();
  let dir: string | undefined;
  const raws: (net.Socket & { got: Buffer[] })[] = [];

  before(async () => {
    a = await api();
  });

  beforeEach(async () => {
    await peer.start();
    dir = scratchFolder('assistant');
  });

  afterEach(async () => {
    await run('tcpWorkbench.stopRepeat', {});
    for (const s of a.sessions()) {
      await run('tcpWorkbench.disconnect', { sessionId: s.id });
    }
    await a.stopAll();
    raws.splice(0).forEach((s) => s.destroy());
    await peer.stop();
    cleanup(dir);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const got = () => peer.got();
  const port = () => peer.port;
  const connect = (extra: { encoding?: 'gbk'; lineEnding?: 'crlf' } = {}) => must('tcpWorkbench.connect', { address: `127.0.0.1:${port()}`, show: false, ...extra });

  it('sends hex byte-exact, 00 0d ff included, in every accepted spelling', async () => {
    const s = await connect();
    const r = await must('tcpWorkbench.sendText', { sessionId: s.id, text: '00 0d ff 41', mode: 'hex' });
    assert.strictEqual(r.bytes, 4);
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: '0x42,0x00', mode: 'hex' });
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'ff0d0a', mode: 'hex' });
    await waitFor(() => got().length === 9, '9 bytes at the peer');
    assert.deepStrictEqual(got(), Buffer.from([0x00, 0x0d, 0xff, 0x41, 0x42, 0x00, 0xff, 0x0d, 0x0a]));
  });

  it('refuses bad hex with its position and sends nothing, not even the good selections before it', async () => {
    const s = await connect();
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.sendText', { sessionId: s.id, text: '41 42 4g', mode: 'hex' }), undefined);
    assert.match(logSince(a, mark), /Bad hex at position 8:/);
    const doc = await vscode.workspace.openTextDocument({ content: '41 42\nzz' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selections = [new vscode.Selection(0, 0, 0, 5), new vscode.Selection(1, 0, 1, 2)];
    assert.strictEqual(await run('tcpWorkbench.sendSelection', { sessionId: s.id, mode: 'hex' }), undefined);
    assert.match(logSince(a, mark), /Bad hex at position 1:/);
    // The only proof of "nothing" a peer can give: a marker sent afterwards arrives first.
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'END' });
    await waitFor(() => got().length >= 3, 'the marker');
    assert.strictEqual(got().toString('latin1'), 'END');
  });

  it('parses escapes: \\r \\n \\t \\0 \\xHH as bytes, text in the encoding', async () => {
    const s = await connect();
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.sendText', { sessionId: s.id, text: 'bad \\q', mode: 'escapes' }), undefined);
    assert.match(logSince(a, mark), /Bad escape at position 5/);
    const r = await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'a\\r\\n\\t\\0\\xff中', mode: 'escapes' });
    assert.strictEqual(r.bytes, 9);
    await waitFor(() => got().length === 9, '9 bytes');
    assert.deepStrictEqual(got(), Buffer.from([0x61, 0x0d, 0x0a, 0x09, 0x00, 0xff, 0xe4, 0xb8, 0xad]));
  });

  it('sends to every client of an echo server, and to one client in hex', async () => {
    const srv = await must('tcpWorkbench.startEchoServer', { port: 0, mode: 'manual' });
    for (let i = 0; i < 3; i++) {
      raws.push(await connectRaw(srv.port));
    }
    await waitFor(() => server(a, srv.id).clients === 3, '3 clients');
    const r = await must('tcpWorkbench.sendToAllClients', { entryId: srv.id, text: 'hi\\n', mode: 'escapes' });
    assert.deepStrictEqual(r, { clients: 3, bytes: 3 });
    await waitFor(() => raws.every((c) => Buffer.concat(c.got).toString() === 'hi\n'), 'every client to get "hi\\n"');
    // Client ids count from 1 per server start.
    assert.strictEqual(await must('tcpWorkbench.sendToClient', { entryId: srv.id, clientId: 2, text: '00 ff', mode: 'hex' }), true);
    await waitFor(() => Buffer.concat(raws[1].got).length === 5, 'client 2 to get 2 more bytes');
    assert.deepStrictEqual(Buffer.concat(raws[1].got).subarray(3), Buffer.from([0x00, 0xff]));
    assert.strictEqual(Buffer.concat(raws[0].got).length, 3);
  });

  it('repeats N times, then until stopped by the command', async () => {
    const s = await connect();
    const r = await must('tcpWorkbench.repeatSend', { sessionId: s.id, text: 't', everyMs: 5, count: 4 });
    assert.strictEqual(r.bytes, 1);
    await waitFor(() => got().length === 4, '4 sends');
    await sleep(100);
    assert.strictEqual(got().toString(), 'tttt');
    const r2 = await must('tcpWorkbench.repeatSend', { sessionId: s.id, text: 'u', everyMs: 5 });
    await waitFor(() => got().length >= 7, 'a few more sends');
    const stop = await must('tcpWorkbench.stopRepeat', { repeatId: r2.repeatId });
    assert.strictEqual(stop.stopped, 1);
    await sleep(100);
    assert.strictEqual(got().toString(), 'tttt' + 'u'.repeat(stop.sent));
    assert.deepStrictEqual(await must('tcpWorkbench.stopRepeat', {}), { stopped: 0, sent: 0 });
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.repeatSend', { sessionId: s.id, text: 'x', everyMs: 0 }), undefined);
    assert.match(logSince(a, mark), /repeat interval must be a whole number of milliseconds from 1/);
    assert.strictEqual(await run('tcpWorkbench.repeatSend', { sessionId: s.id, text: '', everyMs: 5 }), undefined);
    assert.match(logSince(a, mark), /Nothing to repeat/);
  });

  it('stopping the session, or the server, stops its repeat', async () => {
    const s = await connect();
    await must('tcpWorkbench.repeatSend', { sessionId: s.id, text: 'z', everyMs: 5 });
    await waitFor(() => got().length >= 2, 'the repeat to run');
    await run('tcpWorkbench.disconnect', { sessionId: s.id });
    await sleep(50);
    assert.deepStrictEqual(await must('tcpWorkbench.stopRepeat', {}), { stopped: 0, sent: 0 });
    const srv = await must('tcpWorkbench.startEchoServer', { port: 0, mode: 'manual' });
    raws.push(await connectRaw(srv.port));
    await waitFor(() => server(a, srv.id).clients === 1, 'the client');
    await must('tcpWorkbench.repeatSend', { entryId: srv.id, clientId: 1, text: 'y', everyMs: 5 });
    await waitFor(() => raws[0].got.length >= 2, 'the repeat to the client');
    await run('tcpWorkbench.stopServer', { entryId: srv.id });
    await sleep(50);
    assert.deepStrictEqual(await must('tcpWorkbench.stopRepeat', {}), { stopped: 0, sent: 0 });
  });

  it('sends a file byte-exact (sha256) in chunks to a session and to a server client', async () => {
    const file = path.join(dir as string, 'blob.bin');
    const data = crypto.randomBytes(3 * 1024 * 1024 + 17);
    fs.writeFileSync(file, data);
    const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    const s = await connect();
    const r = await must('tcpWorkbench.sendFile', { uri: vscode.Uri.file(file).toString(), sessionId: s.id });
    assert.strictEqual(r.bytes, data.length);
    assert.ok(r.chunks > 1, `streamed in chunks, not one write (${r.chunks})`);
    await waitFor(() => got().length === data.length, 'the whole file at the peer', 10_000);
    assert.strictEqual(sha(got()), sha(data));
    const srv = await must('tcpWorkbench.startEchoServer', { port: 0, mode: 'manual' });
    raws.push(await connectRaw(srv.port));
    await waitFor(() => server(a, srv.id).clients === 1, 'the client');
    await must('tcpWorkbench.sendFile', { uri: file, entryId: srv.id, clientId: 1 });
    await waitFor(() => Buffer.concat(raws[0].got).length === data.length, 'the file at the client', 10_000);
    assert.strictEqual(sha(Buffer.concat(raws[0].got)), sha(data));
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.sendFile', { uri: path.join(dir as string, 'missing.bin'), sessionId: s.id }), undefined);
    assert.match(logSince(a, mark), /File not found: .*missing\.bin \(nothing was sent\)/);
  });

  it('records every received byte raw, kept after the peer resets; never overwrites without asking', async () => {
    const s = await connect();
    await waitFor(() => peer.sockets.length === 1, 'the peer to accept');
    const file = path.join(dir as string, 'rec.bin');
    assert.deepStrictEqual(await must('tcpWorkbench.startRecording', { sessionId: s.id, file }), { file });
    const sent = Buffer.concat([Buffer.from([0x00, 0x0d, 0xff, 0x0a]), crypto.randomBytes(256 * 1024)]);
    peer.sockets[0].write(sent);
    await waitFor(() => (a.sessions()[0]?.bytesIn ?? 0) === sent.length, 'the session to receive all');
    peer.sockets[0].resetAndDestroy();
    await waitFor(() => a.sessions().length === 0, 'the session to close');
    assert.ok(fs.readFileSync(file).equals(sent), 'the file holds exactly what arrived');
    // A second recording into the same file is refused and leaves it as it is.
    const s2 = await connect();
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.startRecording', { sessionId: s2.id, file }), undefined);
    assert.match(logSince(a, mark), /already exists: not overwritten/);
    assert.ok(fs.readFileSync(file).equals(sent));
    await must('tcpWorkbench.startRecording', { sessionId: s2.id, file, overwrite: true });
    await waitFor(() => peer.sockets.length === 2, 'the second peer');
    peer.sockets[1].write('second');
    await waitFor(() => fs.readFileSync(file).toString() === 'second', 'the new recording');
    const stop = await must('tcpWorkbench.stopRecording', { sessionId: s2.id });
    assert.deepStrictEqual(stop, { file, bytes: 6 });
  });

  it('decodes a per-connection gbk text that arrives one byte at a time', async () => {
    const s = await connect({ encoding: 'gbk', lineEnding: 'crlf' });
    await waitFor(() => peer.sockets.length === 1, 'the peer to accept');
    peer.sockets[0].setNoDelay(true);
    const text = '你好，世界';
    const bytes = iconv.encode(text, 'gbk');
    for (const b of bytes) {
      peer.sockets[0].write(Buffer.from([b]));
      await sleep(15);
    }
    await waitFor(() => (a.sessions()[0]?.bytesIn ?? 0) === bytes.length, 'every byte');
    await waitFor(() => a.sessions()[0].chunksIn > 1, 'several chunks');
    const entries = a
      .trafficText(`session:${s.id}`)
      .split('\n')
      .filter((l) => l.includes(' ← '))
      .map((l) => l.split(/ {2}/).slice(2).join('  '));
    assert.strictEqual(entries.join(''), text, entries.join('|'));
    // The connection's encoding and line ending are used for sending too.
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: '中' });
    await waitFor(() => got().length === 4, 'gbk 中 + CRLF');
    assert.deepStrictEqual(got(), Buffer.from([0xd6, 0xd0, 0x0d, 0x0a]));
    const r = await must('tcpWorkbench.setEncoding', { sessionId: s.id, encoding: 'utf-8', lineEnding: 'none' });
    assert.deepStrictEqual(r, { encoding: 'utf-8', lineEnding: 'none' });
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: '中' });
    await waitFor(() => got().length === 7, 'utf-8 中');
    assert.deepStrictEqual(got().subarray(4), Buffer.from('中'));
  });

  it('decodes a server client set to gbk whole, one byte a segment, and sends to it in gbk', async () => {
    const srv = await must('tcpWorkbench.startEchoServer', { port: 0, mode: 'manual' });
    raws.push(await connectRaw(srv.port), await connectRaw(srv.port));
    await waitFor(() => server(a, srv.id).clients === 2, '2 clients');
    const r = await must('tcpWorkbench.setEncoding', { entryId: srv.id, clientId: 1, encoding: 'gbk' });
    assert.strictEqual(r.encoding, 'gbk');
    const text = '你好，世界';
    raws[0].setNoDelay(true);
    for (const b of iconv.encode(text, 'gbk')) {
      raws[0].write(Buffer.from([b]));
      await sleep(15);
    }
    raws[1].write(Buffer.from('中文'));
    const remote = `127.0.0.1:${raws[0].localPort ?? 0}`;
    const uri = vscode.Uri.from({ scheme: 'tcp-traffic', path: '/client.log', query: new URLSearchParams({ source: `server:${srv.id}`, peer: remote }).toString() });
    const dataOf = (doc: vscode.TextDocument) =>
      doc
        .getText()
        .split('\n')
        .filter((l) => l.includes('← '))
        .map((l) => l.slice(l.indexOf('← ') + 2).trim())
        .join('');
    await waitFor(() => a.trafficText(`server:${srv.id}`).includes('中文'), 'the utf-8 client to stay utf-8');
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitFor(() => dataOf(doc) === text, `the whole gbk text (got ${JSON.stringify(dataOf(doc))})`);
    assert.strictEqual(await must('tcpWorkbench.sendToClient', { entryId: srv.id, clientId: 1, text: '中' }), true);
    await waitFor(() => Buffer.concat(raws[0].got).length >= 2, 'gbk 中 at client 1');
    assert.deepStrictEqual(Buffer.concat(raws[0].got).subarray(0, 2), Buffer.from([0xd6, 0xd0]));
    const before = Buffer.concat(raws[0].got).length;
    assert.strictEqual((await must('tcpWorkbench.sendToAllClients', { entryId: srv.id, text: 'd6d0', mode: 'hex' })).clients, 2);
    await must('tcpWorkbench.sendToAllClients', { entryId: srv.id, text: '文' });
    await waitFor(() => Buffer.concat(raws[1].got).length >= 5, 'the utf-8 client to get 文 after the 2 hex bytes');
    assert.deepStrictEqual(Buffer.concat(raws[1].got).subarray(0, 5), Buffer.concat([Buffer.from([0xd6, 0xd0]), Buffer.from('文')]));
    await waitFor(() => Buffer.concat(raws[0].got).length >= before + 4, 'the gbk client to get gbk 文');
    assert.deepStrictEqual(Buffer.concat(raws[0].got).subarray(before, before + 4), Buffer.concat([Buffer.from([0xd6, 0xd0]), iconv.encode('文', 'gbk')]));
  });

  it("a new client does not inherit a departed client's line ending (client ids restart with the server)", async () => {
    const srv = await must('tcpWorkbench.startEchoServer', { port: 0, mode: 'manual' });
    raws.push(await connectRaw(srv.port));
    await waitFor(() => server(a, srv.id).clients === 1, 'the first client');
    await must('tcpWorkbench.setEncoding', { entryId: srv.id, clientId: 1, lineEnding: 'crlf' });
    assert.strictEqual(await must('tcpWorkbench.sendToClient', { entryId: srv.id, clientId: 1, text: 'a' }), true);
    await waitFor(() => Buffer.concat(raws[0].got).length >= 3, 'a with crlf at the first client');
    assert.strictEqual(Buffer.concat(raws[0].got).toString(), 'a\r\n');
    raws[0].destroy();
    await waitFor(() => server(a, srv.id).clients === 0, 'the first client to leave');
    await run('tcpWorkbench.stopServer', { entryId: srv.id });
    const again = await must('tcpWorkbench.startServer', { entryId: srv.id });
    raws.push(await connectRaw(again.port));
    await waitFor(() => server(a, srv.id).clients === 1, 'the second client (id 1 again)');
    assert.strictEqual(await must('tcpWorkbench.sendToClient', { entryId: srv.id, clientId: 1, text: 'b' }), true);
    await waitFor(() => Buffer.concat(raws[1].got).length >= 1, 'b at the second client');
    await sleep(100);
    assert.strictEqual(Buffer.concat(raws[1].got).toString(), 'b', 'the setting (none), not the crlf of the client before');
  });

  it('Connect with Encoding… takes the same options as Connect', async () => {
    const s = await must('tcpWorkbench.connectWithEncoding', { address: `127.0.0.1:${port()}`, show: false, encoding: 'gbk', lineEnding: 'crlf' });
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: '中' });
    await waitFor(() => got().length === 4, 'gbk 中 + CRLF');
    assert.deepStrictEqual(got(), Buffer.from([0xd6, 0xd0, 0x0d, 0x0a]));
    const mark = a.logCount();
    assert.strictEqual(await run('tcpWorkbench.connect', { address: `127.0.0.1:${port()}`, show: false, encoding: 'klingon' as 'gbk' }), undefined);
    assert.match(logSince(a, mark), /Unknown encoding "klingon"/);
  });

  it('counts bytes and chunks both ways and resets them', async () => {
    const s = await connect();
    await waitFor(() => peer.sockets.length === 1, 'the peer to accept');
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'abc' });
    await must('tcpWorkbench.sendText', { sessionId: s.id, text: 'de' });
    peer.sockets[0].write('12345');
    await waitFor(() => a.sessions()[0].bytesIn === 5, 'the reply');
    const c = a.sessions()[0];
    assert.deepStrictEqual([c.bytesOut, c.chunksOut, c.bytesIn, c.chunksIn], [5, 2, 5, 1]);
    await run('tcpWorkbench.resetCounters', { sessionId: s.id });
    const z = a.sessions()[0];
    assert.deepStrictEqual([z.bytesOut, z.chunksOut, z.bytesIn, z.chunksIn], [0, 0, 0, 0]);
  });

  it('keeps the last sent texts, at most 20, and clears them', async () => {
    await run('tcpWorkbench.clearSendHistory');
    const s = await connect();
    for (const t of ['one', 'two', 'one']) {
      await must('tcpWorkbench.sendText', { sessionId: s.id, text: t });
    }
    assert.deepStrictEqual(await must('tcpWorkbench.clearSendHistory'), { cleared: 2 });
    for (let i = 0; i < 25; i++) {
      await must('tcpWorkbench.sendText', { sessionId: s.id, text: `m${i}` });
    }
    assert.deepStrictEqual(await must('tcpWorkbench.clearSendHistory'), { cleared: 20 });
    assert.deepStrictEqual(await must('tcpWorkbench.clearSendHistory'), { cleared: 0 });
  });
});
