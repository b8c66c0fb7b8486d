// `$(server-process) 2` while servers run (not the radio tower of VS Code's own Forwarded Ports item beside it); a click offers stop one / stop all / show log.
import * as vscode from 'vscode';
import { StatusBarIds } from '../common/ids';
import { asCommand, registerCommand, runCommand } from '../state/commands';
import { Services } from '../state/services';
import { ServerEntry } from '../state/serverEntry';

/** "1 TCP server running" / "2 TCP servers running": separate strings, so each language words both. */
export function serversRunningText(n: number): string {
  return n === 1 ? vscode.l10n.t('1 TCP server running') : vscode.l10n.t('{0} TCP servers running', n);
}

/** The item's text and accessible label, for the integration tests (undefined while hidden). */
let shown: { text: string; label: string } | undefined;
export function statusBarShown(): { text: string; label: string } | undefined {
  return shown;
}

export function registerStatusBar(svc: Services): void {
  const item = vscode.window.createStatusBarItem(StatusBarIds.servers, vscode.StatusBarAlignment.Left, 10);
  item.name = vscode.l10n.t('TCP Workbench Servers');
  item.command = asCommand({ command: 'tcpWorkbench.showStatusMenu', title: vscode.l10n.t('TCP Workbench') });
  const update = () => {
    const running = svc.servers.running();
    if (running.length === 0) {
      item.hide();
      shown = undefined;
      return;
    }
    const label = serversRunningText(running.length);
    item.text = `$(server-process) ${running.length}`;
    item.tooltip = [label, ...running.map((e) => `${e.label} — ${e.addressText ?? e.state}`)].join('\n');
    item.accessibilityInformation = { label };
    shown = { text: item.text, label };
    item.show();
  };
  update();
  svc.context.subscriptions.push(item, svc.servers.onDidChange(update));

  registerCommand(svc.context, svc.log, 'tcpWorkbench.showStatusMenu', async () => {
    type Item = vscode.QuickPickItem & { run: () => unknown };
    const items: Item[] = svc.servers.running().map((e: ServerEntry) => ({
      label: `$(debug-stop) ${vscode.l10n.t('Stop {0}', e.label)}`,
      description: e.addressText,
      run: () => svc.servers.stop(e),
    }));
    items.push({ label: `$(close-all) ${vscode.l10n.t('Stop All Servers')}`, run: () => svc.servers.stopAll() });
    items.push({ label: `$(output) ${vscode.l10n.t('Show Log')}`, run: () => svc.log.show() });
    items.push({ label: `$(pulse) ${vscode.l10n.t('Show Traffic Log')}`, run: () => runCommand('tcpWorkbench.showTrafficLog') });
    const p = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('TCP Workbench') });
    await p?.run();
  });
}
