// Started by processFailures.test.ts: an entry point whose start fails in the way argv[2] says.
import { z } from "zod";
import { loadConfig } from "./config.ts";
import { handleProcessFailures, reportProcessFailuresTo } from "./processFailures.ts";

handleProcessFailures("fixture");
const mode = process.argv[2];
if (mode === "config") loadConfig(z.object({ PORT: z.coerce.number() }), { PORT: "x" });
if (mode === "handed-over") {
  reportProcessFailuresTo((reason, error) =>
    process.stdout.write(`reported ${reason}: ${String(error)}\n`),
  );
}
await Promise.reject(
  new Error("could not reach Kafka", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") }),
);
