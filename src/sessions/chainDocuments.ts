// Show Certificate Chain: a read-only virtual document (`tcp-workbench-cert:`) with renderChain's text —
// each certificate's subject, issuer, SANs, validity, key, signature, SHA-256, then the PEMs.
import * as vscode from 'vscode';
import type { CertificateInfo } from '../core/tls/certificates';
import { renderChain } from '../core/tls/certificates';

export const CHAIN_SCHEME = 'tcp-workbench-cert';
const MAX_DOCUMENTS = 50;

const texts = new Map<string, string>();
let next = 1;

const provider: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: (uri) => texts.get(uri.toString()) ?? '',
};

export function registerChainDocuments(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(CHAIN_SCHEME, provider));
}

/** Opens the chain as a document titled `title`; resolves with its URI. */
export async function showChainDocument(title: string, chain: readonly CertificateInfo[]): Promise<vscode.Uri> {
  const uri = vscode.Uri.from({ scheme: CHAIN_SCHEME, path: `/${next++}/${title.replace(/[/\\:]/g, '_')}.txt` });
  texts.set(uri.toString(), renderChain(chain, title));
  if (texts.size > MAX_DOCUMENTS) {
    texts.delete(texts.keys().next().value as string);
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return uri;
}
