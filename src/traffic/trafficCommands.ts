// Show Traffic Log (everything), Show Traffic (one server, or one of its clients), Show Session Traffic
// (one connection), and Show Log (the lifecycle log).
import * as vscode from 'vscode';
import { entryOf, sessionOf } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { isClientNode } from '../state/serverEntry';
import { sessionAddress } from '../state/sessionManager';
import { registerLayoutCommands } from './layoutCommands';
import { registerTrafficFollow } from './trafficFollow';

export function registerTrafficCommands(svc: Services): void {
  const { context, log, trafficDocs } = svc;
  const showAll = () => trafficDocs.show(vscode.l10n.t('Traffic'));

  registerCommand(context, log, 'tcpWorkbench.showTrafficLog', async () => {
    await showAll();
  });

  registerCommand(context, log, 'tcpWorkbench.showTraffic', async (arg) => {
    if (isClientNode(arg)) {
      // A client's own document: its lines only, beside the editor, like a session's.
      const remote = arg.client.remote;
      await trafficDocs.show(vscode.l10n.t('Traffic - {0}', remote), { source: `server:${arg.entry.id}`, peer: remote }, true);
      return;
    }
    const entry = entryOf(svc, arg);
    await (entry ? trafficDocs.show(vscode.l10n.t('Traffic - {0}', entry.label), { source: `server:${entry.id}` }) : showAll());
  });

  registerCommand(context, log, 'tcpWorkbench.showSessionTraffic', async (arg) => {
    const s = sessionOf(svc, arg) ?? svc.sessions.current;
    if (!s) {
      await showAll();
      return;
    }
    svc.sessions.setCurrent(s);
    await trafficDocs.show(vscode.l10n.t('Traffic - {0}', sessionAddress(s)), { source: `session:${s.id}` }, true);
  });

  registerCommand(context, log, 'tcpWorkbench.showLog', () => log.show());
  registerLayoutCommands(svc);
  registerTrafficFollow(context);
}
