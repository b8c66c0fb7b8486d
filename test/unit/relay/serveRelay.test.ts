// `serve relay` as a user runs it: a real CLI process between nc and our echo server, a pcap and a
// script written, exit 0 on SIGTERM; usage errors exit 2 and existing files are kept.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { Peers, finish, firstLine, stopChild, waitFor } from '../support';
import { followStream, packets } from './relayFixtures';

const CLI = path.resolve(__dirname, '../../../src/cli.js');

describe('cli serve relay', function () {
  this.timeout(30000);
  const peers = new Peers();
  let echo: EchoServer;
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-relay-cli-'));
    echo = new EchoServer();
  });

  afterEach(async () => {
    await peers.dispose();
    await echo.stop();
    echo.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('prints listening, forwards, writes the pcap and the script, and exits 0 on SIGTERM', async () => {
    const target = (await echo.start()).port;
    const pcap = path.join(tmp, 'c.pcap');
    const script = path.join(tmp, 'c.tcp');
    const child = peers.spawn(process.execPath, [CLI, 'serve', 'relay', '--to', `127.0.0.1:${target}`, '--pcap', pcap, '--script', script]);
    const done = finish(child, 20000, 'serve relay');
    const line = await firstLine(child.stdout, 5000, 'serve relay');
    const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
    assert.ok(m, line);
    const r = await peers.run('nc', ['-N', '127.0.0.1', m[1]], 'through the relay\n');
    assert.equal(r.stdout.toString(), 'through the relay\n');
    // The pcap is written as it goes: the conversation is in it before the relay stops.
    await waitFor(() => fs.statSync(pcap).size > 24, 'packets on disk while the relay runs');
    await stopChild(child, 'SIGTERM');
    const res = await done;
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /client 1 relayed to 127\.0\.0\.1:\d+/);
    assert.match(res.stderr, /client 1 closed: closed, 18 bytes client→server, 18 bytes server→client/);
    assert.match(res.stderr, /pcap .*c\.pcap: 7 packets/);
    const f = await followStream(pcap, 0);
    assert.equal(f.toServer.toString(), 'through the relay\n');
    assert.equal(f.toClient.toString(), 'through the relay\n');
    assert.equal((await packets(pcap)).length, 7);
    const text = fs.readFileSync(script, 'utf8');
    assert.match(
      text,
      new RegExp(
        `^### connection 1 from 127\\.0\\.0\\.1:\\d+\\nconnect 127\\.0\\.0\\.1:${target}\\nsend "through the relay\\\\n"\\nshutdown\\nexpect "through the relay\\\\n"\\nexpect close\\n$`,
      ),
    );
  });

  it('exits 2 without --to and 1 when the pcap file exists, leaving it alone', async () => {
    const usage = await peers.run(process.execPath, [CLI, 'serve', 'relay']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /serve relay needs --to HOST:PORT/);
    const pcap = path.join(tmp, 'old.pcap');
    fs.writeFileSync(pcap, 'precious');
    const exists = await peers.run(process.execPath, [CLI, 'serve', 'relay', '--to', '127.0.0.1:9', '--pcap', pcap]);
    assert.equal(exists.code, 1);
    assert.match(exists.stderr, /already exists/);
    assert.equal(fs.readFileSync(pcap, 'utf8'), 'precious');
  });

  it('lists serve relay in --help', async () => {
    const r = await peers.run(process.execPath, [CLI, '--help']);
    assert.match(r.stdout.toString(), /serve relay --to HOST:PORT/);
  });
});
