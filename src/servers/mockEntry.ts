// The mock server as a server kind: a `listen` block of a .tcp file, started from the file's current
// text (the editor's, unsaved changes included). Mock entries belong to their file and are not
// persisted: after a reload, the CodeLens starts them again.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { ListenBlock, Script, assertRunnable, parseScript } from '../core/script';
import { MockServer, describeHit } from '../core/script/mockServer';
import { listenTls } from '../core/script/mocks';
import { TcpServer } from '../core/servers/serverBase';
import { UserError } from '../common/showError';
import { ServerEntry } from '../state/serverEntry';
import { ServerKindDriver } from '../state/serverKind';

/** The text of a .tcp file: the open document's (unsaved edits count), else the file on disk. */
export function scriptText(file: string): string {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (doc) {
    return doc.getText();
  }
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(vscode.l10n.t('Cannot read {0}: {1}', file, (e as Error).message));
  }
}

/** The listen block that holds `line` (0-based), or undefined. */
export function listenBlockAt(script: Script, line: number): ListenBlock | undefined {
  return script.blocks.find((b): b is ListenBlock => b.kind === 'listen' && b.startLine <= line && line <= b.endLine);
}

/** Parses the file (throws ScriptParseError on errors) and finds the entry's block. */
export function parseMock(entry: ServerEntry): { script: Script; block: ListenBlock } {
  const file = entry.spec.file ?? '';
  const script = parseScript(scriptText(file));
  assertRunnable(script, file);
  // The block moves when lines are added above it: look for its title first, then at its line.
  const line = entry.spec.line ?? 0;
  const block = listenBlockAt(script, line) ?? script.blocks.find((b): b is ListenBlock => b.kind === 'listen' && b.title === entry.spec.label);
  if (!block) {
    throw new UserError(vscode.l10n.t('{0} has no listen block at line {1}.', file, line + 1));
  }
  return { script, block };
}

export const mockKind: ServerKindDriver = {
  icon: 'server-process',
  persisted: false,
  create: (entry, cfg, over) => {
    const { script, block } = parseMock(entry);
    entry.spec = { ...entry.spec, label: block.title, line: block.startLine };
    return new MockServer({
      block,
      file: entry.spec.file ?? '',
      encoding: script.settings.encoding,
      host: over.host ?? block.host,
      port: over.port ?? block.port,
      maxConnections: cfg.maxConnections,
      // `listen tls://`: the file's @tls.cert/@tls.key, else the generated certificate in the global storage.
      tls: block.tls ? listenTls(script, entry.spec.file ?? '', over.certFolder) : undefined,
    });
  },
  wire: (entry, server: TcpServer, ctx) =>
    server instanceof MockServer
      ? [
          server.onDidHitRule((e) => {
            const hit = describeHit(e);
            ctx.log.info(vscode.l10n.t('{0}: client {1}: {2}', entry.label, e.client.remote, hit));
            ctx.traffic.note(`server:${entry.id}`, entry.label, e.client.remote, hit);
          }),
        ]
      : [],
  tooltip: (entry) => [vscode.l10n.t('File: {0}', entry.spec.file ?? '?'), vscode.l10n.t('Listen block at line {0}', (entry.spec.line ?? 0) + 1)],
};
