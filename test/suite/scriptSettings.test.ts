// The `.tcp` runner in the editor: the tcpWorkbench.script.varsFile setting (a variable from the file reaches
// the script; a missing file fails the run before anything connects), and the provoke steps run through the
// Run Script command against a real server that counts its reads and sees the reset.
import * as assert from 'node:assert';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, cleanup, close, listen, must, scratchFolder, waitFor } from './helpers';

/** Writes a user setting and waits for the change event (the extension reads its settings at the time of use). */
async function setSetting(key: string, value: unknown): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('tcpWorkbench');
  if (cfg.inspect(key)?.globalValue === value) {
    return;
  }
  let sub: vscode.Disposable | undefined;
  const changed = new Promise<void>((resolve) => {
    sub = vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`tcpWorkbench.${key}`) && resolve());
  });
  try {
    await cfg.update(key, value, vscode.ConfigurationTarget.Global);
    await Promise.race([changed, new Promise((r) => setTimeout(r, 5000))]);
  } finally {
    sub?.dispose();
  }
}

describe('Script runs in the editor: settings and provoke steps', () => {
  let dir: string;
  let srv: (net.Server & { port: number }) | undefined;

  beforeEach(() => {
    dir = scratchFolder('scriptSettings');
  });

  afterEach(async () => {
    await setSetting('script.varsFile', undefined);
    await setSetting('script.jobs', undefined);
    await close(srv);
    srv = undefined;
    cleanup(dir);
  });

  const write = (name: string, text: string): vscode.Uri => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return vscode.Uri.file(file);
  };

  it('tcpWorkbench.script.varsFile: its variables reach the script (over the file’s own @name); a missing file fails the run', async () => {
    srv = await listen((s) => s.on('data', (b) => s.write(b)));
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    write('ci.vars', `# from the vars file\nport=${srv.port}\nword = "from the file"\n`);
    const uri = write('vars.tcp', '@word = from the script\n### uses the vars file\nconnect 127.0.0.1:{{port}}\nsend "{{word}}\\n"\nexpect "from the file\\n"\n');
    await setSetting('script.varsFile', path.relative(ws, path.join(dir, 'ci.vars')));
    const r = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([r.passed, r.failed], [1, 0], JSON.stringify(r));

    await setSetting('script.varsFile', path.relative(ws, path.join(dir, 'nope.vars')));
    const bad = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([bad.passed, bad.failed], [0, 1], JSON.stringify(bad));
    assert.match(bad.blocks[0]?.failure?.message ?? '', /Cannot read the vars file .*nope\.vars: no such file\./);
  });

  it('send … pieces, send together and reset reach the server as 3 reads, 1 read and a reset', async () => {
    const reads: number[] = [];
    let reset = '';
    srv = await listen((s) => {
      s.on('data', (b) => {
        reads.push(b.length);
        if (reads.length === 3 || reads.length === 4) {
          s.write(`read ${reads.length}\n`);
        }
      });
      s.on('error', (e: NodeJS.ErrnoException) => (reset = e.code ?? ''));
    });
    const uri = write(
      'provoke.tcp',
      [
        '### provoke',
        `connect 127.0.0.1:${srv.port}`,
        'send "abcdef" pieces 3 gap 200ms',
        'expect "read 3\\n"',
        'send together "one;" "two;" "three;"',
        'expect "read 4\\n"',
        'reset',
        '',
      ].join('\n'),
    );
    const r = await must('tcpWorkbench.runScript', { uri: uri.toString() });
    assert.deepStrictEqual([r.passed, r.failed], [1, 0], JSON.stringify(r));
    await waitFor(() => reset !== '', 'the server to see the reset');
    assert.deepStrictEqual([reads, reset], [[2, 2, 2, 14], 'ECONNRESET']);
  });

  it('tcpWorkbench.script.jobs: Run All runs that many files at once (1: one after the other)', async () => {
    const a = await api();
    let both = 0;
    const waiting = new Set<net.Socket>();
    // Answers "both" to the waiting clients once two wait at the same time, else "alone" after 3 s.
    srv = await listen((s) => {
      s.on('close', () => waiting.delete(s));
      s.on('data', () => {
        waiting.add(s);
        if (waiting.size >= 2) {
          both++;
          waiting.forEach((w) => w.write('both\n'));
          waiting.clear();
        } else {
          setTimeout(() => waiting.delete(s) && s.write('alone\n'), 3000);
        }
      });
    });
    for (const name of ['a', 'b']) {
      const uri = write(`jobs-${name}.tcp`, `### ${name}\nconnect 127.0.0.1:${srv.port}\nsend "hi\\n"\nexpect /(both|alone)\\n/\nclose\n`);
      // Opened, so the Testing view lists it now (not only when the file watcher gets to it).
      await vscode.workspace.openTextDocument(uri);
    }
    const runAll = async (): Promise<number> => {
      both = 0;
      const before = a.testingRuns().length;
      await vscode.commands.executeCommand('testing.runAll');
      await waitFor(() => a.testingRuns().length > before, 'the run to end', 20000);
      return both;
    };
    await setSetting('script.jobs', 2);
    assert.strictEqual(await runAll(), 1, 'two files at once: their clients waited together');
    await setSetting('script.jobs', 1);
    assert.strictEqual(await runAll(), 0, 'one file at a time: each client waited alone');
  });
});
