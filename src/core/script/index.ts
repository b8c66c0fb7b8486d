// The `.tcp` conversation-file language: parse a script, run its client blocks, write JUnit.
// The editor (diagnostics, CodeLens, TestController) and the CLI both build on these exports.
export * from './ast';
export { CODES, FORMS, ScriptParseError, assertRunnable, formatDiagnostic } from './diagnostics';
export { FAILURES, StepError } from './failures';
export type { FailureCode } from './failures';
export type { DiagnosticCode } from './diagnostics';
export { parseScript } from './parser';
export type { ParseOptions } from './parser';
export { ScriptRunner } from './runner';
export type { BlockDoneEvent, BlockEvent, RunOptions, StepEvent, TrafficEvent } from './runner';
export * from './results';
export { toJUnit, blockOutput } from './junit';
export { toTap } from './tap';
export { ENV_PREFIX, envVars, mergeVars, parseVarsFile, readVarsFile } from './varSources';
export type { FileRun } from './junit';
export { parseOverride } from './variables';
export { REGEX_WINDOW } from './regex';
export { RECEIVE_LIMIT } from './receiveBuffer';
export { MAX_REPEAT } from './steps';
export { writeConversation, writeScript, scriptString } from './writer';
export type { RecordedChunk, RecordedSession } from './writer';
export { MockServer, describeHit } from './mockServer';
export type { MockServerOptions, RuleHitEvent } from './mockServer';
export { startMocks, reparseWithMocks } from './mocks';
export type { StartedMocks } from './mocks';
