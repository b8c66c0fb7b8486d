// The two first server kinds: the echo server and the file server (its requests go to the log).
import * as vscode from 'vscode';
import { DEFAULT_DENY } from '../core/fileServer/denyList';
import { EchoServer } from '../core/servers/echoServer';
import { FileServer } from '../core/fileServer/fileServer';
import { formatBytes } from '../core/format';
import { ServerError, TcpServer } from '../core/servers/serverBase';
import { checkFolder } from '../common/config';
import { refusalText } from '../common/messages';
import { ServerKindDriver } from '../state/serverKind';
import { listenTlsOf } from '../state/serverTls';

export const echoKind: ServerKindDriver = {
  icon: 'radio-tower',
  persisted: true,
  create: (entry, cfg, over) =>
    new EchoServer({
      host: over.host ?? cfg.host,
      port: over.port ?? entry.configuredPort(cfg),
      maxConnections: cfg.maxConnections,
      mode: over.mode ?? entry.spec.mode ?? cfg.echoMode,
      replyText: over.replyText ?? entry.spec.replyText ?? cfg.replyText,
      encoding: cfg.encoding,
      tls: listenTlsOf(entry, over),
    }),
  tooltip: (entry, cfg) => [vscode.l10n.t('Mode: {0}', entry.mode ?? entry.spec.mode ?? cfg?.echoMode ?? 'echo')],
};

export const fileKind: ServerKindDriver = {
  icon: 'file-submodule',
  persisted: true,
  create: (entry, cfg, over) => {
    const root = over.root ?? entry.spec.root;
    if (!root) {
      throw new ServerError(vscode.l10n.t('{0} has no folder to serve.', entry.label));
    }
    checkFolder(root);
    entry.root = root;
    return new FileServer({
      host: over.host ?? cfg.host,
      port: over.port ?? entry.configuredPort(cfg),
      maxConnections: cfg.maxConnections,
      root,
      encoding: cfg.encoding === 'hex' ? 'utf-8' : cfg.encoding,
      listing: cfg.listing,
      deny: cfg.fileDeny,
      nameTimeoutMs: Math.round(cfg.nameTimeout * 1000),
      tls: listenTlsOf(entry, over),
    });
  },
  wire: (entry, server: TcpServer, ctx) => {
    if (!(server instanceof FileServer)) {
      return [];
    }
    const source = `server:${entry.id}`;
    return [
      server.onDidRequest((r) => {
        const what =
          r.outcome === 'served'
            ? vscode.l10n.t('served {0}', formatBytes(r.size ?? 0))
            : r.outcome === 'listed'
              ? vscode.l10n.t('sent a listing')
              : r.outcome === 'not-found'
                ? vscode.l10n.t('not found')
                : vscode.l10n.t('refused');
        // Worded from the refusal's code, in the user's language (a deny-list refusal names the setting).
        const why = r.why && refusalText(r.why);
        const reason = why ? ` (${why})` : '';
        const line = vscode.l10n.t('{0}: {1} asked for "{2}": {3}', entry.label, r.client.remote, r.name, what) + reason;
        if (r.outcome === 'refused') {
          ctx.log.warn(line);
        } else {
          ctx.log.info(line);
        }
        ctx.traffic.note(source, entry.label, r.client.remote, `"${r.name}": ${what}${reason}`);
      }),
    ];
  },
  tooltip: (entry, cfg) => [
    vscode.l10n.t('Root: {0}', entry.root ?? entry.spec.root ?? (cfg?.fileRoot || vscode.l10n.t('the workspace folder'))),
    denyText(entry.server instanceof FileServer ? entry.server.deny : cfg?.fileDeny),
  ],
};

/** What a file server hides, for its tooltip: the default list in a few words, else the patterns. */
function denyText(deny: readonly string[] | undefined): string {
  if (!deny || (deny.length === DEFAULT_DENY.length && deny.every((g, i) => g === DEFAULT_DENY[i]))) {
    return vscode.l10n.t('Hides .env, keys, .git and other secrets — see setting {0}', 'tcpWorkbench.fileDeny');
  }
  if (deny.length === 0) {
    return vscode.l10n.t('Hides nothing: setting {0} is empty', 'tcpWorkbench.fileDeny');
  }
  const shown =
    deny
      .slice(0, 8)
      .map((g) => `\`${g}\``)
      .join(', ') + (deny.length > 8 ? ', …' : '');
  return vscode.l10n.t('Hides {0} — see setting {1}', shown, 'tcpWorkbench.fileDeny');
}
