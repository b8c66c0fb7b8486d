// Start Relay and the exports of a relay's traffic: the
// capture as pcap (copied, or filtered to one connection, from the temporary capture) and the
// conversations as a .tcp script (client blocks, or the server side as a listen block).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseHostPort } from '../core/hostPort';
import { copyPcap } from '../core/relay/pcapFilter';
import { copyCapture } from '../core/relay/wireWriter';
import { exportListenBlock, exportScript } from '../core/relay/scriptExport';
import { entryOf, isInteractive, isOptions } from '../state/commandArgs';
import { ExportPcapArgs, ExportPcapResult, ExportScriptArgs, RelayArgs, registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { ServerEntry } from '../state/serverEntry';
import { startEntry } from '../servers/startServer';
import { askNewServer } from '../servers/addServerWizard';
import { disposeRelayRuns, relayRunOf } from './relayKind';
import { splitTlsScheme } from '../state/serverTls';
import { RelayConnectionRow, isRelayConnectionNode } from '../state/relayRows';
import { LANGUAGE_ID } from '../scripts/scriptDocuments';

/**
 * An untitled document holding `text` in the `.tcp` language (highlighting, ▶ Run), named `<base>.tcp` in the
 * workspace folder so that Save proposes that name; `-2`, `-3`… when the name is taken.
 */
async function openScriptDocument(base: string, text: string): Promise<vscode.TextDocument> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  const safe = base.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'relay';
  const taken = (f: string) => fs.existsSync(f) || vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'untitled' && d.uri.fsPath === f);
  let file = path.join(folder, `${safe}.tcp`);
  for (let n = 2; taken(file) && n < 1000; n++) {
    file = path.join(folder, `${safe}-${n}.tcp`);
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file).with({ scheme: 'untitled' }));
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, new vscode.Position(0, 0), text);
  await vscode.workspace.applyEdit(edit);
  return doc.languageId === LANGUAGE_ID ? doc : vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
}

/** A relay entry and, from a connection row or `connectionId`, one of its connections. */
function relayOf(svc: Services, arg: unknown): { entry: ServerEntry; row?: RelayConnectionRow } {
  if (isRelayConnectionNode(arg)) {
    return { entry: arg.entry, row: arg.row };
  }
  const entry = entryOf(svc, arg);
  if (!entry || entry.kind !== 'relay') {
    throw new UserError(vscode.l10n.t('Choose a relay in the Servers view.'));
  }
  const id = isOptions(arg) ? arg.connectionId : undefined;
  if (id === undefined) {
    return { entry };
  }
  const row = relayRunOf(entry)?.row(Number(id));
  if (!row) {
    throw new UserError(vscode.l10n.t('{0} has no connection {1}.', entry.label, String(id)));
  }
  return { entry, row };
}

type CaptureKind = 'pcap' | 'wire' | 'keylog';

/** Export Capture offers the wire capture and its key log beside the plaintext pcap while the relay has them. */
async function pickKind(): Promise<CaptureKind | undefined> {
  const items = [
    {
      label: vscode.l10n.t('pcap: the plaintext'),
      detail: vscode.l10n.t('What each side sent, readable by every tool (whole relay or one connection).'),
      value: 'pcap' as const,
    },
    {
      label: vscode.l10n.t('pcapng: the bytes on the wire, with the TLS keys'),
      detail: vscode.l10n.t('Both legs as they crossed the wire, always the whole relay; Wireshark decrypts the TLS with no key file, and so can anyone who has the file.'),
      value: 'wire' as const,
    },
    {
      label: vscode.l10n.t('Key log: the TLS session keys (SSLKEYLOGFILE)'),
      detail: vscode.l10n.t("Both legs' keys, for a capture made elsewhere (Wireshark: TLS protocol preferences); whoever has the file can decrypt the traffic."),
      value: 'keylog' as const,
    },
  ];
  return (await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Export Capture') }))?.value;
}

/** Copies the wire capture or its key log (the whole relay: neither has a per-connection copy here); 0600, they hold keys. */
async function exportWire(svc: Services, entry: ServerEntry, a: ExportPcapArgs | undefined, kind: 'wire' | 'keylog'): Promise<ExportPcapResult | undefined> {
  const run = relayRunOf(entry);
  if (!run?.wireCapture || !run.keys) {
    throw new UserError(vscode.l10n.t('{0} has no wire capture: turn on the setting {1}, then start the relay again.', entry.label, 'tcpWorkbench.relayWireCapture'));
  }
  const keylog = kind === 'keylog';
  let dest = a?.path;
  let overwrite = a?.overwrite === true;
  if (!dest) {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(base, keylog ? `${entry.id}-keys.log` : `${entry.id}-wire.pcapng`),
      filters: keylog ? { [vscode.l10n.t('Key log')]: ['log', 'keys', 'txt'] } : { pcapng: ['pcapng'] },
      title: vscode.l10n.t('Export Capture'),
    });
    if (!uri) {
      return undefined;
    }
    dest = uri.fsPath;
    overwrite = true;
  }
  // The key log is appended line by line, synchronously: all of it is complete.
  const { file, packets } = keylog ? { file: run.keys.file, packets: run.keys.lines } : { file: run.wireCapture.file, packets: run.wireCapture.packets };
  const length = keylog ? fs.statSync(file).size : await run.syncWire();
  await copyCapture(file, dest, { length, overwrite, mode: 0o600 });
  svc.log.info(
    keylog
      ? vscode.l10n.t('{0}: key log exported to {1} ({2} keys); whoever has it can decrypt the traffic', entry.label, dest, packets)
      : vscode.l10n.t('{0}: wire capture exported to {1} ({2} packets); it holds the TLS session keys: whoever has it can decrypt the traffic', entry.label, dest, packets),
  );
  if (!a) {
    vscode.window.setStatusBarMessage(vscode.l10n.t('Exported {0}', path.basename(dest)), 5000);
  }
  return { path: dest, packets, bytes: length };
}

export function registerRelayCommands(svc: Services): void {
  const { context, log } = svc;
  context.subscriptions.push({ dispose: disposeRelayRuns });

  registerCommand(context, log, 'tcpWorkbench.kickRelayConnection', (arg) => {
    const { entry, row } = relayOf(svc, arg);
    if (!row) {
      throw new UserError(vscode.l10n.t('Choose a connection of {0}.', entry.label));
    }
    entry.server?.kick(row.connection.id);
  });
  registerCommand(context, log, 'tcpWorkbench.startRelay', async (args) => {
    const interactive = isInteractive(args);
    // From the palette: the relay's part of Add Server… (target, how a tls:// target is checked, plain or TLS).
    const a: Partial<RelayArgs> | undefined = interactive ? await askNewServer(svc, true) : isOptions(args) ? args : {};
    if (!a) {
      return undefined;
    }
    const target = a.target;
    if (!target) {
      if (!interactive) {
        throw new UserError(vscode.l10n.t('Give the relay a target: {0}.', '{ target: "host:port" }'));
      }
      return undefined;
    }
    parseHostPort(splitTlsScheme(target).address, svc.safeHost());
    // A stopped relay to the same target (and port, and TLS) is started again rather than added twice.
    const same = svc.servers
      .list()
      .find((e) => e.kind === 'relay' && e.state === 'stopped' && e.spec.target === target && (a.port === undefined || e.spec.port === a.port) && !e.spec.tls === !a.tls);
    if (same && a.targetTls) {
      svc.servers.update(same, { targetTls: a.targetTls });
    }
    const entry = same ?? svc.servers.add({ kind: 'relay', target, port: a.port, tls: a.tls, targetTls: a.targetTls });
    return startEntry(svc, entry, { host: a.host }, interactive);
  });

  registerCommand(context, log, 'tcpWorkbench.exportRelayPcap', async (arg?: ExportPcapArgs | unknown) => {
    const { entry, row } = relayOf(svc, arg);
    const a = isOptions(arg) ? (arg as unknown as ExportPcapArgs) : undefined;
    const kind = a ? (a.kind ?? 'pcap') : relayRunOf(entry)?.wireCapture ? await pickKind() : 'pcap';
    if (kind === undefined) {
      return undefined;
    }
    if (kind === 'wire' || kind === 'keylog') {
      return exportWire(svc, entry, a, kind);
    }
    const capture = relayRunOf(entry)?.capture;
    if (!capture) {
      throw new UserError(vscode.l10n.t('{0} has no capture: turn on the setting {1}, then start the relay again.', entry.label, 'tcpWorkbench.relayCapture'));
    }
    let dest = a?.path;
    let overwrite = a?.overwrite === true;
    if (!dest) {
      const name = row ? `${entry.id}-connection-${row.connection.id}.pcap` : `${entry.id}.pcap`;
      const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
      const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(base, name), filters: { pcap: ['pcap'] }, title: vscode.l10n.t('Export Capture') });
      if (!uri) {
        return undefined;
      }
      // The save dialog has asked before choosing an existing file.
      dest = uri.fsPath;
      overwrite = true;
    }
    const c = row?.connection;
    const filter = c && {
      clientAddress: c.clientEnd.address,
      clientPort: c.clientEnd.port,
      fromUs: (c.openedAt - 5) * 1000,
      toUs: row.closedAt ? (row.closedAt + 5) * 1000 : undefined,
    };
    const length = await relayRunOf(entry)?.syncCapture();
    const r = await copyPcap(capture.file, dest, { filter, overwrite, length });
    log.info(
      vscode.l10n.t('{0}: capture exported to {1} ({2} packets)', entry.label, r.file, r.packets) +
        (capture.truncated ? ` — ${vscode.l10n.t('cut short at the size cap')}` : ''),
    );
    if (isInteractive(arg)) {
      vscode.window.setStatusBarMessage(vscode.l10n.t('Exported {0}', path.basename(r.file)), 5000);
    }
    return { path: r.file, packets: r.packets, bytes: r.bytes };
  });

  const exportText = (listen: boolean) => async (arg?: ExportScriptArgs | unknown) => {
    const { entry, row } = relayOf(svc, arg);
    const run = relayRunOf(entry);
    const all = run?.recorder.conversations ?? [];
    const convs = row ? all.filter((c) => c.id === row.connection.id) : all;
    if (convs.length === 0) {
      throw new UserError(vscode.l10n.t('{0} has recorded no conversation to export yet.', entry.label));
    }
    const title = vscode.l10n.t('mock of {0}', entry.spec.target ?? entry.label);
    const text = listen ? exportListenBlock(convs, title, { host: '127.0.0.1', port: 0 }) : exportScript(convs);
    const target = entry.spec.target ?? entry.label;
    const doc = await openScriptDocument(`${listen ? 'mock' : 'replay'}-${target}`, text);
    if (!isOptions(arg) || (arg as unknown as ExportScriptArgs).show !== false) {
      await vscode.window.showTextDocument(doc, { preview: false });
    }
    return { text, uri: doc.uri.toString() };
  };
  registerCommand(context, log, 'tcpWorkbench.exportRelayScript', exportText(false));
  registerCommand(context, log, 'tcpWorkbench.exportRelayListenBlock', exportText(true));
}
