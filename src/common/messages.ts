// The one table that turns the core's error codes (and the servers' refusal codes) into
// localized sentences. The core speaks English for the CLI and logs; what a person sees in the editor
// is looked up here by `code` and `args`, and falls back to the core's message when the table has no
// sentence (or the error lacks the arguments the sentence needs).
import * as vscode from 'vscode';
import { ErrorCode, WorkbenchError } from '../core/errors';
import { Refusal, RefusalArgs, RefusalCode } from '../core/refusals';
import { Diagnostic, ScriptParseError } from '../core/script';
import { FEATURE_SENTENCES, Sentences } from './featureMessages';
import { DIAGNOSTIC_SENTENCES, FAILURE_SENTENCES } from './scriptMessages';
import { TLS_SENTENCES } from './tlsMessages';

type Args = Readonly<Record<string, string | number>>;

const has = (a: Args, ...keys: string[]): boolean => keys.every((k) => a[k] !== undefined);

const SENTENCES: Sentences = {
  'connect.refused': (a) => (has(a, 'where') ? vscode.l10n.t('Cannot connect to {0}: connection refused (is a server listening there?).', a.where) : undefined),
  'connect.timeout': (a) => (has(a, 'where') ? vscode.l10n.t('Cannot connect to {0}: timed out.', a.where) : undefined),
  'connect.unknownHost': (a) => (has(a, 'where', 'host') ? vscode.l10n.t('Cannot connect to {0}: unknown host {1}.', a.where, a.host) : undefined),
  'connect.unreachable': (a) => (has(a, 'where') ? vscode.l10n.t('Cannot connect to {0}: the host is unreachable.', a.where) : undefined),
  'download.refused': (a) =>
    has(a, 'name', 'where') ? vscode.l10n.t('Cannot download "{0}": {1} refused the connection (is a file server listening there?).', a.name, a.where) : undefined,
  'download.timeout': (a) => (has(a, 'name', 'where', 'bytes') ? vscode.l10n.t('Download of "{0}" from {1} timed out after {2} bytes.', a.name, a.where, a.bytes) : undefined),
  'download.unknownHost': (a) => (has(a, 'name', 'where') ? vscode.l10n.t('Cannot download "{0}": unknown host in {1}.', a.name, a.where) : undefined),
  'download.unreachable': (a) => (has(a, 'name', 'where') ? vscode.l10n.t('Cannot download "{0}": {1} is unreachable.', a.name, a.where) : undefined),
  'download.reset': (a) =>
    has(a, 'name', 'where', 'bytes') ? vscode.l10n.t('Download of "{0}" from {1} failed after {2} bytes: the connection was reset.', a.name, a.where, a.bytes) : undefined,
  'download.notFound': (a) => (has(a, 'name', 'where') ? vscode.l10n.t('"{0}" was not found on the server {1}.', a.name, a.where) : undefined),
  'download.exists': (a) => (has(a, 'path') ? vscode.l10n.t('{0} already exists; nothing was downloaded.', a.path) : undefined),
  'server.portInUse': (a) => (has(a, 'port') ? vscode.l10n.t('Port {0} is already in use', a.port) : undefined),
  'address.portNotNumber': (a) => (has(a, 'text', 'min') ? vscode.l10n.t('"{0}" is not a port number ({1}-65535).', a.text, a.min) : undefined),
  'address.portRange': (a) => (has(a, 'text', 'min') ? vscode.l10n.t('Port {0} is out of range ({1}-65535).', a.text, a.min) : undefined),
  'address.emptyHost': () => vscode.l10n.t('The host is empty.'),
  'address.badIpv6': (a) => (has(a, 'host') ? vscode.l10n.t('"{0}" is not a valid IPv6 address.', a.host) : undefined),
  'address.badHost': (a) => (has(a, 'host') ? vscode.l10n.t('"{0}" is not a valid host name.', a.host) : undefined),
  'address.empty': () => vscode.l10n.t('Enter host:port, for example 127.0.0.1:9007.'),
  'address.notHostPort': (a) => (has(a, 'text') ? vscode.l10n.t('"{0}" is not host:port (IPv6 addresses go in brackets: [::1]:9007).', a.text) : undefined),
  'address.noPort': (a) => (has(a, 'text', 'example') ? vscode.l10n.t('"{0}" has no port (for example {1}).', a.text, a.example) : undefined),
  'address.bracketsNotIpv6': (a) => (has(a, 'host') ? vscode.l10n.t('"{0}" in brackets is not an IPv6 address.', a.host) : undefined),
  'address.ipv6NeedsBrackets': (a) => (has(a, 'text') ? vscode.l10n.t('"{0}" looks like an IPv6 address: put it in brackets, for example [::1]:9007.', a.text) : undefined),
  'address.noHost': (a) => (has(a, 'text', 'example') ? vscode.l10n.t('"{0}" has no host (for example {1}).', a.text, a.example) : undefined),
  'encoding.unknown': (a) => (has(a, 'name', 'list') ? vscode.l10n.t('Unknown encoding "{0}". Use one of: {1}.', a.name, a.list) : undefined),
  'encoding.badHex': (a) => (has(a, 'text') ? vscode.l10n.t('"{0}" is not hex bytes (for example: 48 65 6c 6c 6f).', a.text) : undefined),
  'encoding.unknownLineEnding': (a) => (has(a, 'name') ? vscode.l10n.t('Unknown line ending "{0}". Use none, lf or crlf.', a.name) : undefined),
  'input.badHex': (a) =>
    has(a, 'position') ? vscode.l10n.t('Bad hex at position {0}: every byte is two hex digits (48 65 6c or 0x48,0x65). Nothing was sent.', Number(a.position) + 1) : undefined,
  'input.badEscape': (a) =>
    has(a, 'position') ? vscode.l10n.t('Bad escape at position {0} (use \\r \\n \\t \\\\ \\0 \\xHH \\u{HHHH}). Nothing was sent.', Number(a.position) + 1) : undefined,
  'script.parse': (a, e) =>
    e instanceof ScriptParseError && has(a, 'file', 'line', 'column') ? `${a.file}:${a.line}:${a.column}: ${diagnosticText(e.diagnostics[0])}` : undefined,
  ...FEATURE_SENTENCES,
  ...FAILURE_SENTENCES,
  ...TLS_SENTENCES,
};

/** The sentence for an error: localized by its code where the table knows it, else its own message. */
export function messageOf(e: unknown): string {
  if (e instanceof WorkbenchError) {
    return SENTENCES[e.code]?.(e.args, e) ?? e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** A `.tcp` diagnostic's sentence in the user's language (its English message when the table cannot word it). */
export function diagnosticText(d: Diagnostic): string {
  // A code carried in the diagnostic's values (the address problem of a `connect` line): looked up as given.
  const nested = (code: string, args: Args) =>
    Object.hasOwn(SENTENCES, code) ? SENTENCES[code as ErrorCode]?.(args, new WorkbenchError(code as ErrorCode, d.message, args)) : undefined;
  return DIAGNOSTIC_SENTENCES[d.code as keyof typeof DIAGNOSTIC_SENTENCES]?.(d.args, nested) ?? d.message;
}

/** Why a script step failed, in the user's language; the expected and actual bytes are not translated. */
export function failureText(f: { readonly message: string; readonly code: keyof typeof FAILURE_SENTENCES; readonly args: Args }): string {
  return FAILURE_SENTENCES[f.code]?.(f.args) ?? f.message;
}

/** One sentence per refusal code of the core (src/core/refusals.ts): a code without one, or a misspelled one, does not compile. */
const REFUSALS: Record<RefusalCode, (a: RefusalArgs) => string> = {
  'refusal.nameTooLong': (a) => vscode.l10n.t('name is longer than {0} bytes', a.max),
  'refusal.emptyName': () => vscode.l10n.t('empty name'),
  'refusal.badEncoding': (a) => vscode.l10n.t('name is not valid {0}', a.encoding),
  'refusal.nul': () => vscode.l10n.t('name contains a NUL character'),
  'refusal.control': () => vscode.l10n.t('name contains control characters'),
  'refusal.unc': () => vscode.l10n.t('UNC paths are not allowed'),
  'refusal.backslash': () => vscode.l10n.t('backslashes are not allowed (use / for subfolders)'),
  'refusal.driveLetter': () => vscode.l10n.t('drive letters are not allowed'),
  'refusal.absolute': () => vscode.l10n.t('absolute paths are not allowed'),
  'refusal.emptySegment': () => vscode.l10n.t('empty path segment (//)'),
  'refusal.dotDot': () => vscode.l10n.t('".." segments are not allowed'),
  'refusal.colon': () => vscode.l10n.t('":" is not allowed in names'),
  'refusal.listingOff': () => vscode.l10n.t('listing is switched off'),
  'refusal.noRoot': (a) => vscode.l10n.t('the root folder is not available ({0})', a.detail),
  'refusal.noSuchFile': () => vscode.l10n.t('no such file'),
  'refusal.noSuchFolder': () => vscode.l10n.t('no such folder'),
  'refusal.notAFolder': () => vscode.l10n.t('not a folder'),
  'refusal.nameTooLongForFs': () => vscode.l10n.t('name too long for the file system'),
  'refusal.outsideRoot': () => vscode.l10n.t('resolves outside the root (symlink)'),
  'refusal.notRegularFile': (a) => vscode.l10n.t('{0}, not a regular file', a.what),
  'refusal.becameSymlink': () => vscode.l10n.t('changed into a symlink while being opened'),
  'refusal.changed': () => vscode.l10n.t('changed while being opened'),
  'refusal.cannotResolve': (a) => vscode.l10n.t('cannot resolve: {0}', a.detail),
  'refusal.cannotStat': (a) => vscode.l10n.t('cannot stat: {0}', a.detail),
  'refusal.cannotOpen': (a) => vscode.l10n.t('cannot open: {0}', a.detail),
  'refusal.cannotReadFolder': (a) => vscode.l10n.t('cannot read the folder: {0}', a.detail),
  'refusal.denied': (a) => vscode.l10n.t('denied by {0}: {1}', 'tcpWorkbench.fileDeny', a.entry),
  'refusal.connectionLimit': (a) => vscode.l10n.t('connection limit reached ({0})', a.max),
  'refusal.stopping': () => vscode.l10n.t('server is stopping'),
};

/** A refusal from the core in the user's language, worded from its code. */
export function refusalText(r: Refusal): string {
  return REFUSALS[r.code](r.args);
}
