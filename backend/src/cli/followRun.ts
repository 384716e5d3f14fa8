import { ControlError, describeError, type ControlClient } from "../contract/controlClient.ts";
import { type RunState } from "../contract/runs.ts";
import type { ProgressOutput } from "./progressOutput.ts";

/** After an abort, how long control gets to end the run before the report is written as it is. */
const ABORT_WAIT_MS = 60_000;
/** Mid-run, how long control may not answer before the CLI gives up on it. */
const UNREACHABLE_MS = 30_000;

export interface FollowOptions {
  readonly pollMs: number;
  readonly now: () => number;
  /** When the run was asked for, for the elapsed time shown. */
  readonly startedAt: number;
  /** Fires to abort the run (the first Ctrl-C): control is told, the run followed to its end. */
  readonly abort: AbortSignal;
  /** Fires to stop following at once (the second Ctrl-C). */
  readonly giveUp: AbortSignal;
  readonly output: ProgressOutput;
}

export interface FollowResult {
  /** The last state control gave; undefined when it gave none. */
  readonly state: RunState | undefined;
  /** Why the CLI stopped hearing from control, when it did. */
  readonly lost: string | undefined;
}

/** Resolves after `ms`, or at once when `signal` fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Polls a run until it ends, showing its progress. On `abort` it asks control to abort the run and
 * sends the emergency stop too (it also thaws whatever the run froze), then waits for the end.
 */
export async function followRun(
  control: ControlClient,
  id: string,
  options: FollowOptions,
): Promise<FollowResult> {
  const { output, now, giveUp } = options;
  let state: RunState | undefined;
  let lastAnswer = now();
  let abortSentAt: number | undefined;
  let retrying = false;
  for (;;) {
    if (options.abort.aborted && abortSentAt === undefined) {
      abortSentAt = now();
      // One after the other: the run's abort reason is then the operator's, not the stop's.
      for (const send of [() => control.abortRun(id, giveUp), () => control.stop(giveUp)]) {
        try {
          await send();
        } catch (error) {
          if (giveUp.aborted) break;
          output.say(`abort: ${describeError(error)}\n`);
        }
      }
    }
    if (giveUp.aborted) return { state, lost: undefined };
    try {
      state = await control.run(id, giveUp);
      lastAnswer = now();
      retrying = false;
    } catch (error) {
      if (giveUp.aborted) return { state, lost: undefined };
      if (!(error instanceof ControlError)) throw error;
      const status = error.status;
      // A 4xx will not mend (control restarted and forgot the run); silence or a 5xx may.
      if ((status !== undefined && status < 500) || now() - lastAnswer > UNREACHABLE_MS) {
        return { state, lost: describeError(error) };
      }
      if (!retrying) {
        output.say(`${describeError(error)}; trying for ${UNREACHABLE_MS / 1000} s\n`);
      }
      retrying = true;
    }
    if (state !== undefined) {
      output.show(state.progress, now() - options.startedAt);
      if (state.status !== "running") return { state, lost: undefined };
    }
    if (abortSentAt !== undefined && now() - abortSentAt > ABORT_WAIT_MS) {
      output.say(`the run did not end within ${ABORT_WAIT_MS / 1000} s of the abort\n`);
      return { state, lost: undefined };
    }
    // Until the abort is sent, a Ctrl-C cuts the pause short so that control hears of it at once.
    await pause(
      options.pollMs,
      abortSentAt === undefined ? AbortSignal.any([options.abort, giveUp]) : giveUp,
    );
  }
}
