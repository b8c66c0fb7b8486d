// The bounds every tool keeps, stated once (docs/agents.md quotes them).

/** No tool result is longer than this (characters of JSON text; the rest is cut with a note). */
export const MAX_RESULT_CHARS = 64 * 1024;
/** What exchange keeps of the peer's answer while waiting; the rest is counted, not kept. */
export const MAX_RECEIVE_BYTES = 1024 * 1024;
/** What a result shows of received bytes: this many as text and as hex (both cut, with the total length). */
export const SHOWN_RECEIVE_BYTES = 4 * 1024;
/** Timeouts: a default and a ceiling no caller can pass. */
export const DEFAULT_TIMEOUT_MS = 5000;
export const MAX_TIMEOUT_MS = 60_000;
/** runScript: the whole run (all blocks) stops after this. */
export const MAX_RUN_MS = 120_000;
/** readTraffic: at most this many entries per call. */
export const MAX_TRAFFIC_ENTRIES = 200;
/** exchange without an until-condition: done when the peer has been quiet this long after its first byte. */
export const DEFAULT_QUIET_MS = 300;

/** Cuts `text` to MAX_RESULT_CHARS, saying so at the end. */
export function capResult(text: string): string {
  if (text.length <= MAX_RESULT_CHARS) {
    return text;
  }
  const note = `\n… cut: the result was ${text.length} characters, the limit is ${MAX_RESULT_CHARS}.`;
  return text.slice(0, MAX_RESULT_CHARS - note.length) + note;
}
