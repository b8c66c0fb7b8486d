// Per-connection encoding and line ending (Set Encoding…, or `connect { encoding, lineEnding }`),
// Reset Counters and Clear Send History; and the one register call for the socket-assistant commands.
import * as vscode from 'vscode';
import { ENCODINGS, EncodingName, LineEnding } from '../core/codec';
import { isOptions } from '../state/commandArgs';
import { registerCommand, runCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { pickAddress } from './addressPicker';
import { connectTo, connectionOptions, sessionInfo } from './connectCommand';
import { registerSendFileCommand } from './sendFileCommand';
import { SendHistory } from '../ui/sendHistory';
import { connectionMarks } from '../state/connectionMarks';
import { registerRecordCommands } from './recordCommands';
import { registerRepeatCommands } from './repeatCommands';
import { resolveTarget, sessionTarget, targetOf } from './sendTargets';
import { sessionAddress } from '../state/sessionManager';

async function askEncoding(current: EncodingName, currentEnding: LineEnding): Promise<{ encoding: EncodingName; lineEnding: LineEnding } | undefined> {
  const enc = await vscode.window.showQuickPick(
    ENCODINGS.map((e) => ({ label: e, description: e === current ? vscode.l10n.t('current') : undefined, e })),
    { title: vscode.l10n.t('Encoding of this connection (1/2)') },
  );
  if (!enc) {
    return undefined;
  }
  const endings: LineEnding[] = ['none', 'lf', 'crlf'];
  const le = await vscode.window.showQuickPick(
    endings.map((l) => ({ label: l, description: l === currentEnding ? vscode.l10n.t('current') : undefined, l })),
    { title: vscode.l10n.t('Line ending appended to what you send (2/2)') },
  );
  return le ? { encoding: enc.e, lineEnding: le.l } : undefined;
}

export function registerAssistantCommands(svc: Services): void {
  registerRepeatCommands(svc);
  registerRecordCommands(svc);
  registerSendFileCommand(svc);
  const history = new SendHistory(svc.context.workspaceState);

  registerCommand(svc.context, svc.log, 'tcpWorkbench.setEncoding', async (arg) => {
    // A session row or `{ sessionId }`, a server's client row or `{ entryId, clientId }`, else the active session.
    const current = isOptions(arg) ? svc.sessions.current : undefined;
    const t = targetOf(svc, arg) ?? (current ? sessionTarget(svc, current) : undefined);
    if (!t) {
      throw new UserError(vscode.l10n.t('Choose a connection in the Connections view.'));
    }
    const given = isOptions(arg) ? connectionOptions(arg) : await askEncoding(t.encoding, t.lineEnding);
    if (!given) {
      return undefined;
    }
    const encoding = given.encoding ?? t.encoding;
    const lineEnding = given.lineEnding ?? t.lineEnding;
    if (t.session) {
      t.session.setEncoding(encoding);
      svc.log.info(vscode.l10n.t('Session {0} to {1}: encoding {2}, line ending {3}', t.session.id, sessionAddress(t.session), encoding, lineEnding));
    } else if (t.client) {
      t.client.server.setClientEncoding(t.client.id, encoding);
      svc.log.info(vscode.l10n.t('Client {0}: encoding {1}, line ending {2}', t.label, encoding, lineEnding));
    }
    connectionMarks.set(t, { lineEnding });
    return { encoding, lineEnding };
  });

  // Connect with the two extra steps; Connect to Server… stays one step.
  registerCommand(svc.context, svc.log, 'tcpWorkbench.connectWithEncoding', async (args) => {
    if (isOptions(args)) {
      return runCommand('tcpWorkbench.connect', args);
    }
    const target = await pickAddress(svc, vscode.l10n.t('Connect to Server'), undefined, true);
    const cfg = svc.config();
    const chosen = target && (await askEncoding(cfg.encoding, cfg.lineEnding));
    if (!target || !chosen) {
      return undefined;
    }
    const s = await connectTo(svc, target, true, chosen.encoding, target.tls ? { options: {}, interactive: true } : undefined);
    if (!s) {
      return undefined;
    }
    connectionMarks.set(sessionTarget(svc, s), { lineEnding: chosen.lineEnding });
    return sessionInfo(s);
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.resetCounters', async (arg) => {
    const t = await resolveTarget(svc, arg, vscode.l10n.t('Reset the counters of which connection?'));
    if (t?.session) {
      t.session.resetCounters();
      connectionMarks.touch();
    } else if (t?.client) {
      t.client.server.resetCounters(t.client.id);
      connectionMarks.touch();
    }
  });

  registerCommand(svc.context, svc.log, 'tcpWorkbench.clearSendHistory', async () => ({ cleared: await history.clear() }));
}
