// Start, stop, add, remove a server and copy its address.
import * as vscode from 'vscode';
import { formatHostPort } from '../core/hostPort';
import { entryOf, isInteractive, isOptions } from '../state/commandArgs';
import { AddServerArgs, StartArgs, StartResult, registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { pickOne } from '../ui/prompts';
import { ServerEntry, ServerKind } from '../state/serverEntry';
import { askNewServer, kindItems } from './addServerWizard';
import { startEntry } from './startServer';

export function registerServerCommands(svc: Services): void {
  const { context, log } = svc;

  const startKind = (kind: ServerKind) => async (args?: StartArgs) => {
    const interactive = isInteractive(args);
    const a: StartArgs = isOptions(args) ? args : {};
    const entry = entryOf(svc, a) ?? svc.servers.firstOf(kind);
    if (entry.state !== 'stopped') {
      if (interactive) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} is already listening on {1}.', entry.label, entry.addressText ?? '?'));
      }
      // Still starting: no address yet, said as '?' and port 0.
      return { id: entry.id, address: entry.addressText ?? '?', port: entry.address?.port ?? 0 };
    }
    return startEntry(svc, entry, { port: a.port, host: a.host, mode: a.mode, replyText: a.replyText, root: a.root }, interactive);
  };
  registerCommand(context, log, 'tcpWorkbench.startEchoServer', startKind('echo'));
  registerCommand(context, log, 'tcpWorkbench.startFileServer', startKind('file'));

  registerCommand(context, log, 'tcpWorkbench.startServer', async (arg) => {
    const entry = entryOf(svc, arg);
    if (!entry) {
      throw new UserError(vscode.l10n.t('Choose a server in the Servers view.'));
    }
    return startEntry(svc, entry, isOptions(arg) ? { ...(arg as StartArgs) } : {}, isInteractive(arg));
  });

  registerCommand(context, log, 'tcpWorkbench.stopServer', async (arg) => {
    const entry = entryOf(svc, arg) ?? (await pickRunning(svc, vscode.l10n.t('Stop which server?')));
    if (entry) {
      await svc.servers.stop(entry);
    }
  });

  registerCommand(context, log, 'tcpWorkbench.stopAllServers', () => svc.servers.stopAll());

  registerCommand(context, log, 'tcpWorkbench.addServer', (args) => addServer(svc, args));

  registerCommand(context, log, 'tcpWorkbench.removeServer', async (arg) => {
    const entry = entryOf(svc, arg);
    if (entry) {
      await svc.servers.remove(entry);
    }
  });

  registerCommand(context, log, 'tcpWorkbench.copyAddress', async (arg) => {
    const entry = entryOf(svc, arg) ?? (await pickEntry(svc));
    if (!entry) {
      return undefined;
    }
    const cfg = svc.config();
    const address = entry.addressText ?? formatHostPort(cfg.host, entry.configuredPort(cfg));
    await vscode.env.clipboard.writeText(address);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', address), 3000);
    return address;
  });
}

/** Add Server…: kind → port → mode, folder or target in one wizard (or all from `args`), then start it. */
async function addServer(svc: Services, args: AddServerArgs | undefined): Promise<StartResult | undefined> {
  const interactive = isInteractive(args);
  const a: AddServerArgs | undefined = interactive ? await askNewServer(svc) : args;
  // A wizard's answer always has a kind; a caller's options without one get only that asked, as before.
  const kind = a && (a.kind ?? (await pickKind()));
  if (!a || !kind) {
    return undefined;
  }
  const { port, mode, root, target } = a;
  if (kind === 'mock') {
    throw new UserError(vscode.l10n.t('Start a mock server from its .tcp file (Start Mock Server).'));
  }
  if (kind === 'relay' && !target) {
    throw new UserError(vscode.l10n.t('Give the relay a target: {0}.', '{ target: "host:port" }'));
  }
  const entry = svc.servers.add({ kind, port, mode, root, target, label: a.label, replyText: a.replyText, tls: a.tls, targetTls: a.targetTls });
  return startEntry(svc, entry, {}, interactive);
}

async function pickKind(): Promise<ServerKind | undefined> {
  return (await vscode.window.showQuickPick(kindItems(), { title: vscode.l10n.t('Add Server') }))?.serverKind;
}

/** The running server to stop: the only one, or a pick. */
function pickRunning(svc: Services, title: string): Promise<ServerEntry | undefined> {
  const running = svc.servers.running();
  if (running.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No server is running.'));
  }
  return pickOne(running, title, (e) => ({ label: e.label, description: e.addressText }));
}

/** Any server entry: the only one, or a pick. */
export function pickEntry(svc: Services): Promise<ServerEntry | undefined> {
  return pickOne(svc.servers.list(), vscode.l10n.t('Which server?'), (e) => ({ label: e.label, description: e.addressText ?? vscode.l10n.t('stopped') }));
}
