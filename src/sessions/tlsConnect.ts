// Connect with TLS from the editor: the options a caller may pass, the passphrase of a client key (asked,
// never stored), the certificates trusted by fingerprint per workspace, and the prompt for a certificate
// that does not verify (why, in words, and its facts; *Connect anyway* or *Show Certificate Chain*).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ClientTlsOptions } from '../core/tls/clientTls';
import type { TlsError } from '../core/tls/tlsErrors';
import { WorkbenchError } from '../core/errors';
import { HostPort, formatHostPort } from '../core/hostPort';
import { messageOf } from '../common/messages';
import { UserError } from '../common/showError';
import { Services } from '../state/services';
import { showChainDocument } from './chainDocuments';
export type { TlsArgs } from '../state/commands';

const TRUST_KEY = 'tcpWorkbench.trustedCertificates';

/** `tls://host:port` (or `tcp://`, or none) → the rest and whether TLS was asked for. */
export function splitScheme(text: string): { rest: string; tls: boolean } {
  const m = /^\s*(tls|tcp):\/\//i.exec(text);
  return { rest: m ? text.slice(m[0].length) : text, tls: m?.[1].toLowerCase() === 'tls' };
}

/** The caller's `tls` options, checked; a bad one is an error naming it. */
export function tlsOptionsOf(v: unknown): ClientTlsOptions {
  if (v === undefined || v === true) {
    return {};
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new UserError(vscode.l10n.t('"tls" must be an object like {0}, not {1}.', '{ insecure: true }', typeof v));
  }
  const o = v as Record<string, unknown>;
  const out: ClientTlsOptions = {};
  for (const key of ['caFile', 'certFile', 'keyFile', 'passphrase', 'servername'] as const) {
    if (o[key] !== undefined) {
      if (typeof o[key] !== 'string') {
        throw new UserError(vscode.l10n.t('"tls.{0}" must be text, not {1}.', key, typeof o[key]));
      }
      out[key] = o[key];
    }
  }
  if (o.insecure !== undefined) {
    if (typeof o.insecure !== 'boolean') {
      throw new UserError(vscode.l10n.t('"tls.{0}" must be true or false, not {1}.', 'insecure', typeof o.insecure));
    }
    out.insecure = o.insecure;
  }
  if (o.alpn !== undefined) {
    if (!Array.isArray(o.alpn) || o.alpn.some((x) => typeof x !== 'string' || x === '')) {
      throw new UserError(vscode.l10n.t('"tls.alpn" must be a list of protocol names, for example {0}.', '["h2", "http/1.1"]'));
    }
    out.alpn = o.alpn as string[];
  }
  return out;
}

/** Fingerprints trusted per address in this workspace ("Connect anyway"). */
export function trustedCertificates(svc: Services): Record<string, string[]> {
  const r = svc.context.workspaceState.get<Record<string, string[]>>(TRUST_KEY);
  return r && typeof r === 'object' ? r : {};
}

export async function trustCertificate(svc: Services, address: string, fingerprint: string): Promise<void> {
  const all = trustedCertificates(svc);
  const list = all[address] ?? [];
  if (!list.includes(fingerprint)) {
    await svc.context.workspaceState.update(TRUST_KEY, { ...all, [address]: [...list, fingerprint] });
  }
}

/** Forgets the trusted certificates of these addresses (all when undefined); how many fingerprints went. */
export async function forgetCertificates(svc: Services, addresses?: readonly string[]): Promise<number> {
  const all = trustedCertificates(svc);
  let n = 0;
  const kept: Record<string, string[]> = {};
  for (const [a, list] of Object.entries(all)) {
    if (!addresses || addresses.includes(a)) {
      n += list.length;
    } else {
      kept[a] = list;
    }
  }
  await svc.context.workspaceState.update(TRUST_KEY, kept);
  return n;
}

/** Asks for the passphrase of an encrypted client key that came without one. Undefined: cancelled. */
async function withPassphrase(o: ClientTlsOptions): Promise<ClientTlsOptions | undefined> {
  if (!o.keyFile || o.passphrase !== undefined) {
    return o;
  }
  let text = '';
  try {
    text = await fs.promises.readFile(o.keyFile, 'latin1');
  } catch {
    return o; // the core reports the unreadable file in its words
  }
  if (!/ENCRYPTED/.test(text)) {
    return o;
  }
  const passphrase = await vscode.window.showInputBox({
    title: vscode.l10n.t('Passphrase of {0}', o.keyFile),
    prompt: vscode.l10n.t('The client key is encrypted. Its passphrase is used for this connection only and never stored.'),
    password: true,
    ignoreFocusOut: true,
  });
  return passphrase === undefined ? undefined : { ...o, passphrase };
}

/** The options with the fingerprints this workspace trusts for `target`, and a passphrase when needed. */
export async function effectiveTlsOptions(svc: Services, target: HostPort, o: ClientTlsOptions): Promise<ClientTlsOptions | undefined> {
  const trusted = trustedCertificates(svc)[formatHostPort(target.host, target.port)] ?? [];
  const withKey = await withPassphrase(o);
  return withKey && { ...withKey, trustedFingerprints: [...(o.trustedFingerprints ?? []), ...trusted] };
}

export function isUntrusted(e: unknown): e is TlsError {
  return e instanceof WorkbenchError && (e as TlsError).untrustedCertificate === true;
}

/**
 * A certificate that did not verify: with a person there, ask (Connect anyway remembers its fingerprint
 * and resolves true); without one, fail with the reason and the fingerprint.
 */
export async function decideUntrusted(svc: Services, address: string, e: TlsError, interactive: boolean): Promise<boolean> {
  const leaf = e.certificate;
  if (!leaf) {
    throw e;
  }
  const why = messageOf(e);
  if (!interactive) {
    throw new UserError(
      vscode.l10n.t('The certificate of {0} does not verify: {1} SHA-256 {2}. Pass insecure: true, or the CA as caFile, to connect.', address, why, leaf.fingerprint256),
    );
  }
  const connect = vscode.l10n.t('Connect Anyway');
  const chain = vscode.l10n.t('Show Certificate Chain');
  // A notification, not a modal: it can stay while the user reads the chain (and modals are refused in
  // the test workbench). One message with the facts, since a notification has no separate detail.
  const message = [
    vscode.l10n.t('The certificate of {0} is not trusted: {1}', address, why),
    vscode.l10n.t('Subject: {0}', leaf.subject),
    vscode.l10n.t('Issuer: {0}', leaf.issuer),
    vscode.l10n.t('Valid: {0} to {1}', leaf.validFrom.slice(0, 10), leaf.validTo.slice(0, 10)),
    vscode.l10n.t('SHA-256: {0}', leaf.fingerprint256),
    vscode.l10n.t('Connect Anyway trusts this certificate (by its fingerprint) for {0} in this workspace; Forget Trusted Certificates… revokes it.', address),
  ].join(' · ');
  // Show Certificate Chain opens the document and asks again; bounded so a loop can never run away.
  for (let i = 0; i < 20; i++) {
    const choice = await vscode.window.showWarningMessage(message, connect, chain);
    if (choice === connect) {
      await trustCertificate(svc, address, leaf.fingerprint256);
      svc.log.warn(vscode.l10n.t('Trusted the certificate of {0} (SHA-256 {1}) although it does not verify: {2}', address, leaf.fingerprint256, why));
      return true;
    }
    if (choice !== chain) {
      return false;
    }
    await showChainDocument(vscode.l10n.t('Certificate chain of {0}', address), e.chain);
  }
  return false;
}
