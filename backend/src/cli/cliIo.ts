/** What a command may touch of its process, so that cli.ts is the one place that wires them. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout is a terminal: progress can redraw one line. */
  readonly tty: boolean;
  readonly columns: number;
  /**
   * Ctrl-C (and SIGTERM): the listener is called on each one. A command that registers none dies
   * at the first, as any command would.
   */
  readonly onInterrupt: (listener: (signal: NodeJS.Signals) => void) => void;
  readonly now: () => number;
}

/** 0: every SLO held; 1: the lab missed (an SLO, an abort, a regression); 2: the call itself failed. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
