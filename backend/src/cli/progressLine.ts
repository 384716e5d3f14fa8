import type { RunProgress } from "../contract/runs.ts";

/** `0:42`: time since the run was started. */
function elapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** `steady`, `step 2/3`, `settling`, `done`. */
function stage(progress: RunProgress): string {
  return progress.phase === "steps" ? `step ${progress.step}/${progress.steps}` : progress.phase;
}

/** How far along the run is: the steady window is the first slice, settling the last. */
function fraction(progress: RunProgress): number {
  switch (progress.phase) {
    case "steady":
      return 0;
    case "steps":
      return progress.steps === 0 ? 1 : Math.max(0, progress.step - 1) / progress.steps;
    case "settling":
    case "done":
      return 1;
  }
}

/** A plain line for a log (CI, a pipe): printed once per change. */
export function progressLine(progress: RunProgress, elapsedMs: number): string {
  return `[${elapsed(elapsedMs)}] ${stage(progress)}: ${progress.message}`;
}

/** One terminal line, redrawn in place: `[#####-----] 0:42 step 2/3 kill …`, cut to fit. */
export function progressBar(progress: RunProgress, elapsedMs: number, columns: number): string {
  const width = 20;
  const filled = Math.round(fraction(progress) * width);
  const line = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${elapsed(elapsedMs)} ${stage(progress)}: ${progress.message}`;
  // One column short of the width: a full line makes some terminals wrap before the next \r.
  const room = Math.max(10, columns - 1);
  return line.length <= room ? line : `${line.slice(0, room - 1)}…`;
}
