// The typed syntax tree of a `.tcp` conversation file. Every node carries its exact source range, so an
// editor can put CodeLens above a block, a squiggle under a token and a test failure at a step's line.
import type { Frame } from './frames';

/** Zero-based line; zero-based column in UTF-16 code units (what VS Code's Position uses). */
export interface Range {
  readonly line: number;
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

export type DiagnosticSeverity = 'error' | 'warning';

/** The values a message's sentence needs (the unknown word, the variable name), for rewording it in another language. */
export type MessageArgs = Readonly<Record<string, string | number>>;

export interface Diagnostic {
  /** A stable dotted id, e.g. `script.badEscape`. */
  readonly code: string;
  /** English, for the CLI and logs; the editor rewords it from `code` and `args`. */
  readonly message: string;
  /** `form` tells apart the sentences of one code; the other keys are the sentence's values. */
  readonly args: MessageArgs;
  readonly range: Range;
  readonly severity: DiagnosticSeverity;
}

/** An expression inside {{ }} that is evaluated while running (see expr.ts). */
export type Expr =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'lit'; readonly value: string }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'len'; readonly arg: Expr }
  | { readonly kind: 'frameLen' }
  | { readonly kind: 'gen'; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: 'bin'; readonly op: '+' | '-' | '*' | '/' | '%'; readonly left: Expr; readonly right: Expr };

/**
 * Literal text, or a reference resolved while running: a `-> name` capture, a rule's `{{1}}`, or an
 * expression (`{{n + 2}}`, `{{$seq}}`), whose text is then `ref`.
 */
export type TemplatePart = string | { readonly ref: string; readonly range: Range; readonly expr?: Expr };

/** A number written literally, or an expression evaluated while running (`expect bytes {{n}}`). */
export type NumberArg = number | { readonly ref: string; readonly range: Range; readonly expr: Expr };

/** A text whose file variables are already substituted; only run-time references remain. */
export type Template = readonly TemplatePart[];

/** What a `send` or an `on ...` action sends. */
export type Payload =
  | { readonly kind: 'text'; readonly text: Template; readonly range: Range }
  | { readonly kind: 'hex'; readonly bytes: Buffer; readonly range: Range }
  | { readonly kind: 'file'; readonly path: string; readonly range: Range }
  | { readonly kind: 'frame'; readonly frame: Frame; readonly range: Range };

export interface RegexPattern {
  /** The pattern after file variables were substituted (run-time refs are regex-escaped when run). */
  readonly source: Template;
  readonly flags: string;
  readonly range: Range;
}

interface StepBase {
  /** The whole step (from its keyword to its last argument). */
  readonly range: Range;
  /** The keyword token (`send`, `expect`...). */
  readonly keywordRange: Range;
  /** The named connection the step runs on (`alice send …`); undefined in a one-connection block. */
  readonly conn?: string;
}

export type ExpectStep = StepBase & { readonly kind: 'expect' } & (
    | { readonly match: 'text'; readonly text: Template }
    | { readonly match: 'hex'; readonly bytes: Buffer }
    | { readonly match: 'regex'; readonly pattern: RegexPattern; readonly captures: readonly Capture[] }
    | { readonly match: 'bytes'; readonly count: NumberArg; readonly captures: readonly Capture[] }
    | { readonly match: 'close' }
    | { readonly match: 'file'; readonly path: string }
    | { readonly match: 'nothing'; readonly ms: number }
    | { readonly match: 'frame'; readonly frame: Frame; readonly captures: readonly Capture[] }
    /** `expect tls protocol|cipher|alpn VALUE`: a fact of the handshake, exact (a word or "text") or /regex/. */
    | { readonly match: 'tls'; readonly fact: TlsFact; readonly value?: string; readonly pattern?: RegexPattern }
    /** `expect cert subject|issuer|san /re/` (or "text": contained) and `expect cert days >= N`: the peer's leaf. */
    | { readonly match: 'cert'; readonly field: CertField; readonly value?: string; readonly pattern?: RegexPattern; readonly op?: CompareOp; readonly days?: number }
  );

export type TlsFact = 'protocol' | 'cipher' | 'alpn';
export type CertField = 'subject' | 'issuer' | 'san' | 'days';
export type CompareOp = '>=' | '>' | '<=' | '<' | '==';

/** `-> name`: regex group i (1-based; for `expect bytes` the bytes as text) goes into {{name}}. */
export interface Capture {
  readonly name: string;
  readonly group: number;
  readonly range: Range;
}

/** `pieces N gap T`: N writes (1 to 1,000), T apart (at most 10 s). */
export interface Pieces {
  readonly count: NumberArg;
  readonly gapMs: number;
}

export type Step =
  | (StepBase & { readonly kind: 'connect'; readonly host: string; readonly port: number; readonly name?: string; readonly tls?: boolean })
  /** Upgrades the connection to TLS in place with the file's @tls settings (after the protocol's own STARTTLS). */
  | (StepBase & { readonly kind: 'starttls' })
  /** `send … pieces N [gap T]` splits the bytes into N writes; `send together A B …` writes them at once (provoke.ts). */
  | (StepBase & { readonly kind: 'send'; readonly payload: Payload; readonly pieces?: Pieces; readonly together?: readonly Payload[] })
  | ExpectStep
  | (StepBase & { readonly kind: 'wait'; readonly ms: number })
  | (StepBase & { readonly kind: 'close' })
  | (StepBase & { readonly kind: 'shutdown' })
  /** The provoke steps (docs/tcp-language.md "Provoke TCP's surprises"): Nagle on/off, abort with RST, stop/resume reading. */
  | (StepBase & { readonly kind: 'nodelay'; readonly on: boolean })
  | (StepBase & { readonly kind: 'reset' | 'pause' | 'resume' })
  | (StepBase & { readonly kind: 'repeat'; readonly count: NumberArg; readonly everyMs?: number; readonly steps: readonly Step[] })
  | GroupStep;

/** `any order` (its expects may match in any order) and `retry N every T` (runs its steps again until they pass). */
export type GroupStep =
  | (StepBase & { readonly kind: 'anyOrder'; readonly steps: readonly Step[] })
  | (StepBase & { readonly kind: 'retry'; readonly count: number; readonly everyMs: number; readonly steps: readonly Step[] });

/** `retry N every T` as the first line of a block: reconnect and run the whole block again until it passes. */
export interface BlockRetry {
  readonly count: number;
  readonly everyMs: number;
  readonly range: Range;
}

/** One action of a mock rule; a rule runs its actions in order. */
export type Action =
  | { readonly kind: 'send'; readonly payload: Payload; readonly range: Range }
  | { readonly kind: 'wait'; readonly ms: number; readonly range: Range }
  | { readonly kind: 'close'; readonly range: Range };

export type Trigger =
  | { readonly kind: 'connect' }
  | { readonly kind: 'text'; readonly text: Template }
  | { readonly kind: 'hex'; readonly bytes: Buffer }
  | { readonly kind: 'regex'; readonly pattern: RegexPattern }
  | { readonly kind: 'idle'; readonly ms: number }
  | { readonly kind: 'otherwise' };

export interface Rule {
  /** 1-based number within its block, for logs such as `rule 3 "PING" → 6 bytes`. */
  readonly index: number;
  readonly trigger: Trigger;
  readonly triggerRange: Range;
  readonly actions: readonly Action[];
  readonly range: Range;
}

interface BlockBase {
  readonly title: string;
  /** The `### title` line. */
  readonly titleRange: Range;
  /** First line (the title) to last non-blank line of the block, both inclusive. */
  readonly startLine: number;
  readonly endLine: number;
}

export interface ClientBlock extends BlockBase {
  readonly kind: 'client';
  /** Undefined when the block has no valid `connect` (a diagnostic says so). */
  readonly connect?: { readonly host: string; readonly port: number; readonly range: Range; readonly name?: string; readonly tls?: boolean };
  /** The names of a block's named connections (`connect alice …`), in order; empty in a one-connection block. */
  readonly connections: readonly string[];
  readonly retry?: BlockRetry;
  /** Steps after `connect`, in order. */
  readonly steps: readonly Step[];
}

export interface ListenBlock extends BlockBase {
  readonly kind: 'listen';
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
  readonly listenRange: Range;
  /** `listen tls://…`: the mock speaks TLS (@tls.cert/@tls.key, else the generated certificate). */
  readonly tls?: boolean;
  readonly rules: readonly Rule[];
}

export type Block = ClientBlock | ListenBlock;

export interface Variable {
  readonly name: string;
  readonly value: string;
  readonly range: Range;
  /** True when a `--var` override replaced the file's value. */
  readonly overridden: boolean;
}

export interface ScriptSettings {
  readonly encoding: 'utf-8' | 'gbk' | 'gb18030' | 'latin1';
  /** Per-step timeout (`@timeout`, default 5 s). */
  readonly timeoutMs: number;
  /** Whole-block timeout (`@blockTimeout`, default 60 s). */
  readonly blockTimeoutMs: number;
  /** The `@tls.*` settings (file paths as written: relative to the file). */
  readonly tls: ScriptTls;
}

/** `@tls.ca`, `@tls.insecure`, `@tls.cert`, `@tls.key`, `@tls.servername`, `@tls.alpn`. */
export interface ScriptTls {
  readonly ca?: string;
  readonly insecure?: boolean;
  readonly cert?: string;
  readonly key?: string;
  readonly servername?: string;
  readonly alpn?: readonly string[];
}

export interface Script {
  readonly blocks: readonly Block[];
  readonly variables: readonly Variable[];
  readonly settings: ScriptSettings;
  readonly diagnostics: readonly Diagnostic[];
}
