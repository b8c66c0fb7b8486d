// Where to connect: a QuickPick of running servers and recent addresses that also takes a typed
// `host:port`, checked as you type with the core's parser. Used by Connect, Send and Download.
import * as vscode from 'vscode';
import { HostPort, formatHostPort, parseHostPort } from '../core/hostPort';
import { messageOf } from '../common/messages';
import { Services } from '../state/services';
import { ServerKind } from '../state/serverEntry';
import { showTypedQuickPick } from '../ui/typedQuickPick';

export type PickedAddress = HostPort & { tls?: boolean };
type AddressItem = vscode.QuickPickItem & { target?: PickedAddress; error?: string };

const TLS_PREFIX = /^\s*tls:\/\//i;

/**
 * Asks for an address; `kind` puts running servers of that kind first; `tls` also offers and takes
 * `tls://host:port` (Connect). Undefined when cancelled.
 */
export function pickAddress(svc: Services, title: string, kind?: ServerKind, tls = false): Promise<PickedAddress | undefined> {
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
      const secure = tls && e.server?.tlsInfo !== undefined;
      known.push({ label: `$(${secure ? 'lock' : 'server'}) ${secure ? 'tls://' : ''}${text}`, description: e.label, target: { host: a.host, port: a.port, tls: secure } });
    }
  }
  for (const r of svc.sessions.recent()) {
    if (seen.has(r) || (!tls && TLS_PREFIX.test(r))) {
      continue;
    }
    try {
      const secure = TLS_PREFIX.test(r);
      const t = parseHostPort(r.replace(TLS_PREFIX, ''));
      known.push({ label: `$(${secure ? 'lock' : 'history'}) ${r}`, description: vscode.l10n.t('recent'), target: { ...t, tls: secure } });
      seen.add(r);
    } catch {
      // A stored entry that no longer parses is simply not offered.
    }
  }

  return showTypedQuickPick<AddressItem, HostPort>({
    title,
    placeholder: tls
      ? vscode.l10n.t('host:port or tls://host:port, for example 127.0.0.1:9007 (a bare port uses {0})', defaultHost)
      : vscode.l10n.t('host:port, for example 127.0.0.1:9007 (a bare port uses {0})', defaultHost),
    known,
    matchOnDescription: true,
    typed: (v) => {
      if (v === '') {
        return undefined;
      }
      try {
        const secure = tls && TLS_PREFIX.test(v);
        const t = parseHostPort(secure ? v.replace(TLS_PREFIX, '') : v, defaultHost);
        const text = `${secure ? 'tls://' : ''}${formatHostPort(t.host, t.port)}`;
        const description = secure ? vscode.l10n.t('typed, TLS (the certificate is verified)') : vscode.l10n.t('typed');
        return { label: `$(${secure ? 'lock' : 'plug'}) ${text}`, description, target: { ...t, tls: secure }, alwaysShow: true };
      } catch (e) {
        const message = messageOf(e);
        return { label: `$(error) ${v}`, detail: message, error: message, alwaysShow: true };
      }
    },
    // An item with an error stays open: the message is already under it.
    accept: (item) => item.target,
  });
}
