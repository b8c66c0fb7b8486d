// The download client's expected failures. Codes: `download.notFound`, `download.exists`, and
// `download.<cause>` (refused, timeout, reset, cancelled, failed…) from Node's errno code.
import { WorkbenchError, netCause } from '../errors';

type Args = Readonly<Record<string, string | number>>;

/** Zero bytes came back: the tutorials' "file does not exist". No file is left behind. */
export class NotFoundError extends WorkbenchError {
  constructor(message: string, args: Args = {}) {
    super('download.notFound', message, args);
  }
}

/** The target exists and `existing` is 'fail'. */
export class TargetExistsError extends WorkbenchError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super('download.exists', message, { path });
  }
}

/** Failed mid-way (error, reset, timeout, cancel): says how many bytes had arrived; nothing is left behind. */
export class DownloadError extends WorkbenchError {
  constructor(
    message: string,
    readonly bytesReceived: number,
    readonly errno?: string,
    args: Args = {},
  ) {
    super(`download.${netCause(errno)}`, message, { ...args, bytes: bytesReceived });
  }
}
