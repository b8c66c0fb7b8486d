// Commands on a client row of the Servers view: disconnect it, or (echo server) send it text.
import * as vscode from 'vscode';
import { EchoServer } from '../core/echoServer';
import { clientNodeOf } from '../common/args';
import { registerCommand } from '../common/commands';
import { Services } from '../common/services';
import { UserError } from '../common/showError';
import { askTextToSend } from '../ui/prompts';

export function registerClientCommands(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.kickClient', (arg) => {
    const node = clientNodeOf(arg);
    node.entry.server?.kick(node.client.id);
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.sendToClient', async (arg, textArg) => {
    const node = clientNodeOf(arg);
    const server = node.entry.server;
    if (!(server instanceof EchoServer)) {
      throw new UserError(vscode.l10n.t('Only an echo server can send to its clients.'));
    }
    const cfg = svc.config();
    const text = textArg ?? (await askTextToSend(vscode.l10n.t('Send to {0}', node.client.remote), cfg));
    if (text === undefined) {
      return false;
    }
    if (!server.sendText(node.client.id, text, cfg.lineEnding)) {
      throw new UserError(vscode.l10n.t('{0} is no longer connected.', node.client.remote));
    }
    return true;
  });
}
