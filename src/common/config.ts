// One typed view of the `tcpWorkbench.*` settings. The core gets plain values from here, never a
// WorkspaceConfiguration; the extension re-reads it when `affectsConfiguration('tcpWorkbench')` fires.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EncodingName, LineEnding, checkEncoding, checkLineEnding } from '../core/codec';
import { EchoMode } from '../core/servers/echoServer';
import { WorkbenchError } from '../core/errors';
import { checkHost, parsePort } from '../core/hostPort';
import { messageOf } from './messages';
import { DEFAULT_DENY, checkDenyList } from '../core/fileServer/denyList';

export const SECTION = 'tcpWorkbench';

export interface Config {
  host: string;
  echoPort: number;
  echoMode: EchoMode;
  replyText: string;
  filePort: number;
  /** As written in the setting; '' means the workspace folder. Resolve with resolveFileRoot(). */
  fileRoot: string;
  listing: boolean;
  /** Globs the file server never serves nor lists (replaces DEFAULT_DENY; [] = none). Restricted setting. */
  fileDeny: string[];
  maxConnections: number;
  /** Seconds a file server client has to send a whole name. */
  nameTimeout: number;
  encoding: EncodingName;
  lineEnding: LineEnding;
  /** Relative to the workspace folder; '' is the folder itself. */
  downloadFolder: string;
  /** Relays write their traffic to a temporary pcap while they run (what Export Capture copies). */
  relayCapture: boolean;
  /** Size cap of that capture, in MiB. */
  pcapMaxMiB: number;
  /** `.tcp` files a run from the editor runs at once (1 to 64). */
  scriptJobs: number;
  /** A vars file for runs from the editor, as written (relative to the workspace folder); '' = none. Resolve with resolveVarsFile(). */
  scriptVarsFile: string;
  /** Relays also write a temporary pcapng of the wire with the TLS keys inside (opt-in: it holds the keys). */
  relayWireCapture: boolean;
}

/** A setting that cannot be used: the message names the setting, nothing is started. */
export class ConfigError extends WorkbenchError {
  constructor(message: string) {
    super('config.invalid', message);
  }
}

function bad(key: string, detail: string): ConfigError {
  return new ConfigError(vscode.l10n.t('Setting "{0}": {1}', `${SECTION}.${key}`, detail));
}

/** Reads and validates every setting; throws ConfigError naming the first bad one. */
export function getConfig(): Config {
  // fileRoot and downloadFolder are resource settings: read them in the scope of the first workspace
  // folder (the one they are relative to), so a folder's own .vscode/settings.json counts.
  const c = vscode.workspace.getConfiguration(SECTION, vscode.workspace.workspaceFolders?.[0]?.uri ?? null);
  const get = <T>(key: string, def: T): T => c.get<T>(key, def);
  const port = (key: string, def: number): number => {
    try {
      return parsePort(get<number | string>(key, def), true);
    } catch (e) {
      throw bad(key, messageOf(e));
    }
  };
  let host: string;
  try {
    host = checkHost(get('host', '127.0.0.1'));
  } catch (e) {
    throw bad('host', messageOf(e));
  }
  const echoMode = get<string>('echoMode', 'echo');
  if (echoMode !== 'echo' && echoMode !== 'reply' && echoMode !== 'manual') {
    throw bad('echoMode', vscode.l10n.t('"{0}" is not a mode. Use echo, reply or manual.', echoMode));
  }
  let encoding: EncodingName;
  let lineEnding: LineEnding;
  try {
    encoding = checkEncoding(get('encoding', 'utf-8'));
  } catch (e) {
    throw bad('encoding', messageOf(e));
  }
  try {
    lineEnding = checkLineEnding(get('lineEnding', 'none'));
  } catch (e) {
    throw bad('lineEnding', messageOf(e));
  }
  const maxConnections = get<number>('maxConnections', 1000);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw bad('maxConnections', vscode.l10n.t('{0} is not a whole number of at least 1.', String(maxConnections)));
  }
  const nameTimeout = get<number>('nameTimeout', 10);
  if (typeof nameTimeout !== 'number' || !(nameTimeout > 0)) {
    throw bad('nameTimeout', vscode.l10n.t('{0} is not a number of seconds above 0.', String(nameTimeout)));
  }
  let fileDeny: string[];
  try {
    fileDeny = checkDenyList(get<unknown>('fileDeny', DEFAULT_DENY));
  } catch (e) {
    throw bad('fileDeny', messageOf(e));
  }
  const pcapMaxMiB = get<number>('pcapMaxMiB', 256);
  if (!Number.isInteger(pcapMaxMiB) || pcapMaxMiB < 1) {
    throw bad('pcapMaxMiB', vscode.l10n.t('{0} is not a whole number of at least 1.', String(pcapMaxMiB)));
  }
  const scriptJobs = get<number>('script.jobs', 1);
  if (!Number.isInteger(scriptJobs) || scriptJobs < 1 || scriptJobs > 64) {
    throw bad('script.jobs', vscode.l10n.t('{0} is not a whole number from 1 to 64.', String(scriptJobs)));
  }
  return {
    host,
    echoPort: port('echoPort', 9007),
    echoMode,
    replyText: get('replyText', 'ok'),
    filePort: port('filePort', 9021),
    fileRoot: get('fileRoot', '').trim(),
    listing: get('listing', true),
    fileDeny,
    maxConnections,
    nameTimeout,
    encoding,
    lineEnding,
    downloadFolder: get('downloadFolder', '').trim(),
    relayCapture: get('relayCapture', true),
    pcapMaxMiB,
    scriptJobs,
    scriptVarsFile: get('script.varsFile', '').trim(),
    relayWireCapture: get('relayWireCapture', false),
  };
}

/** The vars file of the `script.varsFile` setting (absolute, or relative to `workspaceFolder`); undefined for none. */
export function resolveVarsFile(setting: string, workspaceFolder: string | undefined): string | undefined {
  if (setting === '') {
    return undefined;
  }
  if (path.isAbsolute(setting)) {
    return setting;
  }
  if (workspaceFolder === undefined) {
    throw bad('script.varsFile', vscode.l10n.t('"{0}" is relative, but no workspace folder is open.', setting));
  }
  return path.join(workspaceFolder, setting);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || host.startsWith('127.');
}

/**
 * The folder a file server serves: the setting (absolute, or relative to `workspaceFolder`), else the
 * workspace folder itself; undefined when there is neither (the caller asks with a dialog).
 * Throws ConfigError when the folder is missing or a file.
 */
export function resolveFileRoot(setting: string, workspaceFolder: string | undefined): string | undefined {
  if (setting === '') {
    return workspaceFolder;
  }
  const root = path.isAbsolute(setting) ? setting : workspaceFolder ? path.join(workspaceFolder, setting) : undefined;
  if (root === undefined) {
    throw bad('fileRoot', vscode.l10n.t('"{0}" is relative, but no workspace folder is open.', setting));
  }
  checkFolder(root, 'fileRoot');
  return root;
}

/** Throws ConfigError unless `folder` is an existing directory. */
export function checkFolder(folder: string, key = 'fileRoot'): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(folder);
  } catch {
    throw bad(key, vscode.l10n.t('the folder {0} does not exist.', folder));
  }
  if (!st.isDirectory()) {
    throw bad(key, vscode.l10n.t('{0} is a file, not a folder.', folder));
  }
}
