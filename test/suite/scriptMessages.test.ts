// The `.tcp` language's sentences go through the extension's message table: in this (English) host every
// Problem of every corpus script reads exactly as the core's English — so the table is wired and its English
// templates are the core's — and a failed run's message too. The Chinese is checked by the UI test.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseScript } from '../../src/core/script';
import { INCLUDE_FILES, PROBLEMS, corpusOptions } from '../unit/script/problemCorpus';
import { cleanup, must, scratchFolder, waitFor } from './helpers';

describe('Script messages through the table (en)', () => {
  let dir: string;

  beforeEach(() => {
    dir = scratchFolder('script-messages');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    cleanup(dir);
  });

  it('every Problem of every corpus script reads as the core words it', async function () {
    this.timeout(120_000);
    assert.match(vscode.env.language, /^en/);
    const mismatches: string[] = [];
    for (const [i, p] of PROBLEMS.entries()) {
      // Each script as x.tcp (include scripts name it), in a folder of its own with the include files.
      const sub = path.join(dir, `p${i}`);
      fs.mkdirSync(sub);
      for (const [name, text] of Object.entries(INCLUDE_FILES)) {
        fs.writeFileSync(path.join(sub, name), text);
      }
      const uri = vscode.Uri.file(path.join(sub, 'x.tcp'));
      fs.writeFileSync(uri.fsPath, p.script);
      const want = parseScript(p.script, corpusOptions(sub)).diagnostics.map((d) => `${d.range.line}:${d.range.start} ${d.code} ${d.message}`);
      await vscode.workspace.openTextDocument(uri);
      const got = () => vscode.languages.getDiagnostics(uri).map((d) => `${d.range.start.line}:${d.range.start.character} ${String(d.code)} ${d.message}`);
      await waitFor(() => got().length === want.length, `${want.length} diagnostics for ${JSON.stringify(p.script)}`);
      if (got().join('\n') !== want.join('\n')) {
        mismatches.push(`${p.code}${p.form ? `:${p.form}` : ''}\n  core:   ${want.join(' | ')}\n  editor: ${got().join(' | ')}`);
      }
    }
    assert.deepStrictEqual(mismatches, []);
  });

  it("a refused connection fails the run with the table's sentence", async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const uri = vscode.Uri.file(path.join(dir, 'refused.tcp'));
    fs.writeFileSync(uri.fsPath, `### refused\nconnect 127.0.0.1:${port}\nsend "a"\n`);
    const r = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([r.passed, r.failed], [0, 1]);
    assert.strictEqual(r.blocks[0]?.failure?.message, `nothing is listening on 127.0.0.1:${port} (connection refused)`);
  });
});
