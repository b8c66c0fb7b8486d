// Connect to Server…: an address (typed or picked), the encoding and line ending a caller may give, a session, its traffic document.
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { EncodingName, LineEnding, checkEncoding, checkLineEnding } from '../core/codec';
import { HostPort, formatHostPort } from '../core/hostPort';
import { addressOf, isOptions } from '../state/commandArgs';
import { SessionInfo, registerCommand } from '../state/commands';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { pickAddress } from './addressPicker';
import { connectionMarks } from '../state/connectionMarks';
import { sessionTarget } from './sendTargets';
import { sessionAddress } from '../state/sessionManager';

export function sessionInfo(s: ClientSession): SessionInfo {
  return { id: s.id, address: sessionAddress(s) };
}

/** Encoding and line ending from a caller's options; a bad value is an error naming the choices. */
export function connectionOptions(o: Record<string, unknown>): { encoding?: EncodingName; lineEnding?: LineEnding } {
  const text = (v: unknown, what: string): string => {
    if (typeof v !== 'string') {
      throw new UserError(vscode.l10n.t('"{0}" must be text, not {1}.', what, typeof v));
    }
    return v;
  };
  return {
    encoding: o.encoding === undefined ? undefined : checkEncoding(text(o.encoding, 'encoding')),
    lineEnding: o.lineEnding === undefined ? undefined : checkLineEnding(text(o.lineEnding, 'lineEnding')),
  };
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
      connectionMarks.set(sessionTarget(svc, s), { lineEnding: o.lineEnding });
    }
    return sessionInfo(s);
  });
}
