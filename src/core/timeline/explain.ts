// The classic surprises of socket programming, found where they happen in a timeline: several sends
// arriving as one recv (粘包), one send arriving in pieces (半包), recv returning 0 (FIN), a reset, a busy
// port, a refused connect, a broken pipe, a reader that stopped (flow control). Only what was observed:
// a merged or split read is reported only where the writer's side was observed too.
import { ChunkEvent, MarkEvent, Timeline, TimelineEvent, isChunk, isRstEcho } from './timeline';

export type NoteCode = 'merged' | 'split' | 'eof' | 'reset' | 'addrInUse' | 'refused' | 'epipe' | 'timeout' | 'flow' | 'nagle' | 'error';

export interface Note {
  code: NoteCode;
  /** The event the note belongs to. */
  seq: number;
  /** Filled into the note's sentence: {0}, {1}… */
  args: (string | number)[];
}

/** The anchor of each note's longer explanation in docs/timeline.md. */
export const NOTE_ANCHORS: Record<NoteCode, string> = {
  merged: 'framing',
  split: 'framing',
  eof: 'fin',
  reset: 'reset',
  addrInUse: 'address-in-use',
  refused: 'refused',
  epipe: 'broken-pipe',
  timeout: 'timeout',
  flow: 'flow-control',
  nagle: 'nagle',
  error: 'errors',
};

const ERRNO_NOTES: Record<string, NoteCode> = {
  EADDRINUSE: 'addrInUse',
  ECONNREFUSED: 'refused',
  EPIPE: 'epipe',
  ECONNRESET: 'reset',
  ETIMEDOUT: 'timeout',
};

/** The notes of a timeline (or of some of its events), in event order. */
export function explain(timeline: Timeline, events: readonly TimelineEvent[] = timeline.events): Note[] {
  const notes: Note[] = [];
  for (const e of events) {
    if (isChunk(e)) {
      const n = chunkNote(timeline, e);
      if (n) {
        notes.push(n);
      }
    } else {
      const n = markNote(timeline, e);
      if (n) {
        notes.push(n);
      }
    }
  }
  return notes;
}

function chunkNote(timeline: Timeline, e: ChunkEvent): Note | undefined {
  if (e.kind === 'read') {
    const writes = timeline.writesOf(e);
    return writes.length >= 2 ? { code: 'merged', seq: e.seq, args: [writes.length] } : undefined;
  }
  const reads = timeline.readsOf(e);
  // A write still arriving (its bytes not all read yet) is reported once its reads are in.
  const complete = timeline.bytesRead(e.from, e.to) >= e.offset + e.size;
  return reads.length >= 2 && complete ? { code: 'split', seq: e.seq, args: [reads.length] } : undefined;
}

function markNote(timeline: Timeline, e: MarkEvent): Note | undefined {
  const lane = timeline.lanes[e.lane] ?? String(e.lane);
  switch (e.kind) {
    case 'fin':
      return { code: 'eof', seq: e.seq, args: [lane] };
    case 'rst':
      return isRstEcho(timeline, e) ? undefined : { code: 'reset', seq: e.seq, args: [lane] };
    case 'pause':
      return { code: 'flow', seq: e.seq, args: [lane, e.queued ?? 0] };
    case 'noDelay':
      return e.on === false ? { code: 'nagle', seq: e.seq, args: [lane] } : undefined;
    case 'error': {
      const code = ERRNO_NOTES[e.code ?? ''] ?? 'error';
      return { code, seq: e.seq, args: [e.code ?? '', e.message ?? ''] };
    }
    default:
      return undefined;
  }
}
