// What one run of a relay entry keeps besides the core server: its connection rows (open ones and the
// last closed ones, with their state), the capture streaming to a temporary pcap (and, when asked, the wire
// capture with its TLS keys to a temporary pcapng and the keys alone to a temporary key log), and a bounded
// recording of the conversations for the .tcp export. It outlives the server until the next start or
// the entry's removal, so a capture can still be exported after Stop.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapSummary, PcapWriter } from '../core/relay/pcapWriter';
import { RelayServer } from '../core/relay/relayServer';
import { WireWriter } from '../core/relay/wireWriter';
import { ScriptRecorder } from '../core/relay/scriptExport';
import { DisposableStore } from '../core/events';
import { keylogFileWriter } from '../core/tls/clientTls';
import { RelayConnectionRow } from '../state/relayRows';

/** Closed connections kept as rows (older ones are dropped from the view, not from the capture). */
const KEEP_CLOSED = 50;

let tempDir: string | undefined;
let captureCount = 0;

function captureFile(entryId: string, ext = 'pcap'): string {
  tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-workbench-relay-'));
  return path.join(tempDir, `${entryId.replace(/[^\w-]/g, '_')}-${++captureCount}.${ext}`);
}

export class RelayRun {
  readonly rows: RelayConnectionRow[] = [];
  readonly recorder: ScriptRecorder;
  pcap?: PcapWriter;
  /** The capture as it ended (summary), once the relay stopped. */
  finished?: PcapSummary;
  /** The wire capture with the TLS keys inside (setting relayWireCapture), and how it ended. */
  wire?: WireWriter;
  wireFinished?: PcapSummary;
  /** With the wire capture: the TLS session keys of both legs as an SSLKEYLOGFILE (0600), and its line count. */
  keys?: { file: string; lines: number };
  /** The taps and listeners on the server, released when it stops. */
  private readonly listening = new DisposableStore();

  private constructor(
    readonly server: RelayServer,
    target: { host: string; port: number },
  ) {
    this.recorder = new ScriptRecorder({ target });
    this.listening.add(server.addTap(this.recorder));
    this.listening.add(
      server.onDidOpenConnection((connection) => {
        this.rows.push({ connection, state: 'open' });
      }),
    );
    this.listening.add(
      server.onDidCloseConnection((e) => {
        const row = this.rows.find((r) => r.connection === e.connection);
        if (row) {
          row.state = e.reason;
          row.closedAt = Date.now();
        }
        this.trimClosed();
      }),
    );
  }

  /** Starts recording; with `captureMaxBytes`, also the temporary pcap; with `wireMaxBytes`, the temporary wire pcapng. */
  static async create(
    entryId: string,
    server: RelayServer,
    target: { host: string; port: number },
    captureMaxBytes: number | undefined,
    wireMaxBytes?: number,
  ): Promise<RelayRun> {
    const run = new RelayRun(server, target);
    if (captureMaxBytes !== undefined) {
      run.pcap = await PcapWriter.open(captureFile(entryId), { maxBytes: captureMaxBytes });
      run.listening.add(server.addTap(run.pcap));
    }
    if (wireMaxBytes !== undefined) {
      run.wire = await WireWriter.open(captureFile(entryId, 'pcapng'), { maxBytes: wireMaxBytes });
      run.listening.add(server.addWireTap(run.wire));
      const keys = { file: captureFile(entryId, 'keys'), lines: 0 };
      const write = keylogFileWriter(keys.file);
      fs.writeFileSync(keys.file, '', { mode: 0o600 });
      run.keys = keys;
      run.listening.add(
        server.onDidLogKeys((e) => {
          write(e.line);
          keys.lines++;
        }),
      );
    }
    return run;
  }

  /** The wire capture's file and what it holds so far (or at the end). */
  get wireCapture(): PcapSummary | undefined {
    return this.wireFinished ?? this.wire?.summary;
  }

  /** The capture's file and what it holds so far (or at the end). */
  get capture(): PcapSummary | undefined {
    return this.finished ?? this.pcap?.summary;
  }

  /** Waits until the running capture's file holds every packet so far; resolves with that part's length (what Export copies). */
  syncCapture(): Promise<number | undefined> {
    return this.pcap ? this.pcap.sync() : Promise.resolve(undefined);
  }

  /** The same for the wire capture (0 without one). */
  syncWire(): Promise<number> {
    return this.wire ? this.wire.sync() : Promise.resolve(0);
  }

  row(id: number): RelayConnectionRow | undefined {
    return this.rows.find((r) => r.connection.id === id);
  }

  /** The relay stopped: end the capture (the file stays for Export until `dispose`). */
  async stopped(): Promise<void> {
    this.listening.clear();
    if (this.pcap && !this.finished) {
      this.finished = await this.pcap.close();
    }
    if (this.wire && !this.wireFinished) {
      this.wireFinished = await this.wire.close();
    }
    for (const r of this.rows) {
      if (r.state === 'open') {
        r.state = 'server-stopped';
      }
    }
  }

  /** Deletes the temporary capture. */
  async dispose(): Promise<void> {
    await this.stopped();
    for (const file of [this.pcap?.file, this.wire?.file, this.keys?.file]) {
      if (file) {
        await fs.promises.rm(file, { force: true });
      }
    }
  }

  /** At shutdown: the temporary capture goes, whatever state the writer is in. */
  disposeNow(): void {
    this.listening.clear();
    for (const w of [this.pcap, this.wire]) {
      if (w) {
        void w.close();
        fs.rmSync(w.file, { force: true });
      }
    }
    if (this.keys) {
      fs.rmSync(this.keys.file, { force: true });
    }
  }

  private trimClosed(): void {
    const closed = this.rows.filter((r) => r.state !== 'open');
    for (const r of closed.slice(0, Math.max(0, closed.length - KEEP_CLOSED))) {
      this.rows.splice(this.rows.indexOf(r), 1);
    }
  }
}
