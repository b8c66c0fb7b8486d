// One error vocabulary for the core, the CLI and the extension: every expected failure is a
// WorkbenchError with a machine-readable `code`. Layers above decide by `instanceof` and `code`
// (exit codes, "Show Log" or not, which localized sentence to show), never by class-name regexes.

/** An expected failure: bad input, a refused connection, a missing file. Its message is for people. */
export class WorkbenchError extends Error {
  /**
   * @param code a stable dotted id such as `connect.refused` or `script.parse`; the extension's
   *   message table keys its localized sentences on it.
   * @param args the values the sentence needs (a port, a file name), for localized rewording.
   */
  constructor(
    readonly code: string,
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
