// Diagnostics while typing: the core parser's problems as squiggles, each at its line and columns with
// its code, worded in the user's language, refreshed 200 ms after the last keystroke. A parser bug is logged, never thrown at the editor.
import * as vscode from 'vscode';
import { diagnosticText } from '../common/messages';
import { Services } from '../state/services';
import { LANGUAGE_ID, forgetDocument, isScriptDocument, parsedDocument, toRange } from './scriptDocuments';

const DEBOUNCE_MS = 200;

export function registerScriptDiagnostics(svc: Services): void {
  const collection = vscode.languages.createDiagnosticCollection(LANGUAGE_ID);
  const timers = new Map<string, NodeJS.Timeout>();
  const update = (doc: vscode.TextDocument): void => {
    if (!isScriptDocument(doc) || doc.isClosed) {
      return;
    }
    try {
      collection.set(
        doc.uri,
        parsedDocument(doc).diagnostics.map((d) => {
          const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
          const diag = new vscode.Diagnostic(toRange(d.range), diagnosticText(d), severity);
          diag.code = d.code;
          diag.source = 'tcp';
          return diag;
        }),
      );
    } catch (e) {
      collection.delete(doc.uri);
      svc.log.error(`Checking ${doc.uri.fsPath} failed`, e);
    }
  };
  const later = (doc: vscode.TextDocument): void => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        update(doc);
      }, DEBOUNCE_MS),
    );
  };
  vscode.workspace.textDocuments.forEach(update);
  svc.context.subscriptions.push(
    collection,
    vscode.workspace.onDidOpenTextDocument(update),
    vscode.workspace.onDidChangeTextDocument((e) => isScriptDocument(e.document) && later(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      timers.delete(doc.uri.toString());
      collection.delete(doc.uri);
      forgetDocument(doc);
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}
