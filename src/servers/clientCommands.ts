// Commands on a client row of the Servers view: disconnect it, or (echo server) send it text; and send
// to every client of a server at once.
import * as vscode from 'vscode';
import { EchoServer } from '../core/servers/echoServer';
import { formatBytes } from '../core/format';
import { clientNodeOf, entryOf, isOptions } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { askSendTo } from '../sessions/sendCommands';
import { SendHistory } from '../ui/sendHistory';
import { sendInput, targetOf } from '../sessions/sendTargets';
import { askSend, bytesFor, checkMode } from '../ui/sendMode';

export function registerClientCommands(svc: Services): void {
  const history = new SendHistory(svc.context.workspaceState);

  registerCommand(svc.context, svc.log, 'tcpWorkbench.kickClient', (arg) => {
    const node = clientNodeOf(arg);
    node.entry.server?.kick(node.client.id);
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.sendToClient', async (arg, textArg) => {
    const t = targetOf(svc, isOptions(arg) ? arg : clientNodeOf(arg));
    if (!t) {
      throw new UserError(vscode.l10n.t('Choose a client in the Servers view.'));
    }
    const given =
      isOptions(arg) && typeof arg.text === 'string'
        ? { text: arg.text, mode: checkMode(arg.mode) }
        : textArg !== undefined
          ? { text: textArg, mode: checkMode(undefined) }
          : undefined;
    const input = given ?? (await askSendTo(svc, t, history));
    if (input === undefined) {
      return false;
    }
    await sendInput(t, input.text, input.mode);
    await history.add(input);
    return true;
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.sendToAllClients', async (arg) => {
    const entry = entryOf(svc, arg);
    if (!entry) {
      throw new UserError(vscode.l10n.t('Choose a server in the Servers view.'));
    }
    const server = entry.server;
    if (!(server instanceof EchoServer)) {
      throw new UserError(vscode.l10n.t('Only an echo server can send to its clients.'));
    }
    const cfg = svc.config();
    const given = isOptions(arg) && typeof arg.text === 'string' ? { text: arg.text, mode: checkMode(arg.mode) } : undefined;
    const input =
      given ??
      (await askSend({
        title: vscode.l10n.t('Send to all clients of {0}', entry.label),
        state: svc.context.workspaceState,
        history: history.list(),
        encoding: server.encoding,
        lineEnding: cfg.lineEnding,
        onClearHistory: () => history.clear(),
      }));
    if (input === undefined) {
      return undefined;
    }
    const bytes = bytesFor(input.text, input.mode, server.encoding, cfg.lineEnding);
    // A client with its own encoding gets the text in it (bytes parsed once per encoding).
    const perEncoding = new Map([[server.encoding, bytes]]);
    const forClient = (id: number) => {
      const e = server.encodingOf(id);
      return perEncoding.get(e) ?? perEncoding.set(e, bytesFor(input.text, input.mode, e, cfg.lineEnding)).get(e) ?? bytes;
    };
    const sent = await Promise.allSettled(server.clients.map((c) => server.sendTo(c.id, forClient(c.id))));
    const clients = sent.filter((x) => x.status === 'fulfilled').length;
    await history.add(input);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Sent {0} to {1} clients of {2}', formatBytes(bytes.length), clients, entry.label), 3000);
    return { clients, bytes: bytes.length };
  });
}
