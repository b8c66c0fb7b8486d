// Why a connection attempt failed, as a WorkbenchError whose code names the cause (connect.refused, …).
import { WorkbenchError, netCause } from './errors';

/** How long a connection attempt may take before it fails as `connect.timeout` (ms), everywhere. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** `connect.<cause>` (refused, timeout, unknownHost…); `errno` is Node's code. */
export class ConnectError extends WorkbenchError {
  constructor(
    message: string,
    readonly errno?: string,
    args: Readonly<Record<string, string | number>> = {},
  ) {
    super(`connect.${netCause(errno)}`, message, args);
  }
}

export function connectError(e: NodeJS.ErrnoException, host: string, where: string): ConnectError {
  switch (e.code) {
    case 'ECONNREFUSED':
      return new ConnectError(`Connection refused by ${where} (nothing is listening on that port).`, e.code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new ConnectError(`Unknown host "${host}": cannot connect to ${where}.`, e.code);
    case 'ETIMEDOUT':
      return new ConnectError(`Connecting to ${where} timed out.`, e.code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectError(`${where} is unreachable (no route to the host).`, e.code);
    default:
      return new ConnectError(`Cannot connect to ${where}: ${e.message}`, e.code);
  }
}
