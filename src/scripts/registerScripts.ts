// The `.tcp` language in the editor: diagnostics, CodeLens, the Testing view with its Run Script command,
// and Save as Script from a connection.
import * as vscode from 'vscode';
import { isInteractive } from '../state/commandArgs';
import { RunScriptArgs, RunScriptResult, registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { registerSaveAsScript } from './saveAsScript';
import { registerScriptCodeLens } from './scriptCodeLens';
import { registerScriptDiagnostics } from './scriptDiagnostics';
import { LANGUAGE_ID, useVarsFile } from './scriptDocuments';
import { resolveVarsFile } from '../common/config';
import { ScriptRunOptions, runScriptTests } from './scriptRun';
import { ScriptTests } from './scriptTests';

/** The file and optional line a Run Script call names: a Uri (+ line) from the editor, or `{ uri, line }`. */
function target(arg: RunScriptArgs | vscode.Uri | undefined, line: number | undefined): { uri: vscode.Uri; line?: number } {
  if (arg instanceof vscode.Uri) {
    return { uri: arg, line };
  }
  if (arg && typeof arg.uri === 'string') {
    return { uri: vscode.Uri.parse(arg.uri), line: arg.line };
  }
  const doc = vscode.window.activeTextEditor?.document;
  if (!arg && doc?.languageId === LANGUAGE_ID) {
    return { uri: doc.uri };
  }
  throw new UserError(vscode.l10n.t('Run Script needs a .tcp file: open one, or pass {0}.', '{ uri }'));
}

/**
 * Runs a file (or the client block at `line`) as Run Script does, through the Testing view; never asks
 * (an untrusted workspace refuses). The runScript agent tool calls it, so its run is a person's run.
 */
export type RunScriptFile = (uri: vscode.Uri, line: number | undefined, token: vscode.CancellationToken, opts?: ScriptRunOptions) => Promise<RunScriptResult>;

export function registerScripts(svc: Services): RunScriptFile {
  // Read at the time of use, so a changed setting counts from the next parse and run.
  useVarsFile(() => resolveVarsFile(svc.config().scriptVarsFile, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath));
  registerScriptDiagnostics(svc);
  registerScriptCodeLens(svc);
  const tests = new ScriptTests(svc);
  svc.context.subscriptions.push(tests);
  const runHandler = (request: vscode.TestRunRequest, token: vscode.CancellationToken) =>
    runScriptTests(svc, tests, request, token, true).then(
      () => undefined,
      (e: unknown) => svc.log.error('Running scripts failed', e),
    );
  const profile = tests.controller.createRunProfile(vscode.l10n.t('Run'), vscode.TestRunProfileKind.Run, runHandler, true);
  const runFile = async (uri: vscode.Uri, line: number | undefined, token: vscode.CancellationToken, interactive: boolean, opts?: ScriptRunOptions) => {
    const file = tests.fileItem(uri);
    if (!(await tests.refresh(file))) {
      throw new UserError(vscode.l10n.t('Cannot read {0}.', uri.fsPath));
    }
    let item = file;
    if (line !== undefined) {
      const blocks: vscode.TestItem[] = [];
      file.children.forEach((c) => blocks.push(c));
      const found = blocks.find((c) => c.range && c.range.start.line <= line && line <= c.range.end.line);
      if (!found) {
        throw new UserError(vscode.l10n.t('There is no client block at line {0} of {1}.', line + 1, vscode.workspace.asRelativePath(uri)));
      }
      item = found;
    }
    // Through the TestController, so the run shows in the Testing view like one started there.
    return runScriptTests(svc, tests, new vscode.TestRunRequest([item], undefined, profile), token, interactive, opts);
  };
  registerCommand(svc.context, svc.log, 'tcpWorkbench.runScript', async (arg, lineArg) => {
    const { uri, line } = target(arg, lineArg);
    const cancel = new vscode.CancellationTokenSource();
    try {
      return await runFile(uri, line, cancel.token, isInteractive(arg));
    } finally {
      cancel.dispose();
    }
  });
  registerSaveAsScript(svc);
  return (uri, line, token, opts) => runFile(uri, line, token, false, opts);
}
