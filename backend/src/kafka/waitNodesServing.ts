import { describeError } from "../lib/processFailures.ts";
import { WaitAborted, waitFor } from "../lib/waitFor.ts";

export interface StartingNode {
  id: number;
  /** host:port where clients reach it (its advertised listener). */
  address: string;
  logFile: string;
}

export interface WaitNodesServingOptions {
  nodes: readonly StartingNode[];
  /** Broker ids the cluster has registered, asked of any broker that answers. */
  registered(): Promise<number[]>;
  /** Resolves when the broker at `address` itself answers a request. */
  answers(address: string): Promise<void>;
  /** False once a node's process has exited: waiting longer is pointless. */
  running(id: number): boolean;
  timeoutMs: number;
  onReady(node: StartingNode): void;
  /** Said once per node while it is registered but not yet answering. */
  onRegisteredNotServing?(node: StartingNode, reason: string): void;
}

/**
 * Waits until every node is registered with the controller **and** answers on its own address. A
 * KRaft broker is listed by the cluster as soon as it registers, which on a loaded machine can be
 * seconds before its listener accepts connections: the launcher once died right there
 * (ECONNREFUSED from the next step). Every probe may fail; it is retried with backoff until
 * `timeoutMs`, and then the error names each node that is not ready, why, and its log.
 */
export async function waitNodesServing(options: WaitNodesServingOptions): Promise<void> {
  const ready = new Set<number>();
  const why = new Map<number, string>();
  const warned = new Set<number>();
  const pending = () => options.nodes.filter((node) => !ready.has(node.id));
  try {
    await waitFor(
      async () => {
        const exited = pending().filter((node) => !options.running(node.id));
        if (exited.length > 0) {
          throw new WaitAborted(
            exited
              .map((node) => `kafka-${node.id} exited while starting; see ${node.logFile}`)
              .join("\n"),
          );
        }
        let registered: number[] = [];
        try {
          registered = await options.registered();
        } catch (error) {
          for (const node of pending())
            why.set(node.id, `no broker answers yet (${describeError(error)})`);
          return false;
        }
        await Promise.all(
          pending().map(async (node) => {
            if (!registered.includes(node.id)) {
              why.set(node.id, "not registered with the controller yet");
              return;
            }
            try {
              await options.answers(node.address);
              ready.add(node.id);
              options.onReady(node);
            } catch (error) {
              const reason = `registered but not answering on ${node.address} (${describeError(error)})`;
              why.set(node.id, reason);
              if (!warned.has(node.id)) {
                warned.add(node.id);
                options.onRegisteredNotServing?.(node, reason);
              }
            }
          }),
        );
        return pending().length === 0;
      },
      {
        what: `Kafka nodes ${options.nodes.map((n) => n.id).join(", ")} to serve`,
        timeoutMs: options.timeoutMs,
        intervalMs: 200,
        maxIntervalMs: 2000,
      },
    );
  } catch (error) {
    if (error instanceof WaitAborted) throw error;
    throw new Error(
      [
        `Kafka did not start within ${Math.round(options.timeoutMs / 1000)} s:`,
        ...pending().map(
          (node) =>
            `  kafka-${node.id}: ${why.get(node.id) ?? "no answer yet"}; see ${node.logFile}`,
        ),
      ].join("\n"),
      { cause: error },
    );
  }
}
