// Show Traffic Log (everything), Show Traffic (one server), Show Session Traffic (one connection), and
// Show Log (the lifecycle log).
import * as vscode from 'vscode';
import { entryOf, sessionOf } from '../common/args';
import { registerCommand } from '../common/commands';
import { Services } from '../common/services';
import { sessionAddress } from '../sessions/sessionManager';

export function registerTrafficCommands(svc: Services): void {
  const { context, log, trafficDocs } = svc;
  const showAll = () => trafficDocs.show(vscode.l10n.t('Traffic'));

  registerCommand(context, log, 'tcpWorkbench.showTrafficLog', showAll);

  registerCommand(context, log, 'tcpWorkbench.showTraffic', async (arg) => {
    const entry = entryOf(svc, arg);
    await (entry ? trafficDocs.show(vscode.l10n.t('Traffic - {0}', entry.label), `server:${entry.id}`) : showAll());
  });

  registerCommand(context, log, 'tcpWorkbench.showSessionTraffic', async (arg) => {
    const s = sessionOf(svc, arg) ?? svc.sessions.current;
    if (!s) {
      await showAll();
      return;
    }
    svc.sessions.setCurrent(s);
    await trafficDocs.show(vscode.l10n.t('Traffic - {0}', sessionAddress(s)), `session:${s.id}`, true);
  });

  registerCommand(context, log, 'tcpWorkbench.showLog', () => log.show());
}
