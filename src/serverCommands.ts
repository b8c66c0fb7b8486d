// Commands that start, stop and configure servers, and act on their clients.
import * as vscode from 'vscode';
import { EchoMode, EchoServer } from './core/echoServer';
import { formatHostPort, parsePort } from './core/hostPort';
import { Config, isLoopback, resolveFileRoot } from './config';
import { registerCommand, showError, UserError } from './errors';
import { askFolder, onlyWorkspaceFolder, pickFolder } from './folders';
import { PortInUseError, ServerEntry, ServerKind, StartOverrides } from './serverManager';
import { ClientNode, isClientNode } from './serversView';
import { Services } from './services';

/** Arguments for calling the start commands without UI (tests, the walkthrough, other extensions). */
export interface StartArgs {
  entryId?: string;
  port?: number;
  host?: string;
  mode?: EchoMode;
  replyText?: string;
  root?: string;
}

export interface StartResult {
  id: string;
  address: string;
  port: number;
}

let warnedHost = false;

function isEntry(x: unknown): x is ServerEntry {
  return x instanceof ServerEntry;
}

/** A tree item, a `{ entryId }` object, or undefined. */
function entryOf(svc: Services, arg: unknown): ServerEntry | undefined {
  if (isEntry(arg)) {
    return arg;
  }
  if (isClientNode(arg)) {
    return arg.entry;
  }
  if (arg && typeof arg === 'object' && typeof (arg as StartArgs).entryId === 'string') {
    const e = svc.servers.get((arg as StartArgs).entryId as string);
    if (!e) {
      throw new UserError(vscode.l10n.t('There is no server "{0}".', String((arg as StartArgs).entryId)));
    }
    return e;
  }
  return undefined;
}

async function fileRootFor(entry: ServerEntry, cfg: Config, over: StartOverrides, interactive: boolean): Promise<string | undefined> {
  if (over.root ?? entry.spec.root) {
    return over.root ?? entry.spec.root;
  }
  const purpose = vscode.l10n.t('Choose the folder the file server serves');
  let ws = onlyWorkspaceFolder();
  if (!ws && cfg.fileRoot === '' && interactive) {
    return pickFolder(purpose);
  }
  if (!ws && interactive && (vscode.workspace.workspaceFolders?.length ?? 0) > 1) {
    ws = await pickFolder(purpose);
  }
  const root = resolveFileRoot(cfg.fileRoot, ws ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  if (root) {
    return root;
  }
  if (!interactive) {
    throw new UserError(vscode.l10n.t('No folder is open: pass a root or open a folder to serve.'));
  }
  return askFolder(purpose);
}

/** Starts an entry; with `interactive`, a busy port offers a free port or another one instead of failing. */
export async function startEntry(svc: Services, entry: ServerEntry, over: StartOverrides, interactive: boolean): Promise<StartResult | undefined> {
  const cfg = svc.config();
  const host = over.host ?? cfg.host;
  if (!isLoopback(host) && !warnedHost) {
    warnedHost = true;
    const msg = vscode.l10n.t('Servers listen on {0}: they are reachable from the network, not only from this machine.', host);
    svc.log.warn(msg);
    void vscode.window.showWarningMessage(msg);
  }
  if (entry.kind === 'file') {
    const root = await fileRootFor(entry, cfg, over, interactive);
    if (!root) {
      return undefined; // the user closed the folder dialog
    }
    over = { ...over, root };
  }
  try {
    const a = await svc.servers.start(entry, cfg, over);
    const address = formatHostPort(a.host, a.port);
    if (interactive) {
      vscode.window.setStatusBarMessage(vscode.l10n.t('{0} listening on {1}', entry.label, address), 5000);
    }
    return { id: entry.id, address, port: a.port };
  } catch (e) {
    if (e instanceof PortInUseError && interactive) {
      offerOtherPort(svc, e, over);
      return undefined;
    }
    throw e;
  }
}

function offerOtherPort(svc: Services, e: PortInUseError, over: StartOverrides): void {
  svc.log.error(e.message);
  const free = vscode.l10n.t('Use a Free Port');
  const change = vscode.l10n.t('Change Port…');
  void vscode.window.showErrorMessage(e.message, free, change).then(async (choice) => {
    try {
      let port: number | undefined;
      if (choice === free) {
        port = 0;
      } else if (choice === change) {
        port = await askPort(e.port + 1);
      }
      if (port !== undefined) {
        const r = await startEntry(svc, e.entry, { ...over, port }, true);
        if (r && port !== 0) {
          svc.servers.update(e.entry, { port });
        }
      }
    } catch (err) {
      showError(svc.log, err);
    }
  });
}

async function askPort(suggestion: number, allowZero = true): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Port'),
    prompt: allowZero ? vscode.l10n.t('A port from 1 to 65535, or 0 for any free port') : vscode.l10n.t('A port from 1 to 65535'),
    value: String(suggestion),
    validateInput: (v) => {
      try {
        parsePort(v, allowZero);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  return text === undefined ? undefined : parsePort(text, allowZero);
}

async function pickEchoMode(current: EchoMode): Promise<EchoMode | undefined> {
  const items: (vscode.QuickPickItem & { mode: EchoMode })[] = [
    { mode: 'echo', label: 'echo', description: vscode.l10n.t('send every byte back (RFC 862)') },
    { mode: 'reply', label: 'reply', description: vscode.l10n.t('answer each message with a fixed text') },
    { mode: 'manual', label: 'manual', description: vscode.l10n.t('send nothing by itself; you answer with Send to Client…') },
  ];
  const p = await vscode.window.showQuickPick(items.map((i) => ({ ...i, picked: i.mode === current })), { title: vscode.l10n.t('Echo server mode') });
  return p?.mode;
}

/** The running server to stop: the argument, the only one, or a pick. */
async function pickRunning(svc: Services, title: string): Promise<ServerEntry | undefined> {
  const running = svc.servers.running();
  if (running.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No server is running.'));
    return undefined;
  }
  if (running.length === 1) {
    return running[0];
  }
  const p = await vscode.window.showQuickPick(
    running.map((e) => ({ label: e.label, description: e.addressText, entry: e })),
    { title },
  );
  return p?.entry;
}

function clientNodeOf(arg: unknown): ClientNode {
  if (!isClientNode(arg)) {
    throw new UserError(vscode.l10n.t('Choose a client in the Servers view.'));
  }
  return arg;
}

export function registerServerCommands(svc: Services): void {
  const { context, log } = svc;
  const reg = (id: string, h: (...args: never[]) => unknown) => registerCommand(context, log, id, h as (...a: unknown[]) => unknown);

  const startKind = (kind: ServerKind) => async (args?: StartArgs) => {
    const interactive = !args || typeof args !== 'object';
    const a: StartArgs = interactive ? {} : args;
    const entry = entryOf(svc, a) ?? svc.servers.firstOf(kind);
    if (entry.state !== 'stopped') {
      if (interactive) {
        void vscode.window.showInformationMessage(vscode.l10n.t('{0} is already listening on {1}.', entry.label, entry.addressText ?? '?'));
      }
      return { id: entry.id, address: entry.addressText, port: entry.address?.port };
    }
    return startEntry(svc, entry, { port: a.port, host: a.host, mode: a.mode, replyText: a.replyText, root: a.root }, interactive);
  };
  reg('tcpWorkbench.startEchoServer', startKind('echo'));
  reg('tcpWorkbench.startFileServer', startKind('file'));

  reg('tcpWorkbench.startServer', async (arg?: ServerEntry | StartArgs) => {
    const entry = entryOf(svc, arg);
    if (!entry) {
      throw new UserError(vscode.l10n.t('Choose a server in the Servers view.'));
    }
    return startEntry(svc, entry, isEntry(arg) ? {} : { ...(arg as StartArgs) }, isEntry(arg));
  });

  reg('tcpWorkbench.stopServer', async (arg?: unknown) => {
    const entry = entryOf(svc, arg) ?? (await pickRunning(svc, vscode.l10n.t('Stop which server?')));
    if (entry) {
      await svc.servers.stop(entry);
    }
  });

  reg('tcpWorkbench.stopAllServers', async () => {
    await svc.servers.stopAll();
  });

  reg('tcpWorkbench.addServer', async (args?: StartArgs & { kind?: ServerKind; label?: string }) => {
    let kind = args?.kind;
    if (!kind) {
      const p = await vscode.window.showQuickPick(
        [
          { label: vscode.l10n.t('Echo Server'), description: vscode.l10n.t('echoes or answers what clients send'), k: 'echo' as const },
          { label: vscode.l10n.t('File Server'), description: vscode.l10n.t('sends a file when a client names it'), k: 'file' as const },
        ],
        { title: vscode.l10n.t('Add Server') },
      );
      kind = p?.k;
    }
    if (!kind) {
      return undefined;
    }
    const interactive = !args;
    let port = args?.port;
    let mode = args?.mode;
    let root = args?.root;
    if (interactive) {
      port = await askPort(0);
      if (port === undefined) {
        return undefined;
      }
      if (kind === 'echo') {
        mode = await pickEchoMode(svc.config().echoMode);
        if (!mode) {
          return undefined;
        }
      } else {
        root = await pickFolder(vscode.l10n.t('Choose the folder the file server serves'));
        if (!root) {
          return undefined;
        }
      }
    }
    const entry = svc.servers.add({ kind, port, mode, root, label: args?.label, replyText: args?.replyText });
    return startEntry(svc, entry, {}, interactive);
  });

  reg('tcpWorkbench.removeServer', async (arg?: ServerEntry) => {
    const entry = entryOf(svc, arg);
    if (entry) {
      await svc.servers.remove(entry);
    }
  });

  reg('tcpWorkbench.configureServer', async (arg?: ServerEntry) => {
    const entry = entryOf(svc, arg) ?? (await pickEntry(svc));
    if (!entry) {
      return;
    }
    const cfg = svc.config();
    type Field = vscode.QuickPickItem & { field: 'port' | 'mode' | 'replyText' | 'root' | 'label' };
    const fields: Field[] = [
      { field: 'label', label: vscode.l10n.t('Name'), description: entry.label },
      { field: 'port', label: vscode.l10n.t('Port'), description: String(entry.configuredPort(cfg)) },
    ];
    if (entry.kind === 'echo') {
      fields.push({ field: 'mode', label: vscode.l10n.t('Mode'), description: entry.spec.mode ?? cfg.echoMode });
      fields.push({ field: 'replyText', label: vscode.l10n.t('Reply text'), description: entry.spec.replyText ?? cfg.replyText });
    } else {
      fields.push({ field: 'root', label: vscode.l10n.t('Folder'), description: entry.spec.root ?? entry.root ?? vscode.l10n.t('the workspace folder') });
    }
    const f = await vscode.window.showQuickPick(fields, { title: vscode.l10n.t('Configure {0}', entry.label) });
    if (!f) {
      return;
    }
    switch (f.field) {
      case 'label': {
        const v = await vscode.window.showInputBox({ title: vscode.l10n.t('Name'), value: entry.label });
        if (v?.trim()) {
          svc.servers.update(entry, { label: v.trim() });
        }
        return; // no restart needed
      }
      case 'port': {
        const v = await askPort(entry.configuredPort(cfg));
        if (v === undefined) {
          return;
        }
        svc.servers.update(entry, { port: v });
        break;
      }
      case 'mode': {
        const v = await pickEchoMode(entry.spec.mode ?? cfg.echoMode);
        if (!v) {
          return;
        }
        svc.servers.update(entry, { mode: v });
        break;
      }
      case 'replyText': {
        const v = await vscode.window.showInputBox({ title: vscode.l10n.t('Reply text'), value: entry.spec.replyText ?? cfg.replyText });
        if (v === undefined) {
          return;
        }
        svc.servers.update(entry, { replyText: v });
        break;
      }
      case 'root': {
        const v = await askFolder(vscode.l10n.t('Choose the folder the file server serves'));
        if (!v) {
          return;
        }
        svc.servers.update(entry, { root: v });
        break;
      }
    }
    if (entry.state === 'listening') {
      // A running server keeps its options; restart so the change applies now.
      await svc.servers.stop(entry);
      await startEntry(svc, entry, {}, true);
    }
  });

  reg('tcpWorkbench.copyAddress', async (arg?: ServerEntry) => {
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

  reg('tcpWorkbench.kickClient', (arg?: ClientNode) => {
    const node = clientNodeOf(arg);
    node.entry.server?.kick(node.client.id);
  });

  reg('tcpWorkbench.sendToClient', async (arg?: ClientNode, textArg?: string) => {
    const node = clientNodeOf(arg);
    const server = node.entry.server;
    if (!(server instanceof EchoServer)) {
      throw new UserError(vscode.l10n.t('Only an echo server can send to its clients.'));
    }
    const cfg = svc.config();
    const text =
      textArg ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Send to {0}', node.client.remote),
        prompt: cfg.encoding === 'hex' ? vscode.l10n.t('Hex bytes, for example 48 65 6c 6c 6f') : vscode.l10n.t('Text to send ({0}, line ending: {1})', cfg.encoding, cfg.lineEnding),
      }));
    if (text === undefined) {
      return false;
    }
    if (!server.sendText(node.client.id, text, cfg.lineEnding)) {
      throw new UserError(vscode.l10n.t('{0} is no longer connected.', node.client.remote));
    }
    return true;
  });

  reg('tcpWorkbench.showTraffic', async (arg?: ServerEntry) => {
    const entry = entryOf(svc, arg);
    if (!entry) {
      await svc.trafficDocs.show(vscode.l10n.t('Traffic'));
      return;
    }
    await svc.trafficDocs.show(vscode.l10n.t('Traffic - {0}', entry.label), `server:${entry.id}`);
  });

  reg('tcpWorkbench.showTrafficLog', async () => {
    await svc.trafficDocs.show(vscode.l10n.t('Traffic'));
  });

  reg('tcpWorkbench.showLog', () => log.show());
}

async function pickEntry(svc: Services): Promise<ServerEntry | undefined> {
  const list = svc.servers.list();
  if (list.length === 1) {
    return list[0];
  }
  const p = await vscode.window.showQuickPick(
    list.map((e) => ({ label: e.label, description: e.addressText ?? vscode.l10n.t('stopped'), entry: e })),
    { title: vscode.l10n.t('Which server?') },
  );
  return p?.entry;
}
