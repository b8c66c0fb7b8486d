// The echo server: RFC 862 echo, a fixed reply per received chunk (what the tutorial servers do after
// each `recv`), or manual mode where only the API (a person, a chat-style console) sends.
import * as net from 'node:net';
import { ClientInfo, ServerOptions, TcpServer } from './serverBase';
import { EncodingName, LINE_ENDINGS, LineEnding, StreamDecoder, checkEncoding, createDecoder, encodeText } from '../codec';
import { SendFileError, SendFileOptions, SendFileResult, streamFileTo } from '../fileSender';
import { WorkbenchError } from '../errors';

/** echo: every byte back unchanged (RFC 862); reply: a fixed text once per received chunk; manual: nothing automatic. */
export type EchoMode = 'echo' | 'reply' | 'manual';

export interface EchoServerOptions extends ServerOptions {
  mode?: EchoMode;
  /** The text sent in `reply` mode. */
  replyText?: string;
  /** Encoding of replyText, and of each client's text unless setClientEncoding() overrides it; default utf-8. */
  encoding?: EncodingName;
}

export class EchoServer extends TcpServer {
  readonly kind = 'echo' as const;
  /** replyText encoded once, so a bad reply (e.g. not hex in `hex`) fails at construction, not per chunk. */
  private readonly replyBytes?: Buffer;
  /** Per-client overrides of the server's encoding. */
  private readonly clientEncodings = new Map<number, EncodingName>();
  /** One stream decoder per client, so a character split across segments decodes whole. */
  private readonly decoders = new Map<number, StreamDecoder>();

  constructor(protected override readonly options: EchoServerOptions = {}) {
    super(options);
    const mode = options.mode ?? 'echo';
    if (mode !== 'echo' && mode !== 'reply' && mode !== 'manual') {
      throw new Error(`Unknown echo server mode "${String(mode)}". Use echo, reply or manual.`);
    }
    checkEncoding(this.encoding);
    if (mode === 'reply') {
      if (options.replyText === undefined) {
        throw new Error('Reply mode needs a reply text.');
      }
      this.replyBytes = encodeText(options.replyText, this.encoding);
    }
  }

  get mode(): EchoMode {
    return this.options.mode ?? 'echo';
  }

  get encoding(): EncodingName {
    return this.options.encoding ?? 'utf-8';
  }

  /** The encoding one client's text is decoded and sent in: its own override, else the server's. */
  encodingOf(clientId: number): EncodingName {
    return this.clientEncodings.get(clientId) ?? this.encoding;
  }

  /** The client's own encoding when one was set, else undefined (it uses the server's). */
  clientEncoding(clientId: number): EncodingName | undefined {
    return this.clientEncodings.get(clientId);
  }

  /**
   * Overrides one client's encoding (undefined: back to the server's) from its next chunk on; what the old
   * decoder still held back is decoded in the old encoding first and reported. A reply-mode server's fixed
   * reply stays in the server's encoding. False when there is no such client.
   */
  setClientEncoding(clientId: number, encoding: EncodingName | undefined): boolean {
    const client = this.clients.find((c) => c.id === clientId);
    if (!client) {
      return false;
    }
    const e = encoding === undefined ? undefined : checkEncoding(encoding);
    this.flushDecoder(client);
    if (e === undefined) {
      this.clientEncodings.delete(clientId);
    } else {
      this.clientEncodings.set(clientId, e);
    }
    this.decoders.set(clientId, createDecoder(this.encodingOf(clientId)));
    return true;
  }

  /** Sends text (in the client's encoding, plus an optional line ending) to one client; false if no such client. */
  sendText(clientId: number, text: string, lineEnding?: LineEnding): boolean {
    const socket = this.socketOf(clientId);
    const client = this.clients.find((c) => c.id === clientId);
    if (!socket || !client || !socket.writable) {
      return false;
    }
    this.write(socket, client, this.encodeWithEnding(text, this.encodingOf(clientId), lineEnding));
    return true;
  }

  /** Sends text to every connected client, each in its own encoding; returns how many got it. */
  broadcastText(text: string, lineEnding?: LineEnding): number {
    // Encode once per encoding in use (and fail on bad input before anything is sent).
    const bytes = new Map([[this.encoding, this.encodeWithEnding(text, this.encoding, lineEnding)]]);
    for (const c of this.clients) {
      const e = this.encodingOf(c.id);
      if (!bytes.has(e)) {
        bytes.set(e, this.encodeWithEnding(text, e, lineEnding));
      }
    }
    let n = 0;
    for (const client of this.clients) {
      const socket = this.socketOf(client.id);
      const b = bytes.get(this.encodingOf(client.id));
      if (socket?.writable && b) {
        this.write(socket, client, b);
        n++;
      }
    }
    return n;
  }

  /** Sends bytes to one client; resolves once the socket has taken them, rejects if there is no such client. */
  sendTo(clientId: number, bytes: Uint8Array): Promise<void> {
    const found = this.writable(clientId);
    if (!found) {
      return Promise.reject(new WorkbenchError('server.noClient', `Client ${clientId} is not connected: nothing was sent.`, { clientId }));
    }
    const buf = Buffer.from(bytes);
    if (buf.length === 0) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      found.socket.write(buf, (err) => {
        if (err) {
          reject(new WorkbenchError('server.sendFailed', `Sending to client ${clientId} failed: ${err.message}`, { clientId }));
          return;
        }
        this.sent(found.client, buf);
        resolve();
      });
    });
  }

  /** Sends bytes to every connected client; returns how many got them. */
  sendToAll(bytes: Uint8Array): number {
    const buf = Buffer.from(bytes);
    let n = 0;
    for (const client of this.clients) {
      const socket = this.socketOf(client.id);
      if (socket?.writable) {
        this.write(socket, client, buf);
        n++;
      }
    }
    return n;
  }

  /** Streams a file's bytes to one client (backpressure, progress, cancel); rejects with a SendFileError. */
  sendFile(clientId: number, file: string, options?: SendFileOptions): Promise<SendFileResult> {
    const found = this.writable(clientId);
    if (!found) {
      return Promise.reject(new SendFileError('sendFile.closed', `Client ${clientId} is not connected: ${file} was not sent.`, { file, clientId }));
    }
    return streamFileTo(found.socket, file, (chunk) => this.sent(found.client, chunk), options);
  }

  /** Zeroes one client's byte and chunk counters; false when there is no such client. */
  resetCounters(clientId: number): boolean {
    const client = this.clients.find((c) => c.id === clientId);
    if (!client) {
      return false;
    }
    client.bytesIn = client.bytesOut = client.chunksIn = client.chunksOut = 0;
    return true;
  }

  private writable(clientId: number): { socket: net.Socket; client: ClientInfo } | undefined {
    const socket = this.socketOf(clientId);
    const client = this.clients.find((c) => c.id === clientId);
    return socket && client && socket.writable ? { socket, client } : undefined;
  }

  protected handleClient(socket: net.Socket, client: ClientInfo): void {
    const mode = this.mode;
    this.decoders.set(client.id, createDecoder(this.encoding));
    socket.on('data', (chunk: Buffer) => {
      // Decoded only while someone listens, so an unwatched server (the CLI, a benchmark) pays nothing.
      this.received(client, chunk, this._onData.hasListeners ? this.decoders.get(client.id)?.write(chunk) : undefined);
      let ok = true;
      if (mode === 'echo') {
        ok = this.write(socket, client, chunk);
      } else if (mode === 'reply' && this.replyBytes && this.replyBytes.length > 0) {
        ok = this.write(socket, client, this.replyBytes);
      }
      // Backpressure: a peer that sends but does not read must not make us buffer without bound.
      if (!ok && !socket.isPaused()) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    });
    // The peer half-closed ("recv returned 0"): end() runs after the pending writes, then the socket closes.
    socket.on('end', () => {
      this.flushDecoder(client);
      if (!socket.writableEnded) {
        socket.end();
      }
    });
    socket.on('close', () => {
      this.decoders.delete(client.id);
      this.clientEncodings.delete(client.id);
    });
  }

  /** Reports what the client's decoder held back (a character cut at the end), as text with no bytes. */
  private flushDecoder(client: ClientInfo): void {
    const rest = this.decoders.get(client.id)?.end() ?? '';
    if (rest && this._onData.hasListeners) {
      this._onData.fire({ client, direction: 'in', bytes: Buffer.alloc(0), text: rest });
    }
  }

  private encodeWithEnding(text: string, encoding: EncodingName, lineEnding?: LineEnding): Buffer {
    const body = encodeText(text, encoding);
    // For `hex` the text is hex digits, so the ending is appended as bytes, not parsed as hex.
    return lineEnding ? Buffer.concat([body, Buffer.from(LINE_ENDINGS[lineEnding], 'latin1')]) : body;
  }

  /** Writes and counts the bytes once the socket has taken them; returns socket.write's backpressure flag. */
  private write(socket: net.Socket, client: ClientInfo, bytes: Buffer): boolean {
    if (bytes.length === 0) {
      return true;
    }
    return socket.write(bytes, (err) => {
      if (!err) {
        this.sent(client, bytes);
      }
    });
  }
}
