// Localized sentences for the errors of the features built on the first landing: scripts, the relay and
// its capture file, typed bytes (hex, escapes), Send File, Record, Repeat and the file server's deny list.
// messages.ts merges them into its table; a sentence falls back to the core's English (undefined) when
// the error lacks a value it needs.
import { l10n } from 'vscode';
import { ErrorCode, WorkbenchError } from '../core/errors';
import { MAX_REPEAT_COUNT, MAX_REPEAT_INTERVAL_MS, MIN_REPEAT_INTERVAL_MS } from '../core/sessions/repeater';

type Args = Readonly<Record<string, string | number>>;
export type Sentence = (a: Args, e: WorkbenchError) => string | undefined;
/** Sentences by error code: a misspelled code does not compile. */
export type Sentences = { readonly [K in ErrorCode]?: Sentence };

const has = (a: Args, ...keys: string[]): boolean => keys.every((k) => a[k] !== undefined);

/** The operating system's words for what went wrong (kept as they are: they name the errno). */
const causeOf = (e: WorkbenchError): string | undefined => (e.cause instanceof Error ? e.cause.message : undefined);

export const FEATURE_SENTENCES: Sentences = {
  // The vars file of the tcpWorkbench.script.varsFile setting (or `run --vars-file`).
  'script.varsFile': (a) =>
    has(a, 'file', 'line', 'text') ? l10n.t('{0}:{1}: expected name=value (name: letters, digits, _ . -), not "{2}".', a.file, a.line, a.text) : undefined,
  'script.varsFileRead': (a) => (a.error === 'no such file' && has(a, 'file') ? l10n.t('Cannot read the vars file {0}: no such file.', a.file) : undefined),
  'script.exists': (a) => (has(a, 'file') ? l10n.t('The script file {0} already exists (use --overwrite to replace it).', a.file) : undefined),
  'relay.targetRefused': (a) => (has(a, 'target') ? l10n.t('The target {0} refused the connection (nothing listens there).', a.target) : undefined),
  'relay.targetTimeout': (a) => (has(a, 'target') ? l10n.t('The target {0} did not answer in time.', a.target) : undefined),
  'relay.targetUnreachable': (a, e) => {
    const errno = (e.cause as NodeJS.ErrnoException | undefined)?.code;
    return has(a, 'target') && errno ? l10n.t('The target {0} is unreachable ({1}).', a.target, errno) : undefined;
  },
  'relay.targetUnknownHost': (a) => (has(a, 'host') ? l10n.t('Unknown target host {0}.', a.host) : undefined),
  'relay.targetFailed': (a, e) => {
    const cause = causeOf(e);
    return has(a, 'target') && cause ? l10n.t('Cannot connect to the target {0}: {1}', a.target, cause) : undefined;
  },
  'relay.badOption': (a) => (has(a, 'port') ? l10n.t('Bad target port {0} (1-65535).', a.port) : has(a, 'host') ? l10n.t('Bad target host: {0}', a.host) : undefined),
  'pcap.exists': (a) => (has(a, 'file') ? l10n.t('The capture file {0} already exists.', a.file) : undefined),
  'pcap.open': (a, e) => {
    const cause = causeOf(e);
    return has(a, 'file') && cause ? l10n.t('Cannot create the capture file {0}: {1}', a.file, cause) : undefined;
  },
  'pcap.write': (a, e) => {
    const cause = causeOf(e);
    return has(a, 'file') && cause ? l10n.t('Cannot write the capture {0}: {1}', a.file, cause) : undefined;
  },
  'sendFile.notFound': (a) => (has(a, 'file') ? l10n.t('File not found: {0} (nothing was sent).', a.file) : undefined),
  'sendFile.notAFile': (a) => (has(a, 'file') ? l10n.t('{0} is not a file (nothing was sent).', a.file) : undefined),
  'sendFile.unreadable': (a, e) => {
    const cause = causeOf(e);
    return has(a, 'file') && cause ? l10n.t('Cannot read {0}: {1}', a.file, cause) : undefined;
  },
  'sendFile.closed': (a) =>
    has(a, 'file', 'sent')
      ? l10n.t('The connection closed after {0} bytes of {1}.', a.sent, a.file)
      : has(a, 'file')
        ? l10n.t('The connection is closed: {0} was not sent.', a.file)
        : undefined,
  'sendFile.cancelled': (a) => (has(a, 'file', 'sent') ? l10n.t('Sending {0} was cancelled after {1} bytes.', a.file, a.sent) : undefined),
  'record.closed': () => l10n.t('The connection is not connected: nothing to record.'),
  'record.exists': (a) => (has(a, 'file') ? l10n.t('{0} already exists: not overwritten (choose another file or allow overwriting).', a.file) : undefined),
  'record.cannotOpen': (a, e) => {
    const cause = causeOf(e);
    return has(a, 'file') && cause ? l10n.t('Cannot record to {0}: {1}', a.file, cause) : undefined;
  },
  'record.writeFailed': (a, e) => {
    const cause = causeOf(e);
    return has(a, 'file') && cause ? l10n.t('Writing to {0} failed: {1}', a.file, cause) : undefined;
  },
  'repeat.badOptions': (a) =>
    has(a, 'everyMs')
      ? l10n.t('The repeat interval must be a whole number of milliseconds from {0} to {1}, not {2}.', MIN_REPEAT_INTERVAL_MS, MAX_REPEAT_INTERVAL_MS, a.everyMs)
      : has(a, 'count')
        ? l10n.t('The repeat count must be a whole number from 1 to {0}, not {1}.', MAX_REPEAT_COUNT, a.count)
        : undefined,
  'file.denied': (a) => (has(a, 'entry') ? l10n.t('denied by the deny list: {0}', a.entry) : undefined),
  'file.denyGlob': (a) => (has(a, 'glob', 'detail') ? l10n.t('Deny pattern {0}: {1}', JSON.stringify(a.glob), a.detail) : undefined),
  'server.noClient': (a) => (has(a, 'clientId') ? l10n.t('Client {0} is not connected: nothing was sent.', a.clientId) : undefined),
};
