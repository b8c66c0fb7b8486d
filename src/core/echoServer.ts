// CONTRACT STUB — to be implemented (issue 2). Public API below is fixed; bodies are not.
import * as net from 'node:net';
import { ClientInfo, ServerOptions, TcpServer } from './serverBase';
import { EncodingName, LineEnding } from './codec';

/** echo: every byte back unchanged (RFC 862); reply: a fixed text once per received chunk; manual: nothing automatic. */
export type EchoMode = 'echo' | 'reply' | 'manual';

export interface EchoServerOptions extends ServerOptions {
  mode?: EchoMode;
  /** The text sent in `reply` mode. */
  replyText?: string;
  /** Encoding of replyText and of sendText(); default utf-8. */
  encoding?: EncodingName;
}

export class EchoServer extends TcpServer {
  readonly kind = 'echo' as const;

  constructor(protected override readonly options: EchoServerOptions = {}) {
    super(options);
  }

  get mode(): EchoMode {
    return this.options.mode ?? 'echo';
  }

  /** Sends text (in the server's encoding, plus an optional line ending) to one client; false if no such client. */
  sendText(_clientId: number, _text: string, _lineEnding?: LineEnding): boolean {
    throw new Error('not implemented');
  }

  /** Sends text to every connected client; returns how many got it. */
  broadcastText(_text: string, _lineEnding?: LineEnding): number {
    throw new Error('not implemented');
  }

  protected handleClient(_socket: net.Socket, _client: ClientInfo): void {
    throw new Error('not implemented');
  }
}
