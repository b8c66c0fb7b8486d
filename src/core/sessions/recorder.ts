// Records every byte a connection receives, raw, into a file while recording is on. Each chunk is written
// synchronously as it arrives: when the data event returns the bytes are in the OS, so a connection that
// dies (or an editor that crashes) loses nothing that arrived; stop() fsyncs and closes the file.
import * as fs from 'node:fs';
import { Link } from './connectionLink';
import { WorkbenchError } from '../errors';
import { Disposable, DisposableBase, Emitter } from '../events';

export class RecordError extends WorkbenchError {
  constructor(
    code: 'record.exists' | 'record.cannotOpen' | 'record.writeFailed' | 'record.closed',
    message: string,
    args: Record<string, string | number>,
    options?: { cause?: unknown },
  ) {
    super(code, message, args, options);
  }
}

export type RecordStopReason = 'stopped' | 'connection-closed' | 'write-failed';

export interface RecordStop {
  reason: RecordStopReason;
  bytes: number;
  file: string;
  error?: RecordError;
}

export interface RecordOptions {
  /** Replace an existing file; without it an existing file is an error (`record.exists`) and untouched. */
  overwrite?: boolean;
}

export class Recorder extends DisposableBase {
  private fd?: number;
  private _bytes = 0;
  private subscriptions: Disposable[] = [];
  private readonly _onDidStop = this._register(new Emitter<RecordStop>());
  /** Fires once, when the file is closed. */
  readonly onDidStop = this._onDidStop.event;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    super();
    this.fd = fd;
  }

  /** Opens the file (exclusively unless `overwrite`) and starts recording what `link` receives. */
  static start(link: Link, file: string, options: RecordOptions = {}): Recorder {
    if (!link.isOpen) {
      throw new RecordError('record.closed', `${link.label} is not connected: nothing to record.`, { file });
    }
    let fd: number;
    try {
      fd = fs.openSync(file, options.overwrite ? 'w' : 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new RecordError('record.exists', `${file} already exists: not overwritten (choose another file or allow overwriting).`, { file });
      }
      throw new RecordError('record.cannotOpen', `Cannot record to ${file}: ${(e as Error).message}`, { file }, { cause: e });
    }
    const r = new Recorder(file, fd);
    r.subscriptions.push(
      link.onReceive((bytes) => r.write(bytes)),
      link.onDidClose(() => r.finish('connection-closed')),
    );
    return r;
  }

  get recording(): boolean {
    return this.fd !== undefined;
  }

  /** Bytes written to the file so far. */
  get bytes(): number {
    return this._bytes;
  }

  /** Stops recording: the file is flushed to disk and closed. Safe to call twice. */
  stop(): void {
    this.finish('stopped');
  }

  override dispose(): void {
    this.stop();
    super.dispose();
  }

  private write(bytes: Buffer): void {
    if (this.fd === undefined) {
      return;
    }
    try {
      let off = 0;
      while (off < bytes.length) {
        off += fs.writeSync(this.fd, bytes, off, bytes.length - off);
      }
      this._bytes += bytes.length;
    } catch (e) {
      const error = new RecordError(
        'record.writeFailed',
        `Writing to ${this.file} failed after ${this._bytes} bytes: ${(e as Error).message}`,
        { file: this.file },
        { cause: e },
      );
      this.finish('write-failed', error);
    }
  }

  private finish(reason: RecordStopReason, error?: RecordError): void {
    const fd = this.fd;
    if (fd === undefined) {
      return;
    }
    this.fd = undefined;
    for (const s of this.subscriptions.splice(0)) {
      s.dispose();
    }
    try {
      fs.fsyncSync(fd);
    } catch {
      // A file system without fsync (some network mounts) still has the bytes written.
    }
    fs.closeSync(fd);
    this._onDidStop.fire({ reason, bytes: this._bytes, file: this.file, error });
  }
}
