// What one run of a relay entry keeps besides the core server: its connection rows (open ones and the
// last closed ones, with their state), the capture streaming to a temporary pcap, and a bounded
// recording of the conversations for the .tcp export. It outlives the server until the next start or
// the entry's removal, so a capture can still be exported after Stop.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapSummary, PcapWriter } from '../core/relay/pcapWriter';
import { RelayServer } from '../core/relay/relayServer';
import { ScriptRecorder } from '../core/relay/scriptExport';
import { DisposableStore } from '../core/events';
import { RelayConnectionRow } from '../state/relayRows';

/** Closed connections kept as rows (older ones are dropped from the view, not from the capture). */
const KEEP_CLOSED = 50;

let tempDir: string | undefined;
let captureCount = 0;

function captureFile(entryId: string): string {
  tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tcp-workbench-relay-'));
  return path.join(tempDir, `${entryId.replace(/[^\w-]/g, '_')}-${++captureCount}.pcap`);
}

export class RelayRun {
  readonly rows: RelayConnectionRow[] = [];
  readonly recorder: ScriptRecorder;
  pcap?: PcapWriter;
  /** The capture as it ended (summary), once the relay stopped. */
  finished?: PcapSummary;
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

  /** Starts recording; with `captureMaxBytes`, also the temporary pcap. */
  static async create(entryId: string, server: RelayServer, target: { host: string; port: number }, captureMaxBytes: number | undefined): Promise<RelayRun> {
    const run = new RelayRun(server, target);
    if (captureMaxBytes !== undefined) {
      run.pcap = await PcapWriter.open(captureFile(entryId), { maxBytes: captureMaxBytes });
      run.listening.add(server.addTap(run.pcap));
    }
    return run;
  }

  /** The capture's file and what it holds so far (or at the end). */
  get capture(): PcapSummary | undefined {
    return this.finished ?? this.pcap?.summary;
  }

  /** Waits until the running capture's file holds every packet so far; resolves with that part's length (what Export copies). */
  syncCapture(): Promise<number | undefined> {
    return this.pcap ? this.pcap.sync() : Promise.resolve(undefined);
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
    for (const r of this.rows) {
      if (r.state === 'open') {
        r.state = 'server-stopped';
      }
    }
  }

  /** Deletes the temporary capture. */
  async dispose(): Promise<void> {
    await this.stopped();
    if (this.pcap) {
      await fs.promises.rm(this.pcap.file, { force: true });
    }
  }

  /** At shutdown: the temporary capture goes, whatever state the writer is in. */
  disposeNow(): void {
    this.listening.clear();
    if (this.pcap) {
      void this.pcap.close();
      fs.rmSync(this.pcap.file, { force: true });
    }
  }

  private trimClosed(): void {
    const closed = this.rows.filter((r) => r.state !== 'open');
    for (const r of closed.slice(0, Math.max(0, closed.length - KEEP_CLOSED))) {
      this.rows.splice(this.rows.indexOf(r), 1);
    }
  }
}
