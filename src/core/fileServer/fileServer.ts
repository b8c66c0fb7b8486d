// The tutorials' file server: a client connects, sends a file name (no terminator, side left open, one
// send), and gets the file's bytes followed by a close. Zero bytes and a close mean "no such file".
// Every name goes through the path guard; nothing outside the root is ever read.
import * as net from 'node:net';
import { Emitter } from '../events';
import { ClientInfo, ServerOptions, TcpServer, resetSocket } from '../servers/serverBase';
import { EncodingName } from '../codec';
import { DEFAULT_DENY, DenyList } from './denyList';
import { WorkbenchError } from '../errors';
import { Refusal } from '../refusals';
import { MAX_NAME_BYTES, escapeBytes, guardRequest } from './pathGuard';

export interface FileServerOptions extends ServerOptions {
  /** The folder served; nothing outside it is ever read. */
  root: string;
  /** Encoding of requested names; default utf-8 (gbk for the tutorials' Windows clients). */
  encoding?: EncodingName;
  /** Answer `/` or `folder/` with a listing; default true. */
  listing?: boolean;
  /**
   * Globs of names never served nor listed (see denyList.ts); default DEFAULT_DENY, `[]` = none.
   * A bad glob throws DenyGlobError from the constructor.
   */
  deny?: readonly string[];
  /** Close a client that has not sent a whole name within this time (ms); default 10000. */
  nameTimeoutMs?: number;
  /** How long no more bytes means the name is complete (ms); default 50. */
  nameQuietMs?: number;
  /**
   * (From ServerOptions) a transfer that makes no progress for this long (the client stopped reading)
   * is reset; default DEFAULT_STALL_TIMEOUT_MS, 0 = never.
   */
  idleTimeoutMs?: number;
}

/** A stranger who asks for a file and stops reading must not hold a slot (and the file open) forever. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

export interface FileRequestEvent {
  client: ClientInfo;
  /** The decoded name as asked (or a printable escape of the bytes when it did not decode). */
  name: string;
  /** served: a file; listed: a folder listing; refused / not-found: zero bytes and a close. */
  outcome: 'served' | 'listed' | 'refused' | 'not-found';
  /** Why it was refused or not found: in English, and as a code with its values (for localized wording). */
  reason?: string;
  why?: Refusal;
  /** The refusal as a typed error when it has one (DeniedNameError, code `file.denied`), for localized wording. */
  refusal?: WorkbenchError;
  /** The resolved path for served/listed. */
  path?: string;
  /** Size in bytes for served. */
  size?: number;
}

/** Big reads keep the syscall count low; memory stays bounded by this times the socket's buffer. */
const CHUNK = 1024 * 1024;
/** A peer that never closes its side after our FIN is dropped after this long. */
const LINGER_MS = 10_000;

export class FileServer extends TcpServer {
  readonly kind = 'file' as const;
  protected readonly _onDidRequest = this._register(new Emitter<FileRequestEvent>());
  /** One event per request: what was asked and what was answered. */
  readonly onDidRequest = this._onDidRequest.event;
  /** Clients whose file is still streaming: stopping or kicking them must look like an error, not an end. */
  private readonly streaming = new Set<number>();

  // The base class stores the options (with the stall timeout's default filled in); this only narrows the type.
  declare protected readonly options: FileServerOptions;
  private readonly denyList: DenyList;

  constructor(options: FileServerOptions) {
    super({ ...options, idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS });
    this.denyList = new DenyList(options.deny ?? DEFAULT_DENY);
  }

  get root(): string {
    return this.options.root;
  }

  /** The deny globs in force. */
  get deny(): readonly string[] {
    return this.denyList.globs;
  }

  override stop(): Promise<void> {
    // A plain close would send FIN, which the protocol cannot tell from the end of the file: the
    // client would keep a truncated file. A reset makes it see the failure.
    for (const id of this.streaming) {
      this.abortTransfer(id, 'server-stopped');
    }
    return super.stop();
  }

  override kick(clientId: number): boolean {
    if (this.streaming.has(clientId)) {
      this.abortTransfer(clientId, 'kicked');
      return true;
    }
    return super.kick(clientId);
  }

  private abortTransfer(clientId: number, reason: 'server-stopped' | 'kicked'): void {
    const socket = this.socketOf(clientId);
    this.streaming.delete(clientId);
    if (socket && !socket.destroyed) {
      this.setLeaveReason(clientId, reason);
      resetSocket(socket);
    }
  }

  protected handleClient(socket: net.Socket, client: ClientInfo): void {
    const nameTimeoutMs = this.options.nameTimeoutMs ?? 10_000;
    const quietMs = this.options.nameQuietMs ?? 50;
    const chunks: Buffer[] = [];
    let length = 0;
    let named = false;
    let quiet: NodeJS.Timeout | undefined;

    const timeout = setTimeout(() => {
      if (!named) {
        named = true;
        clearTimeout(quiet);
        this.setLeaveReason(client.id, 'timed-out');
        socket.destroy();
      }
    }, nameTimeoutMs);

    const complete = (name: Buffer): void => {
      if (named) {
        return;
      }
      named = true;
      clearTimeout(timeout);
      clearTimeout(quiet);
      void this.answer(socket, client, name);
    };

    socket.on('data', (chunk: Buffer) => {
      // Counted and then ignored once the name is read: bytes after the name are not an error, and
      // reading them keeps the kernel from answering our close with a reset.
      this.received(client, chunk);
      if (named) {
        return;
      }
      const lf = chunk.indexOf(0x0a);
      if (lf >= 0) {
        chunks.push(chunk.subarray(0, lf));
        let name = Buffer.concat(chunks);
        if (name.length > 0 && name[name.length - 1] === 0x0d) {
          name = name.subarray(0, -1);
        }
        complete(name);
        return;
      }
      chunks.push(chunk);
      length += chunk.length;
      // One byte of slack for a CR whose LF is still on its way.
      if (length > MAX_NAME_BYTES + (chunk[chunk.length - 1] === 0x0d ? 1 : 0)) {
        complete(Buffer.concat(chunks));
        return;
      }
      clearTimeout(quiet);
      quiet = setTimeout(() => complete(Buffer.concat(chunks)), quietMs);
    });
    socket.on('end', () => {
      if (!named) {
        if (length === 0) {
          named = true;
          clearTimeout(timeout);
          clearTimeout(quiet);
          this.close(socket, client);
          return;
        }
        complete(Buffer.concat(chunks));
      }
    });
    socket.on('close', () => {
      clearTimeout(timeout);
      clearTimeout(quiet);
      this.streaming.delete(client.id);
    });
  }

  /** Ends our side; drops a peer that never closes its own. */
  private close(socket: net.Socket, client: ClientInfo): void {
    this.setLeaveReason(client.id, 'done');
    if (socket.destroyed) {
      return;
    }
    socket.end();
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.once('close', () => clearTimeout(linger));
  }

  private async answer(socket: net.Socket, client: ClientInfo, raw: Buffer): Promise<void> {
    const r = await guardRequest(this.options.root, raw, { encoding: this.options.encoding, listing: this.options.listing, deny: this.denyList });
    if (!r.ok) {
      this._onDidRequest.fire({
        client,
        name: r.name || escapeBytes(raw),
        outcome: r.outcome,
        reason: r.reason,
        why: { code: r.code, args: r.args, reason: r.reason },
        refusal: r.error,
      });
      this.close(socket, client);
      return;
    }
    if (r.kind === 'listing') {
      this._onDidRequest.fire({ client, name: r.name, outcome: 'listed', path: r.path });
      if (!socket.destroyed) {
        const text = Buffer.from(r.entries.map((e) => `${e}\n`).join(''), 'utf8');
        if (text.length > 0) {
          this.sent(client, text);
          socket.write(text);
        }
      }
      this.close(socket, client);
      return;
    }
    const handle = r.handle;
    this._onDidRequest.fire({ client, name: r.name, outcome: 'served', path: r.path, size: r.size });
    if (socket.destroyed) {
      await handle.close().catch(() => undefined);
      return;
    }
    this.streaming.add(client.id);
    // The stream owns the descriptor (autoClose) and closes it on end, error or destroy.
    const stream = handle.createReadStream({ highWaterMark: CHUNK, start: 0 });
    socket.once('close', () => {
      stream.destroy();
    });
    const onDrain = (): void => {
      stream.resume();
    };
    socket.on('drain', onDrain);
    stream.on('data', (chunk: string | Buffer) => {
      const b = chunk as Buffer;
      this.sent(client, b);
      if (!socket.write(b)) {
        stream.pause();
      }
    });
    stream.on('end', () => {
      socket.off('drain', onDrain);
      this.streaming.delete(client.id);
      this.close(socket, client);
    });
    stream.on('error', (e) => {
      // A read error mid-file: reset, so the client does not take the part it got for the whole file.
      this.streaming.delete(client.id);
      this.setLeaveReason(client.id, 'error', e);
      this._onDidError.fire(new Error(`Reading ${r.path} for ${client.remote} failed: ${e.message}`));
      if (!socket.destroyed) {
        resetSocket(socket);
      }
    });
  }
}
