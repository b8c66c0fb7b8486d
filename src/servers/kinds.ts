// The server kinds, by name: the manager and the view dispatch through this table.
import { mockKind } from './mockEntry';
import { relayKind } from '../relay/relayKind';
import { echoKind, fileKind } from './echoFileKinds';
import { ServerEntry, ServerKind } from '../state/serverEntry';
import { ServerKindDriver } from '../state/serverKind';

const KINDS: Record<ServerKind, ServerKindDriver> = { echo: echoKind, file: fileKind, relay: relayKind, mock: mockKind };

export function driverOf(entry: ServerEntry): ServerKindDriver {
  return KINDS[entry.kind];
}

export function isKnownKind(kind: unknown): kind is ServerKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(KINDS, kind);
}
