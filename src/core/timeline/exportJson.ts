// The timeline as plain JSON (for export, the CLI and tests): every kept event with its data preview in
// hex, the summary of what was folded away, and the notes.
import { explain, Note } from './explain';
import { Timeline } from './timeline';

export interface TimelineJson {
  lanes: string[];
  startedAt: string;
  encoding: string;
  summary: Timeline['summary'];
  events: Record<string, unknown>[];
  notes: Note[];
}

export function timelineJson(timeline: Timeline): TimelineJson {
  return {
    lanes: [...timeline.lanes],
    startedAt: new Date(timeline.startedAt).toISOString(),
    encoding: timeline.encoding,
    summary: { ...timeline.summary },
    events: timeline.events.map((e) => {
      const { ...plain } = e as unknown as Record<string, unknown>;
      if ('head' in e) {
        plain.head = e.head.toString('hex');
      }
      return plain;
    }),
    notes: explain(timeline),
  };
}
