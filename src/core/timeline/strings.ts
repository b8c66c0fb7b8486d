// The sentences a drawn timeline uses, English by default; the editor passes localized ones (the same
// keys, translated through vscode.l10n), the CLI and reports use these.
import { NoteCode } from './explain';

export interface TimelineStrings {
  honest: string;
  summarized: string;
  idle: string;
  send: string;
  connect: string;
  connectIn: string;
  fin: string;
  rst: string;
  closed: string;
  paused: string;
  resumed: string;
  nagleOn: string;
  nagleOff: string;
  sendPieces: string;
  sendTogether: string;
  notes: Record<NoteCode, string>;
}

export const TIMELINE_STRINGS: TimelineStrings = {
  honest: 'Arrows are the chunks each program’s recv() got, not packets on the wire.',
  summarized: '{0} earlier events summarized',
  idle: '… idle {0} …',
  send: 'send {0}',
  connect: 'connect',
  connectIn: 'connect ({0})',
  fin: 'FIN',
  rst: 'RST',
  closed: 'closed',
  paused: 'stopped reading ({0} queued)',
  resumed: 'reading again',
  nagleOn: 'Nagle on (setNoDelay false)',
  nagleOff: 'Nagle off (setNoDelay true)',
  sendPieces: 'send in {0} pieces, {1} ms apart',
  sendTogether: 'send {0} messages together',
  notes: {
    merged: '{0} sends → 1 recv: TCP keeps no message boundaries — see framing',
    split: '1 send → {0} recvs: a message can arrive in pieces — see framing',
    eof: 'recv() returns 0 on the other side: {0} sent FIN (half-close; the other way stays open)',
    reset: 'reset by {0}: usually a close with unread data, an abort (SO_LINGER 0) or a crashed peer',
    addrInUse: '{0}: the port is taken (another server, or TIME_WAIT after a restart — SO_REUSEADDR)',
    refused: '{0}: nobody listens on that port (the peer answered with RST)',
    epipe: '{0}: broken pipe — writing after the peer closed',
    timeout: '{0}: no answer in time',
    flow: '{0} stopped reading: the peer’s sends queue up ({1} B waiting) until its send() blocks — flow control',
    nagle: 'Nagle on at {0}: small writes wait for the previous ACK and may be sent together',
    error: '{0} {1}',
  },
};

/** Fills {0}, {1}… with the arguments. */
export function fill(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}
