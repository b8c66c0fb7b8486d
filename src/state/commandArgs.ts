// What a command was called with. VS Code passes nothing (palette, keybinding, a walkthrough link) or its
// own objects (a tree item, an Explorer URI): the user is there, so the command may ask. Tests, links
// with arguments and other extensions pass a plain options object: the command must never open UI and
// fails with a clear message instead. Every command decides this with isInteractive().
import * as vscode from 'vscode';
import { ClientSession } from '../core/sessions/clientSession';
import { HostPort, parseHostPort } from '../core/hostPort';
import { ClientNode, ServerEntry, isClientNode } from './serverEntry';
import { Services } from './services';
import { UserError } from '../common/showError';

/** A plain `{ … }` options object from a caller, as opposed to nothing or one of VS Code's own objects. */
export function isOptions(arg: unknown): arg is Record<string, unknown> {
  return typeof arg === 'object' && arg !== null && Object.getPrototypeOf(arg) === Object.prototype && !isClientNode(arg);
}

/** True when the user invoked the command (no options object): it may ask with pickers and dialogs. */
export function isInteractive(arg: unknown): boolean {
  return !isOptions(arg);
}

/** A server tree item, a client row (its server), `{ entryId }`, or undefined. */
export function entryOf(svc: Services, arg: unknown): ServerEntry | undefined {
  if (arg instanceof ServerEntry) {
    return arg;
  }
  if (isClientNode(arg)) {
    return arg.entry;
  }
  if (isOptions(arg) && typeof arg.entryId === 'string') {
    return found(svc.servers.get(arg.entryId), () => vscode.l10n.t('There is no server "{0}".', String(arg.entryId)));
  }
  return undefined;
}

/** A Connections row, `{ sessionId }`, or undefined. */
export function sessionOf(svc: Services, arg: unknown): ClientSession | undefined {
  if (arg instanceof ClientSession) {
    return arg;
  }
  if (isOptions(arg) && typeof arg.sessionId === 'number') {
    return found(svc.sessions.get(arg.sessionId), () => vscode.l10n.t('Session {0} is not open.', String(arg.sessionId)));
  }
  return undefined;
}

/** A client row of the Servers view; the only way to name a client. */
export function clientNodeOf(arg: unknown): ClientNode {
  if (!isClientNode(arg)) {
    throw new UserError(vscode.l10n.t('Choose a client in the Servers view.'));
  }
  return arg;
}

/** `host:port` (or a bare port on the configured host) from an options object. */
export function addressOf(svc: Services, address: unknown): HostPort {
  if (typeof address !== 'string') {
    throw new UserError(vscode.l10n.t('"address" must be text like host:port, not {0}.', address === null ? 'null' : typeof address));
  }
  return parseHostPort(address, svc.safeHost());
}

function found<T>(x: T | undefined, missing: () => string): T {
  if (x === undefined) {
    throw new UserError(missing());
  }
  return x;
}
