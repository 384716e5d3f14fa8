import type { Kafka } from "kafkajs";
import { readBrokerFloorSettings, type FloorSettings } from "../../kafka/failoverFloor.ts";
import type { Logger } from "../../lib/logger.ts";

export interface FloorSettingsSource {
  /** The settings read last; undefined until a read worked (asking starts one in the background). */
  latest(): FloorSettings | undefined;
  /** Reads the brokers' settings now; a failure is logged and leaves the last ones. */
  refresh(): Promise<void>;
}

/**
 * The settings behind each fault's floor: the brokers' from their configuration, read when
 * control starts (they change only when a broker restarts with other properties, and then the lab
 * restarts control too), the consumers' as control is configured with them.
 */
export function createFloorSettingsSource(options: {
  readonly kafka: Kafka;
  readonly consumer: Pick<FloorSettings, "consumerSessionTimeoutMs" | "consumerTakeOver">;
  readonly logger: Logger;
}): FloorSettingsSource {
  let latest: FloorSettings | undefined;
  let reading: Promise<void> | undefined;

  async function read(): Promise<void> {
    const admin = options.kafka.admin();
    try {
      await admin.connect();
      latest = { ...(await readBrokerFloorSettings(admin)), ...options.consumer };
      options.logger.info(
        { floorSettings: latest },
        "read the settings behind the failover floors",
      );
    } catch (error) {
      options.logger.warn({ err: error }, "cannot read the brokers' settings for the floors");
    } finally {
      await admin.disconnect();
    }
  }

  function refresh(): Promise<void> {
    reading ??= read().finally(() => (reading = undefined));
    return reading;
  }

  return {
    latest() {
      if (latest === undefined) void refresh();
      return latest;
    },
    refresh,
  };
}
