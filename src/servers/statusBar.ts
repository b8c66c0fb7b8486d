// `$(radio-tower) 2` while servers run; a click offers stop one / stop all / show log.
import * as vscode from 'vscode';
import { registerCommand, runCommand } from '../common/commands';
import { Services } from '../common/services';
import { ServerEntry } from './serverEntry';

export function registerStatusBar(svc: Services): void {
  const item = vscode.window.createStatusBarItem('tcpWorkbench.servers', vscode.StatusBarAlignment.Left, 10);
  item.name = vscode.l10n.t('TCP Workbench Servers');
  item.command = 'tcpWorkbench.showStatusMenu';
  const update = () => {
    const running = svc.servers.running();
    if (running.length === 0) {
      item.hide();
      return;
    }
    item.text = `$(radio-tower) ${running.length}`;
    item.tooltip = running.map((e) => `${e.label} — ${e.addressText ?? e.state}`).join('\n');
    item.accessibilityInformation = { label: vscode.l10n.t('{0} TCP servers running', running.length) };
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
