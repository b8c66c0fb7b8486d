// One open connection to send to, record or repeat on, from either side: a session (Connections view,
// `{ sessionId }`) or a client of an echo server (Servers view row, `{ entryId, clientId }`). Commands
// resolve their argument here, or ask with one pick over every open connection.
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { EncodingName, LineEnding } from '../core/codec';
import { Link, serverClientLink, sessionLink } from '../core/sessions/connectionLink';
import { EchoServer } from '../core/servers/echoServer';
import { isOptions, sessionOf } from '../state/commandArgs';
import { Services } from '../state/services';
import { UserError } from '../common/showError';
import { isClientNode } from '../state/serverEntry';
import { SendMode, bytesFor } from '../ui/sendMode';
import { Connection, connectionMarks } from '../state/connectionMarks';
import { sessionAddress } from '../state/sessionManager';
import { TrafficDocuments, TrafficView } from '../state/trafficDocuments';

export interface Target {
  /** The connection object: what its marks and its repeater belong to. */
  connection: Connection;
  label: string;
  link: Link;
  encoding: EncodingName;
  lineEnding: LineEnding;
  session?: ClientSession;
  client?: { server: EchoServer; id: number };
  /** The document that shows this connection's own traffic, and its title. */
  traffic: { title: string; view: TrafficView };
}

export function sessionTarget(svc: Services, s: ClientSession): Target {
  return {
    connection: s,
    label: sessionAddress(s),
    link: sessionLink(s),
    encoding: s.encoding,
    lineEnding: lineEndingOf(svc, s),
    session: s,
    traffic: { title: vscode.l10n.t('Traffic - {0}', sessionAddress(s)), view: { source: `session:${s.id}` } },
  };
}

function clientTarget(svc: Services, entryId: string, clientId: number): Target {
  const entry = svc.servers.get(entryId);
  if (!entry) {
    throw new UserError(vscode.l10n.t('There is no server "{0}".', entryId));
  }
  const server = entry.server;
  if (!(server instanceof EchoServer)) {
    throw new UserError(vscode.l10n.t('Only an echo server can send to its clients.'));
  }
  const c = server.clients.find((x) => x.id === clientId);
  if (!c) {
    throw new UserError(vscode.l10n.t('Client {0} of {1} is not connected.', clientId, entry.label));
  }
  return {
    connection: c,
    label: `${c.remote} (${entry.label})`,
    link: serverClientLink(server, clientId),
    encoding: server.encodingOf(clientId),
    lineEnding: lineEndingOf(svc, c),
    client: { server, id: clientId },
    traffic: { title: vscode.l10n.t('Traffic - {0}', c.remote), view: { source: `server:${entryId}`, peer: c.remote } },
  };
}

function lineEndingOf(svc: Services, c: Connection): LineEnding {
  return connectionMarks.get(c).lineEnding ?? svc.config().lineEnding;
}

/** The connection an argument names (a row, `{ sessionId }`, `{ entryId, clientId }`), else undefined. */
export function targetOf(svc: Services, arg: unknown): Target | undefined {
  if (isClientNode(arg)) {
    return clientTarget(svc, arg.entry.id, arg.client.id);
  }
  if (isOptions(arg) && typeof arg.entryId === 'string' && typeof arg.clientId === 'number') {
    return clientTarget(svc, arg.entryId, arg.clientId);
  }
  const s = sessionOf(svc, arg);
  return s ? sessionTarget(svc, s) : undefined;
}

/** Every open connection: sessions, then the clients of running echo servers. */
export function allTargets(svc: Services): Target[] {
  const out = svc.sessions
    .sessions()
    .filter((s) => s.state === 'connected')
    .map((s) => sessionTarget(svc, s));
  for (const e of svc.servers.running()) {
    if (e.server instanceof EchoServer) {
      out.push(...e.server.clients.map((c) => clientTarget(svc, e.id, c.id)));
    }
  }
  return out;
}

/** Asks which connection (none open: says so); the only one is taken without asking. */
export async function pickTarget(svc: Services, title: string, candidates = allTargets(svc)): Promise<Target | undefined> {
  if (candidates.length === 0) {
    throw new UserError(vscode.l10n.t('No connection is open: connect to a server, or let a client connect to an echo server.'));
  }
  if (candidates.length === 1) {
    return candidates[0];
  }
  const p = await vscode.window.showQuickPick(
    candidates.map((t) => ({
      label: `$(${t.session ? 'plug' : 'radio-tower'}) ${t.label}`,
      description: t.session ? vscode.l10n.t('Session {0}', t.session.id) : vscode.l10n.t('client'),
      t,
    })),
    { title },
  );
  return p?.t;
}

/** A row or options object, else the active session when there is one, else a pick. */
export async function resolveTarget(svc: Services, arg: unknown, title: string): Promise<Target | undefined> {
  const t = targetOf(svc, arg);
  if (t) {
    return t;
  }
  if (isOptions(arg)) {
    const current = svc.sessions.current;
    if (!current) {
      throw new UserError(vscode.l10n.t('Say where: {0} or {1}.', '{ sessionId }', '{ entryId, clientId }'));
    }
    return sessionTarget(svc, current);
  }
  return pickTarget(svc, title);
}

/** Parses `text` in `mode` for the target (nothing goes out on bad input), sends it; resolves to the byte count. */
export async function sendInput(t: Target, text: string, mode: SendMode): Promise<number> {
  const bytes = bytesFor(text, mode, t.encoding, t.lineEnding);
  await t.link.send(bytes);
  return bytes.length;
}

/**
 * After a send by the user: the connection's own traffic, where its reply shows, in sight. An editor that
 * shows it already is left alone; otherwise it opens beside the editor without taking the focus (a tab
 * behind the file the user sends from does not count: the reply must be readable without another click).
 * The traffic follower keeps its newest line in view.
 */
export async function revealTraffic(svc: Services, t: Target): Promise<void> {
  const uri = TrafficDocuments.uri(t.traffic.title, t.traffic.view).toString();
  if (!vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri)) {
    await svc.trafficDocs.show(t.traffic.title, t.traffic.view, true);
  }
}
