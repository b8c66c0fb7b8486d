// TLS of the servers in the editor: a server entry's TLS setting turned into the core's options (the
// generated certificate lives in the extension's global storage), `tls://` in a relay target, and what a
// TLS server's row, tooltip and client rows say. Nothing here loads node:tls or @peculiar/x509.
import * as vscode from 'vscode';
import { HandshakeFailureEvent } from '../core/servers/serverBase';
import type { ClientTlsOptions } from '../core/tls/clientTls';
import type { ServerClientTls, ServerTlsOptions } from '../core/tls/serverTls';
import { messageOf } from '../common/messages';
import { ServerEntry, StartOverrides } from './serverEntry';

/** The core's listen options of an entry's TLS setting, or undefined for plain TCP. */
export function listenTlsOf(entry: ServerEntry, over: StartOverrides): ServerTlsOptions | undefined {
  const t = entry.spec.tls;
  if (!t) {
    return undefined;
  }
  return t.certFile || t.keyFile ? { certFile: t.certFile, keyFile: t.keyFile, clientCaFile: t.clientCaFile } : { certFolder: over.certFolder, clientCaFile: t.clientCaFile };
}

/** `tls://host:port` → the address and true; `host:port` (or `tcp://…`) → itself and false. */
export function splitTlsScheme(text: string): { address: string; tls: boolean } {
  const m = /^(tls|tcp):\/\//i.exec(text.trim());
  return { address: m ? text.trim().slice(m[0].length) : text.trim(), tls: m?.[1].toLowerCase() === 'tls' };
}

/** The client TLS options of a relay entry whose target is `tls://…`, or undefined for a plain target. */
export function targetTlsOf(entry: ServerEntry): ClientTlsOptions | undefined {
  if (!splitTlsScheme(entry.spec.target ?? '').tls) {
    return undefined;
  }
  const t = entry.spec.targetTls ?? {};
  return { insecure: t.insecure, caFile: t.caFile, servername: t.servername };
}

/** `TLS` (and `mTLS` when clients must show a certificate) for the server row's description. */
export function serverTlsBadge(entry: ServerEntry): string | undefined {
  const t = entry.spec.tls;
  return t ? (t.clientCaFile ? 'TLS · mTLS' : 'TLS') : undefined;
}

/** The TLS lines of a server's tooltip (Markdown list items without the dash). */
export function serverTlsLines(entry: ServerEntry): string[] {
  const t = entry.spec.tls;
  if (!t) {
    return [];
  }
  const lines = [t.certFile ? vscode.l10n.t('TLS with the certificate {0}', t.certFile) : vscode.l10n.t('TLS with the generated local certificate')];
  const info = entry.server?.tlsInfo;
  if (info) {
    lines.push(vscode.l10n.t('Certificate: {0}, SHA-256 {1}', info.certificate.subject, info.certificate.fingerprint256));
    if (info.caFile) {
      lines.push(vscode.l10n.t('Clients trust the local CA: {0} (Export Local CA…)', info.caFile));
    }
  }
  if (t.clientCaFile) {
    lines.push(vscode.l10n.t('Clients must present a certificate signed by {0}', t.clientCaFile));
  }
  return lines;
}

/** `TLSv1.3` or `TLSv1.3 · CN=client` for a client row's description. */
export function clientTlsText(tls: ServerClientTls | undefined): string | undefined {
  if (!tls) {
    return undefined;
  }
  return tls.peerSubject ? `${tls.protocol} · ${tls.peerSubject}` : tls.protocol;
}

/** A client row's TLS tooltip lines. */
export function clientTlsLines(tls: ServerClientTls | undefined): string[] {
  if (!tls) {
    return [];
  }
  const lines = [vscode.l10n.t('TLS: {0} {1}, ALPN {2}', tls.protocol, tls.cipher, tls.alpn ?? vscode.l10n.t('none'))];
  if (tls.peerSubject) {
    lines.push(
      tls.peerVerified ? vscode.l10n.t('Client certificate: {0} (verified)', tls.peerSubject) : vscode.l10n.t('Client certificate: {0} (not verified)', tls.peerSubject),
    );
  }
  return lines;
}

/** The one log line of a client whose TLS handshake failed (`client 3 spoke plaintext to a TLS port`). */
export function handshakeFailureText(e: HandshakeFailureEvent): string {
  return e.error.code === 'tls.notTls'
    ? vscode.l10n.t('client {0} spoke plaintext to a TLS port ({1}); closed', e.client.id, e.client.remote)
    : vscode.l10n.t('client {0} ({1}) TLS handshake failed: {2}', e.client.id, e.client.remote, messageOf(e.error));
}
