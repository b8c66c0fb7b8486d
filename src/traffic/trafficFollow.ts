// Keeps the newest traffic in sight: an editor showing a traffic document that was scrolled to the end
// stays at the end when new lines arrive; one the user scrolled up stays where it is.
import * as vscode from 'vscode';
import { TRAFFIC_SCHEME } from '../state/trafficDocuments';

/** Lines from the end within which an editor counts as "at the end". */
const SLACK_LINES = 2;

export function registerTrafficFollow(context: vscode.ExtensionContext): void {
  // Editors the user scrolled away from the end; every other traffic editor follows new lines.
  const away = new WeakSet<vscode.TextEditor>();
  const isTraffic = (e: vscode.TextEditor) => e.document.uri.scheme === TRAFFIC_SCHEME;
  const revealEnd = (e: vscode.TextEditor) => {
    const last = e.document.lineCount - 1;
    e.revealRange(new vscode.Range(last, 0, last, 0), vscode.TextEditorRevealType.Default);
  };
  // Line count when we last revealed: a visible-range change before the document grew is our own scroll.
  const seen = new WeakMap<vscode.TextEditor, number>();
  context.subscriptions.push(
    vscode.window.onDidChangeTextEditorVisibleRanges((ev) => {
      if (!isTraffic(ev.textEditor) || ev.visibleRanges.length === 0) {
        return;
      }
      const end = ev.visibleRanges[ev.visibleRanges.length - 1].end.line;
      const atEnd = end >= ev.textEditor.document.lineCount - 1 - SLACK_LINES;
      if (atEnd) {
        away.delete(ev.textEditor);
      } else if (seen.get(ev.textEditor) === ev.textEditor.document.lineCount) {
        away.add(ev.textEditor);
      }
    }),
    vscode.workspace.onDidChangeTextDocument((ev) => {
      if (ev.document.uri.scheme !== TRAFFIC_SCHEME) {
        return;
      }
      for (const e of vscode.window.visibleTextEditors) {
        if (e.document === ev.document && !away.has(e)) {
          seen.set(e, e.document.lineCount);
          revealEnd(e);
        }
      }
    }),
    vscode.window.onDidChangeVisibleTextEditors((editors) => {
      for (const e of editors.filter(isTraffic)) {
        if (!seen.has(e)) {
          seen.set(e, e.document.lineCount);
          revealEnd(e);
        }
      }
    }),
  );
}
