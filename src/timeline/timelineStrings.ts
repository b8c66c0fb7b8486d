// The timeline's sentences in the display language (the core's English ones are the fallback and the keys).
import * as vscode from 'vscode';
import { TimelineStrings } from '../core/timeline/strings';

export function localTimelineStrings(): TimelineStrings {
  return {
    honest: vscode.l10n.t('Arrows are the chunks each program’s recv() got, not packets on the wire.'),
    summarized: vscode.l10n.t('{0} earlier events summarized'),
    idle: vscode.l10n.t('… idle {0} …'),
    send: vscode.l10n.t('send {0}'),
    connect: vscode.l10n.t('connect'),
    connectIn: vscode.l10n.t('connect ({0})'),
    fin: 'FIN',
    rst: 'RST',
    closed: vscode.l10n.t('closed'),
    paused: vscode.l10n.t('stopped reading ({0} queued)'),
    resumed: vscode.l10n.t('reading again'),
    nagleOn: vscode.l10n.t('Nagle on (setNoDelay false)'),
    nagleOff: vscode.l10n.t('Nagle off (setNoDelay true)'),
    sendPieces: vscode.l10n.t('send in {0} pieces, {1} ms apart'),
    sendTogether: vscode.l10n.t('send {0} messages together'),
    notes: {
      merged: vscode.l10n.t('{0} sends → 1 recv: TCP keeps no message boundaries — see framing'),
      split: vscode.l10n.t('1 send → {0} recvs: a message can arrive in pieces — see framing'),
      eof: vscode.l10n.t('recv() returns 0 on the other side: {0} sent FIN (half-close; the other way stays open)'),
      reset: vscode.l10n.t('reset by {0}: usually a close with unread data, an abort (SO_LINGER 0) or a crashed peer'),
      addrInUse: vscode.l10n.t('{0}: the port is taken (another server, or TIME_WAIT after a restart — SO_REUSEADDR)'),
      refused: vscode.l10n.t('{0}: nobody listens on that port (the peer answered with RST)'),
      epipe: vscode.l10n.t('{0}: broken pipe — writing after the peer closed'),
      timeout: vscode.l10n.t('{0}: no answer in time'),
      flow: vscode.l10n.t('{0} stopped reading: the peer’s sends queue up ({1} B waiting) until its send() blocks — flow control'),
      nagle: vscode.l10n.t('Nagle on at {0}: small writes wait for the previous ACK and may be sent together'),
      error: '{0} {1}',
    },
  };
}
