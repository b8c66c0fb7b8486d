// One error vocabulary for the core, the CLI and the extension: every expected failure is a
// WorkbenchError with a machine-readable `code`. Layers above decide by `instanceof` and `code`
// (exit codes, "Show Log" or not, which localized sentence to show), never by class-name regexes.

/**
 * Every error code, in one place: a misspelled code does not compile where an error is thrown, nor in the
 * extension's message tables (keyed by this type). A room's own union (RelayErrorCode, FailureCode…) must
 * fit in it.
 */
export type ErrorCode =
  | 'usage'
  | 'user'
  | 'config.invalid'
  | `connect.${NetCause}`
  | `address.${AddressProblem}`
  | `encoding.${EncodingProblem}`
  | 'input.badHex'
  | 'input.badEscape'
  | 'download.notFound'
  | 'download.exists'
  | `download.${NetCause}`
  | 'server.portInUse'
  | 'server.failed'
  | 'server.noClient'
  | 'server.sendFailed'
  | 'file.denied'
  | 'file.denyGlob'
  | 'record.exists'
  | 'record.cannotOpen'
  | 'record.writeFailed'
  | 'record.closed'
  | 'repeat.badOptions'
  | 'sendFile.notFound'
  | 'sendFile.notAFile'
  | 'sendFile.unreadable'
  | 'sendFile.closed'
  | 'sendFile.cancelled'
  | 'relay.targetRefused'
  | 'relay.targetUnreachable'
  | 'relay.targetTimeout'
  | 'relay.targetUnknownHost'
  | 'relay.targetFailed'
  | 'relay.badOption'
  | 'relay.targetTls'
  | `tls.${TlsProblem}`
  | 'pcap.exists'
  | 'pcap.open'
  | 'pcap.write'
  | 'pcap.empty'
  | 'script.parse'
  | 'script.exists'
  | 'script.varsFile'
  | 'script.varsFileRead'
  | 'step.expect'
  | 'step.badRegex'
  | 'step.cannotRead'
  | 'step.fileTooBig'
  | 'step.sendFailed'
  | 'step.blockTimeout'
  | 'step.cancelled'
  | 'step.notHere'
  | 'step.noPort'
  | 'step.refused'
  | 'step.connectFailed'
  | 'step.connectTimeout'
  | 'step.noConnect'
  | 'step.failed'
  | 'step.anyOrder'
  | 'step.badValue'
  | 'step.tls'
  | 'agent.badRegex'
  | 'agent.cannotRead'
  | 'agent.missing'
  | 'agent.noBlock'
  | 'agent.noServer'
  | 'agent.notAFile'
  | 'agent.parse'
  | 'agent.sendTwice'
  | 'agent.timeout'
  | 'agent.tooBig'
  | 'agent.unused';

/** Why a TLS handshake or TLS setting failed (TlsError, code `tls.<problem>`; src/core/tls/tlsErrors.ts says when). */
export type TlsProblem =
  | 'expired'
  | 'notYetValid'
  | 'selfSigned'
  | 'unknownIssuer'
  | 'nameMismatch'
  | 'untrusted'
  | 'clientCertRequired'
  | 'alpnRefused'
  | 'notTls'
  | 'handshakeTimeout'
  | 'handshake'
  | 'badFile'
  | 'badOption'
  | 'generate';

/** What is wrong with a `host:port` (HostPortError, code `address.<problem>`). */
export type AddressProblem =
  'empty' | 'emptyHost' | 'noHost' | 'noPort' | 'notHostPort' | 'portNotNumber' | 'portRange' | 'badHost' | 'badIpv6' | 'bracketsNotIpv6' | 'ipv6NeedsBrackets';

/** What is wrong with an encoding or typed bytes (EncodingError, code `encoding.<problem>`). */
export type EncodingProblem = 'unknown' | 'badHex' | 'unknownLineEnding';

/** An expected failure: bad input, a refused connection, a missing file. Its message is for people. */
export class WorkbenchError extends Error {
  /**
   * @param code a stable dotted id such as `connect.refused` or `script.parse`; the extension's
   *   message table keys its localized sentences on it.
   * @param args the values the sentence needs (a port, a file name), for localized rewording.
   */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly args: Readonly<Record<string, string | number>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad arguments from a caller (the CLI's flags, a command's argument object). */
export class UsageError extends WorkbenchError {
  constructor(message: string, args: Readonly<Record<string, string | number>> = {}) {
    super('usage', message, args);
  }
}

/** What went wrong with a connection, from Node's errno code: the second half of codes like `connect.refused`. */
export type NetCause = 'refused' | 'timeout' | 'unknownHost' | 'unreachable' | 'reset' | 'cancelled' | 'failed';

export function netCause(errno: string | undefined): NetCause {
  switch (errno) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'unknownHost';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return 'reset';
    case 'ECANCELED':
    case 'ABORT_ERR':
      return 'cancelled';
    default:
      return 'failed';
  }
}
