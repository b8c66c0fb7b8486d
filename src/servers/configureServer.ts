// Configure Server…: pick a field (name, port, mode, reply text, folder), change it, and restart a
// running server so the change applies now.
import * as vscode from 'vscode';
import { entryOf } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Config } from '../common/config';
import { Services } from '../state/services';
import { askFolder } from '../ui/folders';
import { askPort, askTarget, pickEchoMode } from '../ui/prompts';
import { pickEntry } from './serverCommands';
import { ServerEntry, ServerSpec } from '../state/serverEntry';
import { serveFolderPurpose, startEntry } from './startServer';

type Field = 'port' | 'mode' | 'replyText' | 'root' | 'label' | 'target';
type Change = Partial<Omit<ServerSpec, 'id' | 'kind'>>;

export function registerConfigureServer(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.configureServer', async (arg) => {
    const entry = entryOf(svc, arg) ?? (await pickEntry(svc));
    if (!entry) {
      return;
    }
    const cfg = svc.config();
    const field = await pickField(entry, cfg);
    const change = field && (await askChange(entry, cfg, field));
    if (!change) {
      return;
    }
    svc.servers.update(entry, change);
    if (field !== 'label' && entry.state === 'listening') {
      // A running server keeps its options; restart so the change applies now.
      await svc.servers.stop(entry);
      await startEntry(svc, entry, {}, true);
    }
  });
}

async function pickField(entry: ServerEntry, cfg: Config): Promise<Field | undefined> {
  const fields: (vscode.QuickPickItem & { field: Field })[] = [
    { field: 'label', label: vscode.l10n.t('Name'), description: entry.label },
    { field: 'port', label: vscode.l10n.t('Port'), description: String(entry.configuredPort(cfg)) },
  ];
  if (entry.kind === 'echo') {
    fields.push({ field: 'mode', label: vscode.l10n.t('Mode'), description: entry.spec.mode ?? cfg.echoMode });
    fields.push({ field: 'replyText', label: vscode.l10n.t('Reply text'), description: entry.spec.replyText ?? cfg.replyText });
  } else if (entry.kind === 'relay') {
    fields.push({ field: 'target', label: vscode.l10n.t('Target'), description: entry.spec.target });
  } else if (entry.kind === 'file') {
    fields.push({ field: 'root', label: vscode.l10n.t('Folder'), description: entry.spec.root ?? entry.root ?? vscode.l10n.t('the workspace folder') });
  }
  return (await vscode.window.showQuickPick(fields, { title: vscode.l10n.t('Configure {0}', entry.label) }))?.field;
}

/** The new value of `field`; undefined when cancelled. */
async function askChange(entry: ServerEntry, cfg: Config, field: Field): Promise<Change | undefined> {
  switch (field) {
    case 'label': {
      const v = (await vscode.window.showInputBox({ title: vscode.l10n.t('Name'), value: entry.label }))?.trim();
      return v ? { label: v } : undefined;
    }
    case 'port': {
      const v = await askPort(entry.configuredPort(cfg));
      return v === undefined ? undefined : { port: v };
    }
    case 'mode': {
      const v = await pickEchoMode(entry.spec.mode ?? cfg.echoMode);
      return v ? { mode: v } : undefined;
    }
    case 'replyText': {
      const v = await vscode.window.showInputBox({ title: vscode.l10n.t('Reply text'), value: entry.spec.replyText ?? cfg.replyText });
      return v === undefined ? undefined : { replyText: v };
    }
    case 'root': {
      const v = await askFolder(serveFolderPurpose());
      return v ? { root: v } : undefined;
    }
    case 'target': {
      const v = await askTarget(cfg.host);
      return v ? { target: v } : undefined;
    }
  }
}
