// The typed syntax tree of a `.tcp` conversation file. Every node carries its exact source range, so an
// editor can put CodeLens above a block, a squiggle under a token and a test failure at a step's line.

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

export type TokenKind = 'keyword' | 'string' | 'regex' | 'hex' | 'number' | 'duration' | 'variable' | 'comment' | 'title' | 'word' | 'operator';

/** One lexical token, for semantic highlighting and precise diagnostics. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly range: Range;
}

/** Literal text, or a reference resolved while running: a `-> name` capture or a rule's `{{1}}`. */
export type TemplatePart = string | { readonly ref: string; readonly range: Range };

/** A text whose file variables are already substituted; only run-time references remain. */
export type Template = readonly TemplatePart[];

/** What a `send` or an `on ...` action sends. */
export type Payload =
  | { readonly kind: 'text'; readonly text: Template; readonly range: Range }
  | { readonly kind: 'hex'; readonly bytes: Buffer; readonly range: Range }
  | { readonly kind: 'file'; readonly path: string; readonly range: Range };

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
    | { readonly match: 'bytes'; readonly count: number; readonly captures: readonly Capture[] }
    | { readonly match: 'close' }
  );

/** `-> name`: regex group i (1-based; for `expect bytes` the bytes as text) goes into {{name}}. */
export interface Capture {
  readonly name: string;
  readonly group: number;
  readonly range: Range;
}

export type Step =
  | (StepBase & { readonly kind: 'connect'; readonly host: string; readonly port: number; readonly name?: string })
  | (StepBase & { readonly kind: 'send'; readonly payload: Payload })
  | ExpectStep
  | (StepBase & { readonly kind: 'wait'; readonly ms: number })
  | (StepBase & { readonly kind: 'close' })
  | (StepBase & { readonly kind: 'shutdown' })
  | (StepBase & { readonly kind: 'repeat'; readonly count: number; readonly everyMs?: number; readonly steps: readonly Step[] })
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
  readonly connect?: { readonly host: string; readonly port: number; readonly range: Range; readonly name?: string };
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
}

export interface Script {
  readonly blocks: readonly Block[];
  readonly variables: readonly Variable[];
  readonly settings: ScriptSettings;
  readonly diagnostics: readonly Diagnostic[];
  /** Every token of every line, in order (comments included). */
  readonly tokens: readonly Token[];
}
