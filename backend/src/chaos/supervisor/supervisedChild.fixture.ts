// A component for the supervisor's tests: an HTTP server on $PORT whose /readyz answers 200 once
// $READY_DELAY_MS have passed, and /env answers its environment. On SIGTERM it exits 0 after
// $TERM_DELAY_MS, or not at all with $IGNORE_SIGTERM=1 (to be escalated to SIGKILL).
import { createServer } from "node:http";
import { environmentWith } from "../../lib/config.ts";

// The whole environment, as the supervisor gave it: /env answers it so tests can check it is spec.env.
const env = environmentWith({});
const port = Number(env["PORT"]);
const readyAt = Date.now() + Number(env["READY_DELAY_MS"] ?? 0);
const termDelayMs = Number(env["TERM_DELAY_MS"] ?? 50);

const server = createServer((request, response) => {
  if (request.url === "/readyz") {
    response.statusCode = Date.now() >= readyAt ? 200 : 503;
    response.end();
  } else if (request.url === "/env") {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(env));
  } else {
    response.statusCode = 404;
    response.end();
  }
});
server.listen(port, "127.0.0.1");

process.on("SIGTERM", () => {
  process.stdout.write("SIGTERM\n");
  if (env["IGNORE_SIGTERM"] === "1") return;
  setTimeout(() => process.exit(0), termDelayMs);
});
