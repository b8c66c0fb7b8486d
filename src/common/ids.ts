// Every id the extension gives VS Code besides its commands (those are in src/state/commands.ts): views,
// status bar items, context keys, storage keys, the test controller. One id per thing: a view, a status bar
// item and a storage key never share a string. No vscode import, so the unit tests check them against the manifest.

/** Views contributed in package.json (`contributes.views`). */
export const ViewIds = {
  servers: 'tcpWorkbench.servers',
  connections: 'tcpWorkbench.connections',
} as const;

/** Status bar items (VS Code remembers by this id whether the user hid one). */
export const StatusBarIds = {
  servers: 'tcpWorkbench.serversStatus',
  repeat: 'tcpWorkbench.repeatStatus',
} as const;

/** Context keys set with `setContext` and read by `when` clauses in package.json. */
export const ContextKeys = {
  serversRunning: 'tcpWorkbench.serversRunning',
  hasSessions: 'tcpWorkbench.hasSessions',
  repeating: 'tcpWorkbench.repeating',
} as const;

/** Keys of workspace / global state (persisted: renaming one loses what users saved under it). */
export const StorageKeys = {
  /** Workspace: the server entries of the Servers view. */
  servers: 'tcpWorkbench.serverEntries',
  /** Global: recent addresses of Connect and Download. */
  recent: 'tcpWorkbench.recent',
  /** Workspace: texts sent before. */
  sendHistory: 'tcpWorkbench.sendHistory',
  /** Workspace: the last send mode (text, hex, …). */
  sendMode: 'tcpWorkbench.sendMode',
} as const;

/** Where 0.2 kept the server entries (the view's id): read when the new key holds nothing yet. */
export const LEGACY_SERVERS_KEY = 'tcpWorkbench.servers';

/** The Testing view's controller of `.tcp` files. */
export const TEST_CONTROLLER_ID = 'tcpWorkbench.scripts';

export type ContextKeyName = (typeof ContextKeys)[keyof typeof ContextKeys];
