// What the runner and `run` CLI tests share: an EchoServer and a temporary folder per test, and the peers
// they start, all gone after each test. Call inside a describe(); read port and tmp inside the tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EchoServer } from '../../../src/core/servers/echoServer';
import { Peers } from '../support';

export interface EchoFixture {
  readonly peers: Peers;
  /** The echo server of the running test. */
  readonly echo: EchoServer;
  /** The echo server's port (127.0.0.1). */
  readonly port: number;
  /** A folder of the test's own. */
  readonly tmp: string;
}

export function useEchoFixture(prefix: string): EchoFixture {
  const peers = new Peers();
  let echo: EchoServer | undefined;
  const state = { port: 0, tmp: '' };

  beforeEach(async () => {
    echo = new EchoServer();
    state.port = (await echo.start()).port;
    state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  });

  afterEach(async () => {
    await peers.dispose();
    await echo?.stop();
    echo?.dispose();
    fs.rmSync(state.tmp, { recursive: true, force: true });
  });

  return {
    peers,
    get echo() {
      return echo!;
    },
    get port() {
      return state.port;
    },
    get tmp() {
      return state.tmp;
    },
  };
}
