// The relay's expected failures. Each has a dotted code the extension keys its localized sentence on.
import { WorkbenchError } from '../errors';
import { formatHostPort } from '../hostPort';

export type RelayErrorCode =
  'relay.targetRefused' | 'relay.targetUnreachable' | 'relay.targetTimeout' | 'relay.targetUnknownHost' | 'relay.targetFailed' | 'relay.targetTls' | 'relay.badOption';

export class RelayError extends WorkbenchError {
  constructor(
    override readonly code: RelayErrorCode,
    message: string,
    args: Readonly<Record<string, string | number>> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, args, options);
  }
}

/** Why the upstream connection could not be opened, as a sentence a person can act on. */
export function targetError(e: NodeJS.ErrnoException, host: string, port: number): RelayError {
  const target = formatHostPort(host, port);
  const args = { target, host, port };
  switch (e.code) {
    case 'ECONNREFUSED':
      return new RelayError('relay.targetRefused', `The target ${target} refused the connection (nothing listens there).`, args, { cause: e });
    case 'ETIMEDOUT':
      return new RelayError('relay.targetTimeout', `The target ${target} did not answer in time.`, args, { cause: e });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new RelayError('relay.targetUnreachable', `The target ${target} is unreachable (${e.code}).`, args, { cause: e });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new RelayError('relay.targetUnknownHost', `Unknown target host ${host}.`, args, { cause: e });
    default:
      return new RelayError('relay.targetFailed', `Cannot connect to the target ${target}: ${e.message}`, args, { cause: e });
  }
}

/** The target's TLS handshake failed (`tlsCode` names why, as in docs/tls.md; the TlsError is the cause). */
export function targetTlsError(e: WorkbenchError, host: string, port: number): RelayError {
  const target = formatHostPort(host, port);
  return new RelayError('relay.targetTls', `TLS to the target ${target} failed: ${e.message}`, { ...e.args, target, host, port, tlsCode: e.code }, { cause: e });
}
