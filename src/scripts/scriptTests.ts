// The Testing view's tree: every `.tcp` file in the workspace is a test item (found by findFiles and a
// file watcher, parsed only when expanded, run or opened) and each client block a child test.
import * as vscode from 'vscode';
import { Script, parseScript } from '../core/script';
import { Services } from '../state/services';
import { isScriptDocument, parseOptionsFor, parsedDocument, scriptText } from './scriptDocuments';

const GLOB = '**/*.tcp';
const EXCLUDE = '**/node_modules/**';

export class ScriptTests implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('tcpWorkbench.scripts', vscode.l10n.t('TCP Scripts'));
  /** The block index in its file's script, for each block item. */
  private readonly blockIndex = new WeakMap<vscode.TestItem, number>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly svc: Services) {
    this.controller.resolveHandler = async (item) => {
      if (!item) {
        await this.discover();
      } else {
        await this.refresh(item);
      }
    };
    const watcher = vscode.workspace.createFileSystemWatcher(GLOB);
    this.subs.push(
      this.controller,
      watcher,
      watcher.onDidCreate((uri) => this.fileItem(uri)),
      watcher.onDidChange((uri) => {
        const item = this.controller.items.get(uri.toString());
        if (item && !vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) {
          void this.refresh(item);
        }
      }),
      watcher.onDidDelete((uri) => this.controller.items.delete(uri.toString())),
      vscode.workspace.onDidOpenTextDocument((d) => this.fromDocument(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.fromDocument(e.document)),
    );
    vscode.workspace.textDocuments.forEach((d) => this.fromDocument(d));
  }

  /** The file's item, created (unresolved) when new. */
  fileItem(uri: vscode.Uri): vscode.TestItem {
    const existing = this.controller.items.get(uri.toString());
    if (existing) {
      return existing;
    }
    const item = this.controller.createTestItem(uri.toString(), uri.path.split('/').pop() ?? uri.path, uri);
    item.canResolveChildren = true;
    this.controller.items.add(item);
    return item;
  }

  /** Parses the file now (from its editor when open) and updates its blocks; returns the text and script. */
  async refresh(file: vscode.TestItem): Promise<{ text: string; script: Script } | undefined> {
    if (!file.uri) {
      return undefined;
    }
    let text: string;
    try {
      text = await scriptText(file.uri);
    } catch {
      this.controller.items.delete(file.id); // gone meanwhile
      return undefined;
    }
    const script = parseScript(text, parseOptionsFor(file.uri));
    this.setBlocks(file, script);
    return { text, script };
  }

  indexOf(item: vscode.TestItem): number | undefined {
    return this.blockIndex.get(item);
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }

  private async discover(): Promise<void> {
    for (const uri of await vscode.workspace.findFiles(GLOB, EXCLUDE, 1000)) {
      this.fileItem(uri);
    }
  }

  private fromDocument(doc: vscode.TextDocument): void {
    if (doc.uri.scheme === 'file' && isScriptDocument(doc)) {
      try {
        this.setBlocks(this.fileItem(doc.uri), parsedDocument(doc));
      } catch (e) {
        this.svc.log.error(`Listing the tests of ${doc.uri.fsPath} failed`, e);
      }
    }
  }

  /** Keeps the items of blocks that are still there (same title, same place), so results stay on them. */
  private setBlocks(file: vscode.TestItem, script: Script): void {
    const children: vscode.TestItem[] = [];
    script.blocks.forEach((b, index) => {
      if (b.kind !== 'client') {
        return;
      }
      const id = `${index}:${b.title}`;
      const item = file.children.get(id) ?? this.controller.createTestItem(id, b.title || vscode.l10n.t('(untitled block)'), file.uri);
      item.range = new vscode.Range(b.titleRange.line, 0, b.endLine, 0);
      this.blockIndex.set(item, index);
      children.push(item);
    });
    file.children.replace(children);
    file.canResolveChildren = false;
  }
}
