// Open Sample Messages: lines to try Send Selection on (the walkthrough opens them).
import * as vscode from 'vscode';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';

/** The last line shows a non-ASCII round trip. */
const SAMPLE_MESSAGES = ['hello, echo server', 'PING 1', 'PING 2', 'PING 3', '你好，TCP — Grüße, café', 'bye'];

export function registerSampleMessages(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.openSampleMessages', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: SAMPLE_MESSAGES.join('\n') + '\n', language: 'plaintext' });
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside });
    // The first line selected: Send Selection has something to send at once.
    editor.selection = new vscode.Selection(0, 0, 0, SAMPLE_MESSAGES[0].length);
    return doc.uri.toString();
  });
}
