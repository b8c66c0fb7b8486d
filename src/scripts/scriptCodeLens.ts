// CodeLens over a `.tcp` file: ▶ Run all at the top, ▶ Run above each client block (both run through the
// Testing view), ▶ Start server above each listen block (a command the Servers feature provides).
import * as vscode from 'vscode';
import { asCommand } from '../state/commands';
import { Services } from '../state/services';
import { LANGUAGE_ID, parsedDocument } from './scriptDocuments';

class ScriptCodeLens implements vscode.CodeLensProvider {
  constructor(private readonly svc: Services) {}

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
      } else {
        // The Servers feature implements it; we only point at it.
        const args = { uri: doc.uri.toString(), line };
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
  svc.context.subscriptions.push(vscode.languages.registerCodeLensProvider({ language: LANGUAGE_ID }, new ScriptCodeLens(svc)));
}
