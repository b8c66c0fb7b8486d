// Connect to Server…: an address (typed or picked), a session, its traffic document.
import * as vscode from 'vscode';
import { ClientSession } from '../core/clientSession';
import { EncodingName } from '../core/codec';
import { HostPort, formatHostPort } from '../core/hostPort';
import { addressOf, isOptions } from '../state/commandArgs';
import { SessionInfo, registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { pickAddress } from './addressPicker';
import { connectionMarks, sessionKey } from '../state/connectionMarks';
import { connectionOptions } from './encodingCommands';
import { sessionAddress } from '../state/sessionManager';

export function sessionInfo(s: ClientSession): SessionInfo {
  return { id: s.id, address: sessionAddress(s) };
}

/** Connects and opens its traffic; the message of a failure names host and port. */
export async function connectTo(svc: Services, target: HostPort, show: boolean, encoding?: EncodingName): Promise<ClientSession> {
  const cfg = svc.config();
  const s = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Connecting to {0}…', formatHostPort(target.host, target.port)) },
    () => svc.sessions.connect(target.host, target.port, encoding ?? cfg.encoding),
  );
  if (show) {
    await svc.trafficDocs.show(vscode.l10n.t('Traffic - {0}', sessionAddress(s)), `session:${s.id}`, true);
  }
  vscode.window.setStatusBarMessage(vscode.l10n.t('Connected to {0}', sessionAddress(s)), 5000);
  return s;
}

export function registerConnectCommand(svc: Services): void {
  registerCommand(svc.context, svc.log, 'tcpWorkbench.connect', async (args) => {
    // An options object without a usable address is a caller's mistake: say so rather than open a picker.
    const target = isOptions(args) ? addressOf(svc, args.address) : await pickAddress(svc, vscode.l10n.t('Connect to Server'));
    if (!target) {
      return undefined;
    }
    const o = isOptions(args) ? connectionOptions(args) : {};
    const s = await connectTo(svc, target, isOptions(args) ? (args.show ?? true) : true, o.encoding);
    if (o.lineEnding) {
      connectionMarks.set(sessionKey(s.id), { lineEnding: o.lineEnding });
    }
    return sessionInfo(s);
  });
}
