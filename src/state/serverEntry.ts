// One server the user sees in the Servers view: what they configured (persisted per workspace) and,
// while it runs, the core server behind it; and a client row under it.
import * as vscode from 'vscode';
import { EchoMode, EchoServer } from '../core/servers/echoServer';
import { WorkbenchError } from '../core/errors';
import { DisposableStore } from '../core/events';
import { formatHostPort } from '../core/hostPort';
import { ClientInfo, ServerAddress, ServerState, TcpServer } from '../core/servers/serverBase';
import { Config } from '../common/config';

export type ServerKind = 'echo' | 'file' | 'relay' | 'mock';

/** What the user configured for one entry; unset fields come from the settings. */
export interface ServerSpec {
  id: string;
  kind: ServerKind;
  label?: string;
  port?: number;
  mode?: EchoMode;
  replyText?: string;
  root?: string;
  /** Relay: where each client is relayed to, `host:port`. */
  target?: string;
  /** Mock: the .tcp file and a line of its listen block (mocks are not persisted). */
  file?: string;
  line?: number;
  /** Listen with TLS: `{}` uses the generated local certificate; absent means plain TCP. */
  tls?: ServerTlsSpec;
  /** Relay to a `tls://` target: how its certificate is checked (never a passphrase: nothing secret is persisted). */
  targetTls?: { insecure?: boolean; caFile?: string; servername?: string };
}

/** A server's TLS setting: its own certificate and key (PEM files) or the generated one, and an optional client CA (mTLS). */
export interface ServerTlsSpec {
  certFile?: string;
  keyFile?: string;
  /** Require a client certificate signed by this CA (PEM file). */
  clientCaFile?: string;
}

/** Values for one start that win over the spec (a free port after "port in use", a chosen root). */
export interface StartOverrides {
  port?: number;
  host?: string;
  root?: string;
  mode?: EchoMode;
  replyText?: string;
  /** Where a TLS server's generated certificate is kept (the extension's global storage; set by the manager). */
  certFolder?: string;
}

/** A start found its port taken; the interactive start offers another one. */
export class PortInUseError extends WorkbenchError {
  constructor(
    readonly port: number,
    readonly entry: ServerEntry,
  ) {
    super('server.portInUse', `Port ${port} is already in use`, { port });
  }
}

export class ServerEntry {
  server?: TcpServer;
  /** Root of the last start (for the tooltip of a file server). */
  root?: string;
  /** What is wired to the running server (its event listeners), released at stop. */
  private readonly wiring = new DisposableStore();

  constructor(public spec: ServerSpec) {}

  get id(): string {
    return this.spec.id;
  }

  get kind(): ServerKind {
    return this.spec.kind;
  }

  get label(): string {
    return this.spec.label ?? kindLabel(this.kind);
  }

  get state(): ServerState {
    return this.server?.state ?? 'stopped';
  }

  get address(): ServerAddress | undefined {
    return this.server?.address;
  }

  get addressText(): string | undefined {
    const a = this.address;
    return a ? formatHostPort(a.host, a.port) : undefined;
  }

  /** The port a start would use (for the "stopped" tooltip and Copy Address). */
  configuredPort(cfg: Config): number {
    return this.spec.port ?? (this.kind === 'echo' ? cfg.echoPort : this.kind === 'file' ? cfg.filePort : 0);
  }

  get mode(): EchoMode | undefined {
    return this.server instanceof EchoServer ? this.server.mode : undefined;
  }

  attach(subs: vscode.Disposable[]): void {
    subs.forEach((d) => this.wiring.add(d));
  }

  detach(): void {
    this.wiring.clear();
  }
}

/** A client row under its server in the Servers view. */
export interface ClientNode {
  readonly type: 'client';
  readonly entry: ServerEntry;
  readonly client: ClientInfo;
}

export function isClientNode(x: unknown): x is ClientNode {
  return typeof x === 'object' && x !== null && (x as ClientNode).type === 'client';
}

const KIND_LABELS: Record<ServerKind, () => string> = {
  echo: () => vscode.l10n.t('Echo Server'),
  file: () => vscode.l10n.t('File Server'),
  relay: () => vscode.l10n.t('Relay'),
  mock: () => vscode.l10n.t('Mock Server'),
};

export function kindLabel(kind: ServerKind): string {
  return KIND_LABELS[kind]();
}
