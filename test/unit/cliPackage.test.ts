// The CLI as an npm package: scripts/pack-cli.mjs packs it, npm installs the tarball into a temporary
// prefix (offline: the bundle has no dependencies to fetch), and the installed `tcp-workbench` runs the
// shipped examples from a folder outside the repository against real servers, as a CI job would.
// Set TCP_WORKBENCH_CLI_TGZ=<file> to check an existing tarball instead of packing one.
import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PEERS, Peers } from './support';
import { servePeer, startChat, startMosquitto, startRedis } from './script/realServers';

const ROOT = path.resolve(__dirname, '../../..');
/** The tarball's budget: the CLI with the MCP SDK it loads for `mcp` only. */
const MAX_TGZ_BYTES = 400 * 1024;

function run(cmd: string, args: string[], cwd: string, timeout = 20000, env = process.env): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout, env, encoding: 'utf8' }, (e, out, err) => resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }));
  });
}

describe('the CLI npm package (tcp-workbench-<version>.tgz)', function () {
  this.timeout(120_000);
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
  const peers = new Peers();
  let tmp: string;
  let tgz: string;
  let bin: string;

  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tcpwb-npm-'));
    tgz = process.env.TCP_WORKBENCH_CLI_TGZ ?? '';
    if (!tgz) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/pack-cli.mjs'), '--out', tmp], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `pack-cli failed:\n${r.stdout}\n${r.stderr}`);
      tgz = path.join(tmp, `tcp-workbench-${version}.tgz`);
    }
    console.log(`      ${path.basename(tgz)}: ${(fs.statSync(tgz).size / 1024).toFixed(0)} KiB`);
    const prefix = path.join(tmp, 'prefix');
    // --offline: nothing may need fetching; a dependency in the package would fail here.
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tgz], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
    assert.equal(install.status, 0, `npm install failed:\n${install.stdout}\n${install.stderr}`);
    bin = path.join(prefix, 'bin', 'tcp-workbench');
  });

  after(async () => {
    await peers.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(`holds only cli.js, package.json, README.md and LICENSE, within ${MAX_TGZ_BYTES / 1024} KiB`, () => {
    const list = spawnSync('tar', ['tzf', tgz], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n').sort(), ['package/LICENSE', 'package/README.md', 'package/cli.js', 'package/package.json']);
    assert.ok(fs.statSync(tgz).size <= MAX_TGZ_BYTES, `${fs.statSync(tgz).size} bytes`);
  });

  it('its manifest: the bin, Node ≥ 20, the extension version, no dependencies', () => {
    const manifest = JSON.parse(spawnSync('tar', ['xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }).stdout);
    assert.equal(manifest.name, 'tcp-workbench');
    assert.equal(manifest.version, version);
    assert.deepEqual(manifest.bin, { 'tcp-workbench': 'cli.js' });
    assert.equal(manifest.engines.node, '>=20');
    assert.equal(manifest.dependencies, undefined);
    assert.equal(manifest.devDependencies, undefined);
  });

  it('the installed tcp-workbench prints the version and its help', async () => {
    const v = await run(bin, ['--version'], tmp);
    assert.equal(v.code, 0, v.err);
    assert.equal(v.out, `${version}\n`);
    const h = await run(bin, ['--help'], tmp);
    assert.match(h.out, /tcp-workbench run FILE\.tcp/);
    assert.match(h.out, /tcp-workbench mcp/);
  });

  it('runs examples/*.tcp with --junit from outside the repository against real servers', async () => {
    const work = path.join(tmp, 'project');
    fs.cpSync(path.join(ROOT, 'examples'), path.join(work, 'examples'), { recursive: true });
    // The servers each example talks to, on free ports: the installed CLI's own, the tutorials' python
    // peers, and real redis-server, mosquitto and pymodbus. The listen-block examples bring their own.
    const echo = await peers.startPeer(bin, ['serve', 'echo']);
    const file = await peers.startPeer(bin, ['serve', 'file', '--root', path.join(work, 'examples/files')]);
    const py = await peers.startPeer('python3', [path.join(PEERS, 'reply_server.py'), 'PONG\\n']);
    for (const c of [echo.child, file.child, py.child]) {
      c.stderr.resume();
    }
    const portOf = (line: string) => /(\d+)$/.exec(line)?.[1] ?? assert.fail(`no port in ${line}`);
    const ports: Record<string, string> = {
      'echo.tcp': portOf(echo.line),
      'file-server.tcp': portOf(file.line),
      'python-reply.tcp': portOf(py.line),
      'resp.tcp': String(await startRedis(peers)),
      'redis.tcp': String(await startRedis(peers)),
      'mqtt.tcp': String(await startMosquitto(peers)),
      'modbus-rtu.tcp': String(await servePeer(peers, '/usr/bin/python3', (p) => [path.join(PEERS, 'modbus_rtu_server.py'), String(p)])),
      'chat.tcp': String(await startChat(peers)),
    };
    const files = fs.readdirSync(path.join(work, 'examples')).filter((f) => f.endsWith('.tcp'));
    for (const f of files) {
      const p = path.join(work, 'examples', f);
      const text = fs.readFileSync(p, 'utf8');
      if (/^@port = \d+/m.test(text)) {
        assert.ok(ports[f], `examples/${f} needs a server this test does not start`);
        fs.writeFileSync(p, text.replace(/^@port = \d+/m, `@port = ${ports[f]}`));
      }
    }
    // tls-mock.tcp's generated CA goes to a config folder of the test's own, not the user's.
    const env = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config') };
    const r = await run(bin, ['run', ...files.map((f) => `examples/${f}`), '--junit', 'report.xml'], work, 90_000, env);
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    const passed = Number(/\n(\d+) passed, 0 failed\n$/.exec(r.out)?.[1] ?? assert.fail(r.out));
    assert.equal((r.out.match(/^✓ /gm) ?? []).length, passed, r.out);
    const xml = fs.readFileSync(path.join(work, 'report.xml'), 'utf8');
    assert.match(xml, new RegExp(`<testsuites[^>]* tests="${passed}"[^>]* failures="0"`));
    for (const f of files) {
      assert.ok(xml.includes(f), `examples/${f} is not in the JUnit report`);
    }
    assert.ok(files.length >= 11 && passed >= files.length, `${files.length} files, ${passed} blocks`);
  });

  it('a failing example exits 1 and says which line', async () => {
    const work = path.join(tmp, 'failing');
    fs.mkdirSync(work);
    fs.writeFileSync(
      path.join(work, 'bad.tcp'),
      '### mock\nlisten 127.0.0.1:0\non "A" send "B"\n\n### wrong answer\nconnect {{listen.host}}:{{listen.port}}\nsend "A"\nexpect "C"\n',
    );
    const r = await run(bin, ['run', 'bad.tcp'], work);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /✗ wrong answer — line 8: expected "C" got "B"/);
  });

  it('the installed tcp-workbench mcp serves its tools (the SDK loads from the bundle alone)', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: bin, args: ['mcp'], cwd: tmp, stderr: 'ignore' }));
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 6);
      assert.equal(client.getServerVersion()?.version, version);
    } finally {
      await client.close();
    }
  });
});
