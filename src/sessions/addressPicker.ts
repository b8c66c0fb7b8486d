// Where to connect: a QuickPick of running servers and recent addresses that also takes a typed
// `host:port`, checked as you type with the core's parser. Used by Connect, Send and Download.
import * as vscode from 'vscode';
import { HostPort, formatHostPort, parseHostPort } from '../core/hostPort';
import { messageOf } from '../common/messages';
import { Services } from '../state/services';
import { ServerKind } from '../state/serverEntry';
import { showTypedQuickPick } from '../ui/typedQuickPick';

type AddressItem = vscode.QuickPickItem & { target?: HostPort; error?: string };

/** Asks for an address; `kind` puts running servers of that kind first. Undefined when cancelled. */
export function pickAddress(svc: Services, title: string, kind?: ServerKind): Promise<HostPort | undefined> {
  const defaultHost = svc.safeHost();
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
        const message = messageOf(e);
        return { label: `$(error) ${v}`, detail: message, error: message, alwaysShow: true };
      }
    },
    // An item with an error stays open: the message is already under it.
    accept: (item) => item.target,
  });
}
