// Shared by the integration tests: the extension's API, real sockets on 127.0.0.1, temp folders.
import * as assert from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandId, CommandTypes } from '../../src/state/commands';
import type { TcpWorkbenchApi } from '../../src/extension';

export const EXTENSION_ID = 'tcp-workbench.tcp-workbench';

/** The API object activate() returns. A type-only import: erased at build, so the suite loads no src module. */
export type Api = TcpWorkbenchApi;

type Result<K extends CommandId> = Awaited<ReturnType<CommandTypes[K]>>;

/** Runs one of our commands with the argument and result types the extension declares (type-only import). */
export async function run<K extends CommandId>(id: K, ...args: Parameters<CommandTypes[K]>): Promise<Result<K> | undefined> {
  return vscode.commands.executeCommand<Result<K> | undefined>(id, ...args);
}

/** Like run(), for a call that must succeed: fails the test when the command resolved to undefined. */
export async function must<K extends CommandId>(id: K, ...args: Parameters<CommandTypes[K]>): Promise<Result<K>> {
  const r = await run(id, ...args);
  assert.ok(r !== undefined, `${id} resolved to undefined`);
  return r;
}

export async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export function server(a: Api, id: string): ReturnType<Api['servers']>[number] {
  const s = a.servers().find((x) => x.id === id);
  assert.ok(s, `no server entry "${id}" in ${JSON.stringify(a.servers())}`);
  return s;
}

/** Polls `check` every 20 ms until it returns true; fails with `what` after `ms` (the order of the unit tests' waitFor). */
export async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) {
      assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function logSince(a: Api, mark: number): string {
  return a.logSince(mark).join('\n');
}

/**
 * Sends `data`, then reads until `expected` bytes came back (or the peer closed / 5 s passed). With
 * `halfClose`, it then half-closes and waits for the peer's close, so both directions end with a FIN.
 */
export function exchange(port: number, data: Buffer, expected: number, opts: { halfClose?: boolean } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let n = 0;
    const s = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`got ${n} of ${expected} bytes within 5 s`));
    }, 5000);
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(Buffer.concat(parts));
    };
    s.on('connect', () => s.write(data));
    s.on('data', (c: Buffer) => {
      parts.push(c);
      n += c.length;
      if (n >= expected) {
        if (opts.halfClose) {
          s.end();
        } else {
          done();
        }
      }
    });
    s.on('end', () => !opts.halfClose && done());
    s.on('close', done);
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Resolves with the error code of a connection attempt, or 'connected'. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Asks a file server for `name` the way the protocol goes: send the name, read until the server closes. */
export function fetchName(port: number, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(name));
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no end from the file server within 5 s for "${name}"`));
    }, 5000);
    s.on('data', (c: Buffer) => parts.push(c));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts));
    });
    s.on('error', () => undefined); // a reset still ends in 'close'
  });
}

/** The default of a setting as the extension's manifest declares it (the suite loads no src module). */
export function manifestDefault(key: string): unknown {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  return (ext.packageJSON as { contributes: { configuration: { properties: Record<string, { default?: unknown }> } } }).contributes.configuration.properties[key]?.default;
}

/** A listening plain server for the test; close it in an after hook. */
export async function listen(onConnection: (s: net.Socket) => void): Promise<net.Server & { port: number }> {
  const srv = net.createServer(onConnection);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return Object.assign(srv, { port: (srv.address() as net.AddressInfo).port });
}

export function close(srv: net.Server | undefined): Promise<void> {
  return new Promise((r) => (srv ? srv.close(() => r()) : r()));
}

/** A server the test owns that keeps every byte it receives and the sockets it accepted; start() per test. */
export class RecordingPeer {
  received: Buffer[] = [];
  sockets: net.Socket[] = [];
  private server?: net.Server & { port: number };

  async start(): Promise<void> {
    this.received = [];
    this.sockets = [];
    this.server = await listen((s) => {
      this.sockets.push(s);
      s.on('data', (c: Buffer) => this.received.push(c));
      s.on('error', () => undefined);
    });
  }

  get port(): number {
    assert.ok(this.server, 'the peer is not started');
    return this.server.port;
  }

  /** Everything received so far, in order. */
  got(): Buffer {
    return Buffer.concat(this.received);
  }

  async stop(): Promise<void> {
    this.sockets.forEach((s) => s.destroy());
    await close(this.server);
    this.server = undefined;
  }
}

/** Runs a peer program (tshark, editcap…) to its end: its exit code and output, never a rejection. */
export function exec(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A fresh folder inside the workspace (or the temp dir when none is open); removed by `cleanup`. */
export function scratchFolder(prefix: string): string {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
  return fs.mkdtempSync(path.join(ws, `${prefix}-`));
}

export function cleanup(dir: string | undefined): void {
  if (dir) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The repository root: the suite runs from out/test/suite. */
export const REPO = path.resolve(__dirname, '..', '..', '..');

/**
 * Sets a tcpWorkbench setting (undefined: back to the default) and waits until VS Code has told the extension host
 * about it: our listener is registered after the extension's, so when it fires the extension has re-read its settings.
 */
export async function setSetting(key: string, value: unknown): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('tcpWorkbench');
  if (cfg.inspect(key)?.globalValue === value) {
    return;
  }
  let sub: vscode.Disposable | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const changed = new Promise<void>((resolve, reject) => {
    sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`tcpWorkbench.${key}`)) {
        resolve();
      }
    });
    timer = setTimeout(() => reject(new Error(`no configuration change event for tcpWorkbench.${key} within 5 s`)), 5000);
  });
  try {
    await cfg.update(key, value, vscode.ConfigurationTarget.Global);
    await changed;
  } finally {
    clearTimeout(timer);
    sub?.dispose();
  }
}
