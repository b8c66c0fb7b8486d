// CodeLens over a `.tcp` file: ▶ Run all at the top, ▶ Run above each client block (both run through the
// Testing view), ▶ Start server above each listen block (a command the Servers feature provides); while
// that mock runs, ■ Stop server and where it listens instead.
import * as vscode from 'vscode';
import { asCommand } from '../state/commands';
import { ServerEntry } from '../state/serverEntry';
import { Services } from '../state/services';
import { LANGUAGE_ID, parsedDocument } from './scriptDocuments';

class ScriptCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._onDidChange.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly svc: Services) {
    // A mock starting or stopping turns its block's ▶ Start server into ■ Stop server and back.
    this.sub = svc.servers.onDidChange(() => this._onDidChange.fire());
  }

  dispose(): void {
    this.sub.dispose();
    this._onDidChange.dispose();
  }

  /** The running mock of a listen block (found by title, else by line, as Start Mock Server finds it). */
  private runningMock(doc: vscode.TextDocument, title: string, line: number): ServerEntry | undefined {
    const mine = this.svc.servers.list().filter((e) => e.kind === 'mock' && e.state !== 'stopped' && e.spec.file === doc.uri.fsPath);
    return mine.find((e) => e.spec.label === title) ?? mine.find((e) => e.spec.line === line);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    try {
      return this.lenses(doc);
    } catch (e) {
      this.svc.log.error(`CodeLens for ${doc.uri.fsPath} failed`, e);
      return [];
    }
  }

  private lenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const script = parsedDocument(doc);
    const lenses: vscode.CodeLens[] = [];
    const at = (line: number) => new vscode.Range(line, 0, line, 0);
    const mock = (title: string, line: number) => this.runningMock(doc, title, line);
    const clients = script.blocks.filter((b) => b.kind === 'client');
    if (clients.length > 0) {
      lenses.push(
        new vscode.CodeLens(
          at(0),
          asCommand({
            command: 'tcpWorkbench.runScript',
            title: vscode.l10n.t('▶ Run all'),
            arguments: [doc.uri],
            tooltip: vscode.l10n.t('Run every client block of this file'),
          }),
        ),
      );
    }
    for (const b of script.blocks) {
      const line = b.titleRange.line;
      if (b.kind === 'client') {
        lenses.push(
          new vscode.CodeLens(
            at(line),
            asCommand({ command: 'tcpWorkbench.runScript', title: vscode.l10n.t('▶ Run'), arguments: [doc.uri, line], tooltip: vscode.l10n.t('Run this block') }),
          ),
        );
      } else if (mock(b.title, line)) {
        const e = mock(b.title, line) as ServerEntry;
        lenses.push(
          new vscode.CodeLens(
            at(line),
            asCommand({
              title: vscode.l10n.t('■ Stop server'),
              command: 'tcpWorkbench.stopServer',
              arguments: [{ entryId: e.id }],
              tooltip: vscode.l10n.t('Stop this mock server'),
            }),
          ),
          new vscode.CodeLens(
            at(line),
            asCommand({
              title: e.addressText ? vscode.l10n.t('listening on {0}', e.addressText) : vscode.l10n.t('starting…'),
              command: 'tcpWorkbench.showTraffic',
              arguments: [{ entryId: e.id }],
              tooltip: vscode.l10n.t("Show this mock server's traffic"),
            }),
          ),
        );
      } else {
        const args = { uri: doc.uri.toString(), line, notify: true };
        lenses.push(
          new vscode.CodeLens(
            at(line),
            asCommand({
              command: 'tcpWorkbench.startScriptServer',
              title: vscode.l10n.t('▶ Start server'),
              arguments: [args],
              tooltip: vscode.l10n.t('Start this mock server'),
            }),
          ),
        );
      }
    }
    return lenses;
  }
}

export function registerScriptCodeLens(svc: Services): void {
  const provider = new ScriptCodeLens(svc);
  svc.context.subscriptions.push(provider, vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, provider));
}
