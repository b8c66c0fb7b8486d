// What the runner and `run` CLI tests share: an EchoServer and a temporary folder per test, and the peers
// they start, all owned by the scaffold and gone after each test. Call inside a describe(); read port and tmp inside the tests.
import { EchoServer } from '../../../src/core/servers/echoServer';
import { Scaffold } from '../support';

export interface EchoFixture {
  readonly peers: Scaffold;
  /** The echo server of the running test. */
  readonly echo: EchoServer;
  /** The echo server's port (127.0.0.1). */
  readonly port: number;
  /** A folder of the test's own. */
  readonly tmp: string;
}

export function useEchoFixture(prefix: string): EchoFixture {
  const peers = new Scaffold();
  const state = { echo: undefined as EchoServer | undefined, port: 0, tmp: '' };

  beforeEach(async () => {
    const { server, port } = await peers.start(new EchoServer());
    Object.assign(state, { echo: server, port, tmp: peers.tempDir(prefix) });
  });

  afterEach(() => peers.dispose());

  return {
    peers,
    get echo() {
      return state.echo!;
    },
    get port() {
      return state.port;
    },
    get tmp() {
      return state.tmp;
    },
  };
}
