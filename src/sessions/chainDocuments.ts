// Show Certificate Chain: a read-only virtual document (`tcp-workbench-cert:`) with renderChain's text —
// each certificate's subject, issuer, SANs, validity, key, signature, SHA-256, then the PEMs. The labels are
// in the user's language; the facts (names, dates, algorithms, the PEMs) are as the certificate has them.
import * as vscode from 'vscode';
import type { CertificateInfo, ChainWords } from '../core/tls/certificates';
import { renderChain } from '../core/tls/certificates';

export const CHAIN_SCHEME = 'tcp-workbench-cert';
const MAX_DOCUMENTS = 50;

const texts = new Map<string, string>();
let next = 1;

const provider: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: (uri) => texts.get(uri.toString()) ?? '',
};

function chainWords(): ChainWords {
  return {
    subject: vscode.l10n.t('Subject:'),
    issuer: vscode.l10n.t('Issuer:'),
    sans: vscode.l10n.t('SANs:'),
    valid: vscode.l10n.t('Valid:'),
    key: vscode.l10n.t('Key:'),
    signature: vscode.l10n.t('Signature:'),
    sha256: vscode.l10n.t('SHA-256:'),
    serial: vscode.l10n.t('Serial:'),
    leaf: vscode.l10n.t('leaf'),
    intermediate: vscode.l10n.t('intermediate'),
    root: vscode.l10n.t('root'),
    ca: (role) => vscode.l10n.t('{0} (CA)', role),
    none: vscode.l10n.t('(none)'),
    unknown: vscode.l10n.t('(unknown)'),
    noCertificate: vscode.l10n.t('(the peer sent no certificate)'),
    daysLeft: (days) => vscode.l10n.t('{0} days left', days),
    expiredDaysAgo: (days) => vscode.l10n.t('expired {0} days ago', days),
  };
}

export function registerChainDocuments(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(CHAIN_SCHEME, provider));
}

/** Opens the chain as a document titled `title`; resolves with its URI. */
export async function showChainDocument(title: string, chain: readonly CertificateInfo[]): Promise<vscode.Uri> {
  const uri = vscode.Uri.from({ scheme: CHAIN_SCHEME, path: `/${next++}/${title.replace(/[/\\:]/g, '_')}.txt` });
  texts.set(uri.toString(), renderChain(chain, title, chainWords()));
  if (texts.size > MAX_DOCUMENTS) {
    texts.delete(texts.keys().next().value as string);
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return uri;
}
