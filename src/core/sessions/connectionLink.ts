// One open connection seen the same way from either side: a ClientSession, or one client of an
// EchoServer. The recorder and the repeater work on a Link, so each exists once for both.
import { ClientSession } from './clientSession';
import { EchoServer } from '../servers/echoServer';
import { Event } from '../events';

export interface Link {
  /** `127.0.0.1:7` for a session, `client 3 (127.0.0.1:51234)` for a server's client. */
  readonly label: string;
  readonly isOpen: boolean;
  /** Resolves once the socket has taken the bytes; rejects when the connection is gone. */
  send(bytes: Buffer): Promise<void>;
  /** Every received chunk, raw. */
  readonly onReceive: Event<Buffer>;
  /** Fires once when the connection closes, for whatever reason. */
  readonly onDidClose: Event<void>;
}

export function sessionLink(session: ClientSession): Link {
  return {
    label: session.remote,
    get isOpen() {
      return session.state === 'connected';
    },
    send: (bytes) => session.send(bytes),
    onReceive: (listener) =>
      session.onData((d) => {
        if (d.bytes.length > 0) {
          listener(d.bytes);
        }
      }),
    onDidClose: (listener) => session.onDidClose(() => listener()),
  };
}

export function serverClientLink(server: EchoServer, clientId: number): Link {
  const client = server.clients.find((c) => c.id === clientId);
  return {
    label: `client ${clientId}${client ? ` (${client.remote})` : ''}`,
    get isOpen() {
      return server.clients.some((c) => c.id === clientId);
    },
    send: (bytes) => server.sendTo(clientId, bytes),
    onReceive: (listener) =>
      server.onData((e) => {
        if (e.direction === 'in' && e.client.id === clientId && e.bytes.length > 0) {
          listener(e.bytes);
        }
      }),
    onDidClose: (listener) =>
      server.onDidLeaveClient((e) => {
        if (e.client.id === clientId) {
          listener();
        }
      }),
  };
}
