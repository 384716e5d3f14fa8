// The gateway (DESIGN §1, local mode): a Service stand-in in front of the consumers; wiring only.
import { handleProcessFailures } from "../../lib/processFailures.ts";
import { listen } from "../../lib/httpApp.ts";
import { createLogger } from "../../lib/logger.ts";
import { runServiceLifecycle } from "../../lib/serviceLifecycle.ts";
import { createGateway } from "./gateway.ts";
import { loadGatewayConfig } from "./gatewayConfig.ts";
import { createGatewayMetrics } from "./gatewayMetrics.ts";

handleProcessFailures("gateway");

const config = loadGatewayConfig();
const logger = createLogger({ name: "gateway", level: config.LOG_LEVEL });
const metrics = createGatewayMetrics();
const gateway = createGateway({ config, metrics, logger });
const server = await listen(gateway.app, config.HTTP_HOST, config.HTTP_PORT);
runServiceLifecycle(logger, async () => {
  await server.close();
  await gateway.stop();
});
gateway.start();
logger.info(
  {
    url: server.url,
    consumers: config.CONSUMER_URLS,
    retryOnOtherBackend: config.RETRY_ON_OTHER_BACKEND,
  },
  "listening",
);
