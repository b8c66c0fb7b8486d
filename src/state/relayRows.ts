// A relay's connections as rows of the Servers view: what a row shows, and the node that commands
// receive from it (kept apart from the relay's run so the command map can name it).
import { RelayCloseReason, RelayConnection } from '../core/relay/relayTypes';
import { ServerEntry } from './serverEntry';

export interface RelayConnectionRow {
  readonly connection: RelayConnection;
  state: 'open' | RelayCloseReason;
  closedAt?: number;
}

/** A connection row in the Servers view (a class: commands tell it from an options object). */
export class RelayConnectionNode {
  readonly type = 'relayConnection';
  constructor(
    readonly entry: ServerEntry,
    readonly row: RelayConnectionRow,
  ) {}
}

export function isRelayConnectionNode(x: unknown): x is RelayConnectionNode {
  return x instanceof RelayConnectionNode;
}
