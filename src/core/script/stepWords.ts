// The words of the language that start a step: what the parser offers when a step is unknown, and what a
// connection cannot be named (`alice send …` must never read as a step).
export const CLIENT_STEPS = [
  'connect',
  'send',
  'expect',
  'wait',
  'close',
  'shutdown',
  'starttls',
  'repeat',
  'retry',
  'any order',
  'include',
  'nodelay',
  'reset',
  'pause',
  'resume',
] as const;

/** Words a connection cannot be named: the first word of every step, and the words that start a mock's rule. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([...CLIENT_STEPS.map((s) => s.split(' ')[0]), 'listen', 'on', 'otherwise']);
