/** `blackout --help`; each command's own help follows. */
export const USAGE = `usage: blackout <command> [options]

commands:
  up [lab flags]            run the local lab (as npm start; Ctrl-C stops it)
  run <scenario.yaml>       run a scenario through control, write its reports, exit by its SLOs
  faults                    the fault timeline with each fault's recovery times
  kill <target>             kill a target now (or --dry-run: say what would happen)
  status                    the targets and the latest run

options for the commands that talk to control:
  --control URL             control's URL (BLACKOUT_CONTROL_URL, default http://127.0.0.1:8081)
  --token T                 the operator token (CONTROL_TOKEN)

exit codes: 0 every SLO held; 1 an SLO missed, or the run was aborted, ended in error or
regressed against the baseline; 2 a usage error, an unreadable file, a rejected scenario, control
unreachable or busy.

blackout <command> --help for a command's options.
`;

export const COMMAND_USAGE = {
  up: `usage: blackout up [lab flags]

Runs the local lab in the foreground: Kafka, producers, consumers, gateway, clients and control.
The flags are npm start's: --fresh, --kafka-only, and every setting in lowercase, e.g.
  blackout up --clients 50 --consumers 3 --control-token <token>
Ctrl-C stops the lab.
`,
  run: `usage: blackout run <scenario.yaml> [options]

Sends the scenario to control, follows the run, writes its reports and exits by its SLOs.

options:
  --report DIR              where the reports go (default ./blackout-report/<scenario>-<time>)
  --baseline FILE           an earlier run's report.json: fail when client recovery got worse
                            by more than --margin %, or when records went missing that did not
  --margin PCT              default 20
  --control URL, --token T  see blackout --help

Writes report.json, report.md, junit.xml and charts (SVG). Ctrl-C aborts the run and still writes
the reports (exit 1); a second Ctrl-C stops waiting for control.
`,
  faults: `usage: blackout faults [--control URL]

The fault timeline: each fault's target, who caused it, and its pod, client and lag recovery.
`,
  kill: `usage: blackout kill <target> [--mode hard|graceful] [--dry-run] [--force]

target: a name (consumer-1, kafka-2), random:<broker|producer|consumer>, and for brokers
leader-of:<partition>, most-leaders or controller.
  --mode       graceful (SIGTERM, the default) or hard (SIGKILL)
  --dry-run    say which target would be hit and which partition leaders would move
  --force      kill even below MIN_ALIVE ready replicas
  --control URL, --token T
`,
  status: `usage: blackout status [--control URL]

The targets (status, readiness, restarts, partitions led, controller, why a kill would be refused)
and the latest run.
`,
} as const;
