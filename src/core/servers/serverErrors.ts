// Why a server could not start or act: `server.portInUse` (EADDRINUSE) or `server.failed`, with
// Node's errno code kept in `errno`.
import { WorkbenchError } from '../errors';
import { formatHostPort } from '../hostPort';

/** `server.portInUse` for EADDRINUSE, else `server.failed`; `errno` is Node's code. */
export class ServerError extends WorkbenchError {
  constructor(
    message: string,
    readonly errno?: string,
    args: Readonly<Record<string, string | number>> = {},
  ) {
    super(errno === 'EADDRINUSE' ? 'server.portInUse' : 'server.failed', message, args);
  }
}

/** The error for a failed listen(), worded by its cause. */
export function listenError(e: NodeJS.ErrnoException, host: string, port: number): ServerError {
  const where = formatHostPort(host, port);
  switch (e.code) {
    case 'EADDRINUSE':
      return new ServerError(`Port ${port} is already in use (${where}).`, e.code, { port, where });
    case 'EACCES':
      return new ServerError(`No permission to listen on ${where} (ports below 1024 need privileges).`, e.code);
    case 'EADDRNOTAVAIL':
      return new ServerError(`${host} is not an address of this machine.`, e.code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ServerError(`Unknown host ${host}.`, e.code);
    default:
      return new ServerError(`Cannot listen on ${where}: ${e.message}`, e.code);
  }
}
