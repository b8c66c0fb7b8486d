// The timelines of the `.tcp` blocks' last runs in the editor, so Show Timeline opens a block's conversation
// from the Testing view (the test item's context menu) or from `{ script, line }`: one per block, the
// newest run replacing the one before; bounded to MAX_SCRIPT_TIMELINES blocks, the oldest dropped first.
import * as vscode from 'vscode';
import type { Block, BlockTimeline } from '../core/script';
import { TimelineHandle } from './timelines';

const MAX_SCRIPT_TIMELINES = 64;

interface Entry {
  readonly handle: TimelineHandle;
  readonly uri: string;
  readonly firstLine: number;
  readonly lastLine: number;
}

/** A block named by its test item (id `index:title`) or by `{ script: uri, line }`; a file item names none. */
export interface ScriptBlockRef {
  readonly uri: string;
  readonly index?: number;
  readonly line?: number;
}

export function scriptBlockRef(arg: unknown): ScriptBlockRef | undefined {
  if (typeof arg !== 'object' || arg === null) {
    return undefined;
  }
  const a = arg as { uri?: unknown; id?: unknown; script?: unknown; line?: unknown };
  if (a.uri instanceof vscode.Uri && typeof a.id === 'string') {
    const m = /^(\d+):/.exec(a.id);
    return { uri: a.uri.toString(), index: m ? Number(m[1]) : undefined };
  }
  if (typeof a.script === 'string') {
    return { uri: vscode.Uri.parse(a.script).toString(), line: typeof a.line === 'number' ? a.line : undefined };
  }
  return undefined;
}

export class ScriptTimelines {
  private readonly byKey = new Map<string, Entry>();

  /** Keeps the timeline of a block's run (file `uri`, block `index` in its script). */
  set(uri: string, index: number, block: Block, recorded: BlockTimeline): TimelineHandle {
    const key = `${uri}#${index}`;
    const name = uri.split('/').pop() ?? uri;
    const highlight = recorded.failedSeq !== undefined ? new Set([recorded.failedSeq]) : undefined;
    const handle: TimelineHandle = { key: `script:${key}`, timeline: recorded.timeline, probes: new Map(), title: `${name} — ${block.title}`, highlight };
    this.byKey.delete(key);
    this.byKey.set(key, { handle, uri, firstLine: block.titleRange.line, lastLine: block.endLine });
    while (this.byKey.size > MAX_SCRIPT_TIMELINES) {
      this.byKey.delete(this.byKey.keys().next().value as string);
    }
    return handle;
  }

  /** The last run's timeline of the block a reference names (by index, or the block holding `line`). */
  find(ref: ScriptBlockRef): TimelineHandle | undefined {
    if (ref.index !== undefined) {
      return this.byKey.get(`${ref.uri}#${ref.index}`)?.handle;
    }
    const line = ref.line;
    return [...this.byKey.values()].find((e) => e.uri === ref.uri && line !== undefined && e.firstLine <= line && line <= e.lastLine)?.handle;
  }
}
