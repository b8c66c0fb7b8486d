// CONTRACT STUB — to be implemented (issue 2). Public API below is fixed; bodies are not.
import * as net from 'node:net';
import { Emitter } from './events';
import { ClientInfo, ServerOptions, TcpServer } from './serverBase';
import { EncodingName } from './codec';

export interface FileServerOptions extends ServerOptions {
  /** The folder served; nothing outside it is ever read. */
  root: string;
  /** Encoding of requested names; default utf-8 (gbk for the tutorials' Windows clients). */
  encoding?: EncodingName;
  /** Answer `/` or `folder/` with a listing; default true. */
  listing?: boolean;
  /** Close a client that has not sent a whole name within this time (ms); default 10000. */
  nameTimeoutMs?: number;
  /** How long no more bytes means the name is complete (ms); default 50. */
  nameQuietMs?: number;
}

export interface FileRequestEvent {
  client: ClientInfo;
  /** The decoded name as asked (or a printable escape of the bytes when it did not decode). */
  name: string;
  /** served: a file; listed: a folder listing; refused / not-found: zero bytes and a close. */
  outcome: 'served' | 'listed' | 'refused' | 'not-found';
  /** Why it was refused or not found. */
  reason?: string;
  /** The resolved path for served/listed. */
  path?: string;
  /** Size in bytes for served. */
  size?: number;
}

export class FileServer extends TcpServer {
  readonly kind = 'file' as const;
  protected readonly _onDidRequest = this._register(new Emitter<FileRequestEvent>());
  /** One event per request: what was asked and what was answered. */
  readonly onDidRequest = this._onDidRequest.event;

  constructor(protected override readonly options: FileServerOptions) {
    super(options);
  }

  get root(): string {
    return this.options.root;
  }

  protected handleClient(_socket: net.Socket, _client: ClientInfo): void {
    throw new Error('not implemented');
  }
}
