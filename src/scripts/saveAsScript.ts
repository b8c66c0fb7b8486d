// Save as Script: a session's traffic so far as a replayable `.tcp` file (sent → send, received → expect),
// written by the core writer and opened in an editor. Never overwrites a file nobody agreed to replace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { formatBytes } from '../core/format';
import { ScriptEncoding, writeConversation, writeScript } from '../core/script';
import { isInteractive, isOptions, sessionOf } from '../state/commandArgs';
import { registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { onlyWorkspaceFolder } from '../ui/folders';
import { pickOne } from '../ui/prompts';
import { RECORD_LIMIT } from '../core/sessions/sessionRecord';
import { sessionAddress } from '../state/sessionManager';

const encodingOf = (s: ClientSession): ScriptEncoding => (s.encoding === 'hex' ? 'utf-8' : s.encoding);

function scriptOf(svc: Services, s: ClientSession, others: readonly ClientSession[] = []): string {
  const record = svc.sessions.record(s.id);
  const encoding = encodingOf(s);
  const text =
    others.length === 0
      ? writeScript({ title: `${sessionAddress(s)} (session ${s.id})`, host: s.options.host, port: s.options.port, encoding, chunks: record?.chunks ?? [] })
      : // Several sessions: one block, each a connection named after its session, in the order the bytes went.
        writeConversation(
          `sessions ${[s, ...others].map((x) => x.id).join(', ')}`,
          [s, ...others].map((x) => ({
            name: `session${x.id}`,
            title: '',
            host: x.options.host,
            port: x.options.port,
            encoding,
            chunks: svc.sessions.record(x.id)?.chunks ?? [],
          })),
        );
  if (!record?.truncated && !others.some((x) => svc.sessions.record(x.id)?.truncated)) {
    return text;
  }
  // The first lines only: say so in the file rather than pass a part off as the whole exchange.
  const [first, ...rest] = text.split('\n');
  return [first, `# Only the first ${formatBytes(RECORD_LIMIT)} of this session were kept: later traffic is not in this script.`, ...rest].join('\n');
}

function failNotOpen(id: unknown): never {
  throw new UserError(vscode.l10n.t('Session {0} is not open.', String(id)));
}

async function chooseSession(svc: Services, arg: unknown): Promise<ClientSession | undefined> {
  const ids = isOptions(arg) && Array.isArray(arg.sessionIds) ? (arg.sessionIds as unknown[]) : [];
  if (ids.length > 0) {
    return (typeof ids[0] === 'number' ? svc.sessions.get(ids[0]) : undefined) ?? failNotOpen(ids[0]);
  }
  const s = sessionOf(svc, arg);
  if (s || !isInteractive(arg)) {
    if (!s) {
      throw new UserError(vscode.l10n.t('Save as Script needs a sessionId.'));
    }
    return s;
  }
  const all = svc.sessions.sessions();
  if (all.length === 0) {
    throw new UserError(vscode.l10n.t('There is no open connection to save.'));
  }
  return (
    svc.sessions.current ??
    pickOne(all, vscode.l10n.t('Save which connection as a script?'), (x) => ({ label: sessionAddress(x), description: vscode.l10n.t('Session {0}', x.id) }))
  );
}

async function askTarget(s: ClientSession): Promise<string | undefined> {
  const folder = onlyWorkspaceFolder() ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const name = `session-${s.id}-${s.options.port}.tcp`;
  const picked = await vscode.window.showSaveDialog({
    title: vscode.l10n.t('Save the session as a script'),
    defaultUri: folder ? vscode.Uri.file(path.join(folder, name)) : undefined,
    filters: { [vscode.l10n.t('TCP scripts')]: ['tcp'] },
  });
  return picked?.fsPath;
}

export function registerSaveAsScript(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.saveSessionAsScript', async (arg) => {
    const s = await chooseSession(svc, arg);
    if (!s) {
      return undefined;
    }
    const given = isOptions(arg) && typeof arg.path === 'string' ? arg.path : undefined;
    const target = given ?? (isInteractive(arg) ? await askTarget(s) : undefined);
    if (!target) {
      if (!isInteractive(arg)) {
        throw new UserError(vscode.l10n.t('Save as Script needs a path.'));
      }
      return undefined;
    }
    if (given !== undefined && !path.isAbsolute(given)) {
      throw new UserError(vscode.l10n.t('"path" must be an absolute path, not {0}.', given));
    }
    const ids = isOptions(arg) && Array.isArray(arg.sessionIds) ? (arg.sessionIds as unknown[]) : [];
    const others = ids.filter((id) => id !== s.id).map((id) => (typeof id === 'number' ? svc.sessions.get(id) : undefined) ?? failNotOpen(id));
    const text = scriptOf(svc, s, others);
    try {
      // The save dialog asked about replacing; a path from a caller must be new ('wx' fails if it exists).
      fs.writeFileSync(target, text, { flag: given === undefined ? 'w' : 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new UserError(vscode.l10n.t('{0} already exists; choose another path.', target));
      }
      throw e;
    }
    svc.log.info(vscode.l10n.t('Session {0} saved as script {1}', s.id, target));
    await vscode.window.showTextDocument(vscode.Uri.file(target), { preview: false });
    return { path: target };
  });
}
