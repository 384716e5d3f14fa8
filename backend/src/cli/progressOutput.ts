import type { CliIo } from "./cliIo.ts";
import type { RunProgress } from "../contract/runs.ts";
import { progressBar, progressLine } from "./progressLine.ts";

export interface ProgressOutput {
  /** The run's progress: the bar redrawn on a terminal, a line per change otherwise. */
  show(progress: RunProgress, elapsedMs: number): void;
  /** A message on stderr, clearing the bar first so that the two do not share a line. */
  say(text: string): void;
  /** Ends the bar's line, before the summary. */
  finish(): void;
}

export function createProgressOutput(io: CliIo): ProgressOutput {
  let barShown = false;
  let lastNews = "";
  const clearBar = (): void => {
    if (barShown) io.stdout("\r\x1b[2K");
    barShown = false;
  };
  return {
    show(progress, elapsedMs) {
      if (io.tty) {
        io.stdout(`\r\x1b[2K${progressBar(progress, elapsedMs, io.columns)}`);
        barShown = true;
        return;
      }
      const line = progressLine(progress, elapsedMs);
      // The elapsed time alone changing is not news in a log.
      const news = line.replace(/^\[[^\]]*\] /, "");
      if (news !== lastNews) io.stdout(`${line}\n`);
      lastNews = news;
    },
    say(text) {
      clearBar();
      io.stderr(text);
    },
    finish() {
      if (barShown) io.stdout("\n");
      barShown = false;
    },
  };
}
