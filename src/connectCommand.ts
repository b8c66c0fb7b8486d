// Connect to Server…: a QuickPick of running servers and recent addresses that also takes a typed
// `host:port`, checked as you type with the core's parser.
import * as vscode from 'vscode';
import { ClientSession } from './core/clientSession';
import { HostPort, formatHostPort, parseHostPort } from './core/hostPort';
import { registerCommand, UserError } from './errors';
import { ServerKind } from './serverManager';
import { Services } from './services';
import { sessionAddress } from './sessionManager';
import { showTypedQuickPick } from './typedQuickPick';

export interface ConnectArgs {
  /** `host:port`, or a bare port on the configured host. */
  address: string;
  /** Open the traffic document of the new session; default true. */
  show?: boolean;
}

export interface SessionInfo {
  id: number;
  address: string;
}

type AddressItem = vscode.QuickPickItem & { target?: HostPort; error?: string };

/** Asks for an address; `kind` puts running servers of that kind first. Undefined when cancelled. */
export function pickAddress(svc: Services, title: string, kind?: ServerKind): Promise<HostPort | undefined> {
  const defaultHost = safeHost(svc);
  const known: AddressItem[] = [];
  const seen = new Set<string>();
  // Echo servers first: they are what one talks to; file servers answer one name and close.
  const running = [...svc.servers.running()].sort((x, y) => (x.kind === y.kind ? 0 : x.kind === 'echo' ? -1 : 1));
  for (const e of running) {
    if (kind && e.kind !== kind) {
      continue;
    }
    const a = e.address;
    if (a) {
      const text = formatHostPort(a.host, a.port);
      seen.add(text);
      known.push({ label: `$(server) ${text}`, description: e.label, target: { host: a.host, port: a.port } });
    }
  }
  for (const r of svc.sessions.recent()) {
    if (seen.has(r)) {
      continue;
    }
    try {
      known.push({ label: `$(history) ${r}`, description: vscode.l10n.t('recent'), target: parseHostPort(r) });
      seen.add(r);
    } catch {
      // A stored entry that no longer parses is simply not offered.
    }
  }

  return showTypedQuickPick<AddressItem, HostPort>({
    title,
    placeholder: vscode.l10n.t('host:port, for example 127.0.0.1:9007 (a bare port uses {0})', defaultHost),
    known,
    matchOnDescription: true,
    typed: (v) => {
      if (v === '') {
        return undefined;
      }
      try {
        const t = parseHostPort(v, defaultHost);
        return { label: `$(plug) ${formatHostPort(t.host, t.port)}`, description: vscode.l10n.t('typed'), target: t, alwaysShow: true };
      } catch (e) {
        return { label: `$(error) ${v}`, detail: (e as Error).message, error: (e as Error).message, alwaysShow: true };
      }
    },
    // An item with an error stays open: the message is already under it.
    accept: (item) => item.target,
  });
}

function safeHost(svc: Services): string {
  try {
    return svc.config().host;
  } catch {
    return '127.0.0.1';
  }
}

export function parseAddressArg(svc: Services, address: unknown): HostPort {
  if (typeof address !== 'string') {
    throw new UserError(vscode.l10n.t('"address" must be text like host:port, not {0}.', address === null ? 'null' : typeof address));
  }
  try {
    return parseHostPort(address, safeHost(svc));
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

export function sessionInfo(s: ClientSession): SessionInfo {
  return { id: s.id, address: sessionAddress(s) };
}

/** Connects and opens its traffic; the message of a failure names host and port. */
export async function connectTo(svc: Services, target: HostPort, show: boolean): Promise<ClientSession> {
  const cfg = svc.config();
  const s = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Connecting to {0}…', formatHostPort(target.host, target.port)) },
    () => svc.sessions.connect(target.host, target.port, cfg.encoding),
  );
  if (show) {
    await svc.trafficDocs.show(vscode.l10n.t('Traffic - {0}', sessionAddress(s)), `session:${s.id}`, true);
  }
  vscode.window.setStatusBarMessage(vscode.l10n.t('Connected to {0}', sessionAddress(s)), 5000);
  return s;
}

export function registerConnectCommand(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.connect', async (args?: ConnectArgs) => {
    let target: HostPort | undefined;
    // An argument object without a usable address is a caller's mistake: say so rather than open a picker.
    if (args && typeof args === 'object' && 'address' in args) {
      target = parseAddressArg(svc, args.address);
    } else {
      target = await pickAddress(svc, vscode.l10n.t('Connect to Server'));
    }
    if (!target) {
      return undefined;
    }
    const s = await connectTo(svc, target, args?.show ?? true);
    return sessionInfo(s);
  });
}
