// `expect nothing 200ms`: passes when no unconsumed byte is there and none arrives within the time; a
// byte already waiting, or arriving meanwhile, fails it at once (more waiting could not undo it).
import { ExpectStep } from './ast';
import { Connection } from './connection';
import { FAILURES } from './failures';
import { ScriptEncoding, StepResult, brief, show } from './results';

export async function runExpectNothing(
  step: ExpectStep & { match: 'nothing' },
  conn: Connection,
  encoding: ScriptEncoding,
  signal: AbortSignal,
): Promise<Pick<StepResult, 'ok' | 'received' | 'failure'>> {
  const deadline = Date.now() + step.ms;
  for (;;) {
    const got = conn.buffer.view();
    if (got.length > 0) {
      const actual = show(got, encoding);
      const text = brief(actual, false);
      return {
        ok: false,
        received: actual,
        failure: {
          message: `expected nothing within ${step.ms} ms got ${text}`,
          code: FAILURES.expect,
          args: { want: 'nothing', ms: step.ms, actual: text, actualLength: got.length, why: 'notSilent' },
          actual,
          offset: 0,
        },
      };
    }
    if (Date.now() >= deadline) {
      return { ok: true };
    }
    const w = await conn.changed(deadline, signal);
    if (w === 'aborted') {
      return { ok: false, failure: { message: 'cancelled', code: FAILURES.cancelled, args: {} } };
    }
    if (w === 'timeout') {
      return { ok: true };
    }
  }
}
