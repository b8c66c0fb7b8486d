// parseScript(): the whole `.tcp` file in one pass, line by line, into blocks, variables, settings and
// diagnostics. It never throws on any input; every problem is a diagnostic with its exact columns.
import { Block, BlockRetry, ClientBlock, Diagnostic, GroupStep, ListenBlock, Rule, Script, ScriptSettings, Step, Token, Variable } from './ast';
import { CODES, DiagnosticSink, range } from './diagnostics';
import { RawToken, lexLine } from './lexer';
import { parseDuration } from './literals';
import { Ctx } from './payload';
import { parseRule } from './rules';
import { MAX_REPEAT, parseAddress, parseClientStep } from './steps';
import { classify, titleToken } from './tokens';
import { Scope } from './variables';
import { parseVariableLine } from './variableLine';
import { checkAnyOrderMember, connectName, connectionPrefix, namedConnect, onConnection, parseBlockRetry } from './groups';
import { IncludeOptions, readInclude, toIncludeDiagnostic } from './include';

export interface ParseOptions extends IncludeOptions {
  /** `--var name=value` overrides: they replace the file's value, and define names the file does not. */
  readonly vars?: Readonly<Record<string, string>>;
}

type Opening = (Step & { kind: 'repeat' }) | GroupStep;

interface Frame {
  indent: number;
  steps: Step[];
  /** Product of the repeat counts of this frame and its parents. */
  multiplier: number;
  /** The group whose body this is (an any order group takes expects only). */
  owner?: Opening['kind'];
}

interface Building {
  title: string;
  titleRange: Block['titleRange'];
  startLine: number;
  endLine: number;
  kind?: 'client' | 'listen';
  connect?: ClientBlock['connect'];
  listen?: { host: string; port: number; range: ListenBlock['listenRange'] };
  root: Step[];
  rules: Rule[];
  stack: Frame[];
  /** A repeat waiting for its indented body. */
  open?: { step: Opening; indent: number; multiplier: number };
  steps: number;
  /** Named connections connected so far (`connect alice …`); `named` once the first connect had a name. */
  names: Set<string>;
  named?: boolean;
  retry?: BlockRetry;
  /** The steps of a file without blocks (an include file): checked, never run. */
  implicit?: boolean;
}

const DEFAULT_SETTINGS: ScriptSettings = { encoding: 'utf-8', timeoutMs: 5000, blockTimeoutMs: 60000 };

export function parseScript(text: string, options: ParseOptions = {}): Script {
  return new ScriptParser(options).parse(text);
}

class ScriptParser {
  private readonly diags = new DiagnosticSink();
  private readonly vars = new Map<string, string>();
  private readonly scope = new Scope(this.vars, this.diags);
  private readonly variables: Variable[] = [];
  private readonly blocks: Block[] = [];
  private readonly tokens: Token[] = [];
  private settings: ScriptSettings = DEFAULT_SETTINGS;
  private block?: Building;
  /** Files being included (outermost first), for cycles; lines of an included file add no tokens. */
  private readonly including: string[] = [];
  private fragment = false;

  constructor(private readonly options: ParseOptions) {
    for (const [k, v] of Object.entries(options.vars ?? {})) {
      this.vars.set(k, v);
    }
  }

  parse(text: string): Script {
    const lines = text.split(/\r?\n|\r/);
    // A file without blocks holds shared steps for `include`: its steps are checked but are no test.
    this.fragment = !lines.some((l) => /^[ \t]*###/.test(l));
    if (this.fragment) {
      this.block = { ...this.newBlock('', range(0, 0, 0), 0), implicit: true, kind: 'client' };
    }
    for (let n = 0; n < lines.length; n++) {
      this.line(lines[n], n);
    }
    this.endBlock();
    for (const [name, value] of this.vars) {
      this.applySetting(name, value, undefined);
    }
    // In an include file, names and connections come from the file that includes it.
    const list = this.fragment ? this.diags.list.filter((d) => d.code !== CODES.undefinedVariable && d.code !== CODES.badConnection) : this.diags.list;
    const diagnostics: Diagnostic[] = [...list].sort((a, b) => a.range.line - b.range.line || a.range.start - b.range.start);
    return { blocks: this.blocks, variables: this.variables, settings: this.settings, diagnostics, tokens: this.tokens };
  }

  private line(text: string, n: number): void {
    const indent = /^[ \t]*/.exec(text)?.[0].length ?? 0;
    if (text.startsWith('###', indent)) {
      this.endBlock();
      this.startBlock(text, n, indent);
      return;
    }
    const all = lexLine(text, n, this.diags);
    const toks = all.filter((t) => t.kind !== 'comment');
    if (this.including.length === 0) {
      this.tokens.push(...classify(all));
    }
    if (toks.length === 0) {
      return;
    }
    const ctx: Ctx = { diags: this.diags, scope: this.scope, line: n, lineLength: text.length };
    if (toks[0].text.startsWith('@')) {
      this.variable(text, toks, ctx);
      return;
    }
    if (toks[0].text === 'include') {
      this.include(toks, ctx);
      return;
    }
    if (!this.block) {
      this.diags.error(CODES.outsideBlock, 'Steps go in a block: start one with a "### title" line above.', range(n, toks[0].start, toks[toks.length - 1].end), {});
      return;
    }
    this.block.endLine = n;
    this.step(toks, indent, ctx);
  }

  private variable(text: string, toks: RawToken[], ctx: Ctx): void {
    const v = parseVariableLine(text, toks, ctx);
    if (!v) {
      return;
    }
    const override = this.options.vars?.[v.name];
    const value = override ?? v.value;
    this.vars.set(v.name, value);
    this.variables.push({ name: v.name, value, range: v.range, overridden: override !== undefined });
    if (override === undefined) {
      this.applySetting(v.name, value, ctx);
    }
  }

  /** `@encoding`, `@timeout`, `@blockTimeout` are settings of the whole file as well as variables. */
  private applySetting(name: string, value: string, ctx: Ctx | undefined): void {
    const at = ctx ? range(ctx.line, 0, ctx.lineLength) : range(0, 0, 0);
    const sink = ctx ? this.diags : new DiagnosticSink();
    if (name === 'encoding') {
      const e = value
        .trim()
        .toLowerCase()
        .replace(/^utf8$/, 'utf-8');
      if (e === 'utf-8' || e === 'gbk' || e === 'gb18030' || e === 'latin1') {
        this.settings = { ...this.settings, encoding: e };
      } else {
        sink.error(CODES.badEncoding, `Unknown encoding "${value}". Use utf-8, gbk, gb18030 or latin1.`, at, { name: value, list: 'utf-8, gbk, gb18030, latin1' });
      }
    } else if (name === 'timeout' || name === 'blockTimeout') {
      const ms = parseDuration(value.trim(), at, sink);
      if (ms !== undefined) {
        this.settings = { ...this.settings, [name === 'timeout' ? 'timeoutMs' : 'blockTimeoutMs']: Math.max(1, ms) };
      }
    }
  }

  private startBlock(text: string, n: number, indent: number): void {
    const titleStart = /^[ \t]*#+[ \t]*/.exec(text)?.[0].length ?? indent + 3;
    const title = text.slice(titleStart).trim();
    const titleRange = range(n, indent, text.length);
    this.tokens.push(titleToken(n, text, indent));
    if (!title) {
      this.diags.error(CODES.emptyTitle, 'A block needs a title after ###: it names the test.', titleRange, {});
    }
    this.scope.dynamic.clear();
    this.block = this.newBlock(title || `line ${n + 1}`, titleRange, n);
  }

  private newBlock(title: string, titleRange: Block['titleRange'], n: number): Building {
    return { title, titleRange, startLine: n, endLine: n, root: [], rules: [], stack: [], steps: 0, names: new Set() };
  }

  /**
   * `include PATH`: the file's lines are read here, as if written in place (variables, settings, steps).
   * Their ranges point at the include line, and each of their problems is reported there.
   */
  private include(toks: RawToken[], ctx: Ctx): void {
    const inc = readInclude(toks, ctx, this.options, this.including);
    if (!inc) {
      return;
    }
    this.including.push(inc.path);
    try {
      inc.lines.forEach((text, i) => {
        const before = this.diags.list.length;
        this.line(text, ctx.line);
        const added = this.diags.list.splice(before);
        this.diags.list.push(...added.map((d) => toIncludeDiagnostic(d, inc, i, ctx)));
      });
    } finally {
      this.including.pop();
    }
  }

  private endBlock(): void {
    const b = this.block;
    if (!b) {
      return;
    }
    this.block = undefined;
    this.closeRepeat(b);
    const base = { title: b.title, titleRange: b.titleRange, startLine: b.startLine, endLine: b.endLine };
    if (b.kind === 'listen' && b.listen) {
      this.blocks.push({ ...base, kind: 'listen', host: b.listen.host, port: b.listen.port, listenRange: b.listen.range, rules: b.rules });
      this.defineListenVars(b.listen.host, b.listen.port);
      return;
    }
    if (b.implicit) {
      return;
    }
    if (b.steps === 0 && b.kind === undefined) {
      this.diags.warning(CODES.emptyBlock, 'This block has no steps.', b.titleRange, {});
    } else if (b.kind === undefined) {
      this.diags.error(CODES.noConnect, 'The block has no connect step: start it with connect HOST:PORT (or listen HOST:PORT for a mock).', b.titleRange, {});
    }
    if (b.kind !== 'listen') {
      this.blocks.push({ ...base, kind: 'client', connect: b.connect, connections: [...b.names], retry: b.retry, steps: b.root });
    }
  }

  /**
   * Client blocks reach a mock through {{listen.host}}/{{listen.port}} (the latest listen block) or
   * {{listen.N.port}} (the Nth). A runner that started the mocks re-parses with the real ports as vars.
   */
  private defineListenVars(host: string, port: number): void {
    const n = this.blocks.filter((x) => x.kind === 'listen').length;
    for (const [k, v] of [
      ['host', host],
      ['port', String(port)],
    ]) {
      for (const name of [`listen.${k}`, `listen.${n}.${k}`]) {
        this.vars.set(name, this.options.vars?.[name] ?? v);
      }
    }
  }

  /** An open repeat that got no indented line. */
  private closeRepeat(b: Building): void {
    if (b.open && b.open.step.steps.length === 0) {
      this.emptyBody(b.open.step);
    }
    b.open = undefined;
  }

  private emptyBody(step: Opening): void {
    if (step.kind === 'repeat') {
      this.diags.error(CODES.emptyRepeat, 'repeat needs indented steps below it.', step.keywordRange, {});
    } else {
      const word = step.kind === 'retry' ? 'retry' : 'any order';
      this.diags.error(CODES.emptyGroup, `${word} needs indented steps below it.`, step.keywordRange, { step: word });
    }
  }

  private step(all: RawToken[], indent: number, ctx: Ctx): void {
    const b = this.block as Building;
    if (b.steps === 0 && all[0].text === 'retry' && !b.implicit) {
      // Before the connect: the whole block is retried (reconnecting).
      b.retry = parseBlockRetry(all, ctx);
      return;
    }
    const first = b.steps++ === 0;
    const prefix = b.kind !== 'listen' ? connectionPrefix(all) : undefined;
    const toks = prefix ? all.slice(1) : all;
    if (first && !b.implicit && (toks[0].text === 'listen' || toks[0].text === 'connect')) {
      this.firstStep(b, toks, indent, ctx);
      return;
    }
    if (b.kind === 'listen') {
      if (indent !== b.stack[0].indent) {
        this.diags.error(CODES.badIndent, 'Rules of a listen block are not indented.', range(ctx.line, 0, indent), { form: 'rules' });
      }
      const rule = parseRule(toks, ctx, b.rules.length + 1);
      if (rule) {
        b.rules.push(rule);
      }
      return;
    }
    if (first) {
      b.stack = [{ indent, steps: b.root, multiplier: 1 }];
    }
    const named = toks[0].text === 'connect' && toks.length >= 3 && (b.named || b.implicit);
    if ((toks[0].text === 'connect' && !named) || toks[0].text === 'listen') {
      this.diags.error(CODES.misplacedConnect, `${toks[0].text} must be the first step of a block (one connection per block).`, range(ctx.line, toks[0].start, toks[0].end), {
        step: toks[0].text,
      });
      return;
    }
    const frame = this.frameFor(b, indent, ctx);
    const parsed = named ? namedConnect(b.names, toks, ctx) : parseClientStep(toks, ctx);
    const s = parsed && onConnection(b, parsed, prefix, ctx);
    if (!s) {
      if (['repeat', 'retry', 'any'].includes(toks[0].text)) {
        // A bad repeat still owns its indented lines, so they get no indentation errors of their own.
        const r = range(ctx.line, toks[0].start, toks[0].end);
        b.open = { step: { kind: 'repeat', count: 1, steps: [], range: r, keywordRange: r }, indent, multiplier: frame.multiplier };
      }
      return;
    }
    if (frame.owner === 'anyOrder' && !checkAnyOrderMember(s, ctx)) {
      return;
    }
    frame.steps.push(s);
    if (s.kind === 'anyOrder' || s.kind === 'retry') {
      b.open = { step: s, indent, multiplier: frame.multiplier };
    }
    if (s.kind === 'repeat') {
      const multiplier = frame.multiplier * s.count;
      if (multiplier > MAX_REPEAT) {
        this.diags.error(
          CODES.badRepeat,
          `Nested repeats run ${multiplier.toLocaleString('en-US')} times; at most ${MAX_REPEAT.toLocaleString('en-US')} in all.`,
          s.keywordRange,
          {
            form: 'nested',
            count: multiplier,
            max: MAX_REPEAT,
          },
        );
      }
      b.open = { step: s, indent, multiplier };
    }
  }

  private firstStep(b: Building, toks: RawToken[], indent: number, ctx: Ctx): void {
    b.stack = [{ indent, steps: b.root, multiplier: 1 }];
    const listen = toks[0].text === 'listen';
    b.kind = listen ? 'listen' : 'client';
    const { name, address } = listen ? { name: undefined, address: toks } : connectName(toks, ctx);
    const a = parseAddress(address, ctx, listen);
    if (a && listen) {
      b.listen = { ...a, range: range(ctx.line, toks[0].start, toks[toks.length - 1].end) };
    } else if (a) {
      b.connect = { ...a, ...(name === undefined ? {} : { name }), range: range(ctx.line, toks[0].start, toks[toks.length - 1].end) };
    }
    if (name !== undefined) {
      b.named = true;
      b.names.add(name);
    }
  }

  /** The list a step at `indent` goes into, with indentation diagnostics. */
  private frameFor(b: Building, indent: number, ctx: Ctx): Frame {
    const top = b.stack[b.stack.length - 1];
    if (b.open) {
      const open = b.open;
      b.open = undefined;
      if (indent > open.indent) {
        const frame: Frame = { indent, steps: open.step.steps as Step[], multiplier: open.multiplier, owner: open.step.kind };
        b.stack.push(frame);
        return frame;
      }
      this.emptyBody(open.step);
    }
    if (indent > top.indent) {
      this.diags.error(CODES.badIndent, 'Unexpected indentation: only the steps under a repeat, retry or any order are indented.', range(ctx.line, 0, indent), {
        form: 'unexpected',
      });
      return top;
    }
    while (b.stack.length > 1 && indent < b.stack[b.stack.length - 1].indent) {
      b.stack.pop();
    }
    const frame = b.stack[b.stack.length - 1];
    if (indent !== frame.indent) {
      this.diags.error(CODES.badIndent, 'This indentation matches no enclosing step: line it up with the steps above.', range(ctx.line, 0, indent), { form: 'unmatched' });
    }
    return frame;
  }
}
