// Start Recording… / Stop Recording: every byte a session or a server's client receives, raw, into a
// workspace file (the core Recorder writes each chunk as it arrives, so a dying connection loses
// nothing). An existing file is replaced only after the user says so (or `overwrite: true`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RecordError, Recorder } from '../core/sessions/recorder';
import { formatBytes } from '../core/format';
import { isInteractive, isOptions } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { connectionMarks } from '../state/connectionMarks';
import { Target, allTargets, pickTarget, resolveTarget, targetOf } from './sendTargets';

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** A file from the caller: absolute, or relative to the workspace folder. */
function fileOf(file: unknown): string {
  if (typeof file !== 'string' || file.trim() === '') {
    throw new UserError(vscode.l10n.t('"file" must be the path of the file to record into.'));
  }
  const ws = workspaceFolder();
  return path.isAbsolute(file) ? file : path.join(ws ?? process.cwd(), file);
}

async function askFile(t: Target): Promise<string | undefined> {
  const safe = t.label.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '');
  const ws = workspaceFolder();
  const uri = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Record what {0} receives into', t.label),
    defaultUri: ws ? vscode.Uri.file(path.join(ws, `received-${safe}.bin`)) : undefined,
    saveLabel: vscode.l10n.t('Record'),
  });
  return uri?.fsPath;
}

/** Starts a recorder; an existing file is an error unless `overwrite`, or (interactive) the user allows it. */
async function start(t: Target, file: string, overwrite: boolean, interactive: boolean): Promise<Recorder> {
  try {
    return Recorder.start(t.link, file, { overwrite });
  } catch (e) {
    if (!(e instanceof RecordError && e.code === 'record.exists') || !interactive) {
      throw e;
    }
    const replace = vscode.l10n.t('Replace');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} already exists. Replace it with what {1} receives?', path.basename(file), t.label),
      { modal: true },
      replace,
    );
    if (answer !== replace) {
      throw new UserError(vscode.l10n.t('Not recording: {0} was kept as it is.', file));
    }
    return Recorder.start(t.link, file, { overwrite: true });
  }
}

export function registerRecordCommands(svc: Services): void {
  svc.context.subscriptions.push({ dispose: () => connectionMarks.entries().forEach(([, m]) => m.recorder?.stop()) });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.startRecording', async (arg) => {
    const t = await resolveTarget(svc, arg, vscode.l10n.t('Record which connection?'));
    if (!t) {
      return undefined;
    }
    if (connectionMarks.get(t.connection).recorder) {
      throw new UserError(vscode.l10n.t('{0} is already being recorded into {1}.', t.label, connectionMarks.get(t.connection).recorder?.file ?? '?'));
    }
    const file = isOptions(arg) ? fileOf(arg.file) : await askFile(t);
    if (!file) {
      return undefined;
    }
    const overwrite = isOptions(arg) && arg.overwrite === true;
    const recorder = await start(t, file, overwrite, isInteractive(arg));
    connectionMarks.set(t, { recorder });
    recorder.onDidStop((stop) => {
      if (connectionMarks.get(t.connection).recorder === recorder) {
        connectionMarks.set(t, { recorder: undefined });
      }
      const line = vscode.l10n.t('Recording of {0} into {1} ended: {2} written', t.label, stop.file, formatBytes(stop.bytes));
      if (stop.error) {
        svc.log.error(`${line} (${stop.error.message})`, stop.error);
      } else {
        svc.log.info(line);
      }
    });
    svc.log.info(vscode.l10n.t('Recording what {0} receives into {1}', t.label, file));
    vscode.window.setStatusBarMessage(vscode.l10n.t('Recording {0} into {1}', t.label, path.basename(file)), 5000);
    return { file };
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.stopRecording', async (arg) => {
    const recording = allTargets(svc).filter((x) => connectionMarks.get(x.connection).recorder);
    const t = targetOf(svc, arg) ?? (isOptions(arg) ? undefined : await pickTarget(svc, vscode.l10n.t('Stop recording which connection?'), recording));
    const recorder = t && connectionMarks.get(t.connection).recorder;
    if (!t || !recorder) {
      if (t || isOptions(arg)) {
        throw new UserError(vscode.l10n.t('{0} is not being recorded.', t?.label ?? vscode.l10n.t('This connection')));
      }
      return undefined;
    }
    recorder.stop();
    const size = fs.statSync(recorder.file).size;
    return { file: recorder.file, bytes: size };
  });
}
