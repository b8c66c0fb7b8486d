// How a mock picks the rule for a client's unconsumed bytes. Of all text/hex/regex rules, the match that
// starts earliest wins (on a tie, the earlier rule), so two messages in one segment are answered in order
// and a message split across segments matches once it is whole. Bytes up to the match end are consumed.
// A complete line (up to \n) that no rule matched is dropped and answered by `otherwise` (a bare line end
// is dropped silently); so is a chunk without \n once the client has been quiet for OTHERWISE_QUIET_MS.
import { ListenBlock, Payload, Rule } from './ast';
import { ScriptRegex, compileRegex, escapeRegex, REGEX_WINDOW } from './regex';
import { ScriptEncoding, decode } from './results';
import { byteLength } from './expect';
import { render } from './variables';
import { encodeScriptText } from './textBytes';
import { buildFrame } from './frameCodec';

export const OTHERWISE_QUIET_MS = 100;
/** Unconsumed bytes a mock keeps per client; older ones are dropped (a client that never matches stays small). */
export const MOCK_BUFFER_LIMIT = 64 * 1024;

type Compiled = { rule: Rule; bytes?: Buffer; re?: ScriptRegex; values?: ReadonlyMap<string, string> };

export interface RuleHit {
  readonly rule: Rule;
  /** Byte offset where the match starts. */
  readonly start: number;
  /** Bytes from the start of the buffer through the match end. */
  readonly consume: number;
  /** {{0}} the whole match, {{1}}.. its groups (regex rules). */
  readonly values: ReadonlyMap<string, string>;
}

export class RuleSet {
  private readonly matchers: Compiled[] = [];
  readonly connect: Rule[];
  readonly idle: Rule[];
  readonly otherwise?: Rule;
  /** Rules whose actions are only text/hex sends and close: answered at once, without promises. */
  private readonly immediate = new Set<Rule>();
  /** Every text send without run-time references, encoded once instead of once per reply. */
  private readonly constant = new Map<Payload, Buffer>();

  constructor(
    block: ListenBlock,
    private readonly encoding: ScriptEncoding,
  ) {
    const values = new Map<string, string>();
    for (const rule of block.rules) {
      const t = rule.trigger;
      if (t.kind === 'text') {
        const bytes = encodeScriptText(render(t.text, values), encoding);
        this.matchers.push({ rule, bytes, values: new Map([['0', decode(bytes, encoding)]]) });
      } else if (t.kind === 'hex') {
        this.matchers.push({ rule, bytes: t.bytes, values: new Map([['0', decode(t.bytes, encoding)]]) });
      } else if (t.kind === 'regex') {
        const re = compileRegex(render(t.pattern.source, values, escapeRegex), t.pattern.flags);
        if (typeof re !== 'string') {
          this.matchers.push({ rule, re });
        }
      }
    }
    for (const rule of block.rules) {
      // Expressions and frames can fail while running: those rules take the queued path, which reports errors.
      const plain = (p: Payload): boolean => p.kind === 'hex' || (p.kind === 'text' && p.text.every((part) => typeof part === 'string' || !part.expr));
      if (rule.actions.every((a) => a.kind === 'close' || (a.kind === 'send' && plain(a.payload)))) {
        this.immediate.add(rule);
      }
      for (const a of rule.actions) {
        if (a.kind === 'send' && a.payload.kind === 'text' && a.payload.text.every((part) => typeof part === 'string')) {
          this.constant.set(a.payload, encodeScriptText(render(a.payload.text, values), encoding));
        }
      }
    }
    this.connect = block.rules.filter((r) => r.trigger.kind === 'connect');
    this.idle = block.rules.filter((r) => r.trigger.kind === 'idle');
    this.otherwise = block.rules.find((r) => r.trigger.kind === 'otherwise');
  }

  isImmediate(rule: Rule): boolean {
    return this.immediate.has(rule);
  }

  /** What a text, hex or frame send sends, with `values` for its references; `seq` is the client's hit count. */
  bytesOf(p: Exclude<Payload, { kind: 'file' }>, values: ReadonlyMap<string, string>, seq = 1): Buffer {
    if (p.kind === 'frame') {
      return buildFrame(p.frame, { values, seq, encoding: this.encoding });
    }
    return p.kind === 'hex' ? p.bytes : (this.constant.get(p) ?? encodeScriptText(render(p.text, values, undefined, { seq, encoding: this.encoding }), this.encoding));
  }

  /** The earliest match in `buf`, or undefined. */
  match(buf: Buffer): RuleHit | undefined {
    let best: { start: number; hit: RuleHit } | undefined;
    let text: string | undefined;
    for (const m of this.matchers) {
      if (m.bytes) {
        const at = m.bytes.length > 0 ? buf.indexOf(m.bytes) : -1;
        if (at >= 0 && (!best || at < best.start)) {
          best = { start: at, hit: { rule: m.rule, start: at, consume: at + m.bytes.length, values: m.values ?? new Map() } };
        }
      } else if (m.re) {
        text ??= decode(buf.length > REGEX_WINDOW ? buf.subarray(0, REGEX_WINDOW) : buf, this.encoding);
        const r = m.re.exec(text);
        if (r && r[0].length > 0) {
          const start = byteLength(text.slice(0, r.index), this.encoding);
          if (!best || start < best.start) {
            const values = new Map(r.map((g, i) => [String(i), g ?? '']));
            best = { start, hit: { rule: m.rule, start, consume: start + byteLength(r[0], this.encoding), values } };
          }
        }
      }
    }
    return best?.hit;
  }
}
