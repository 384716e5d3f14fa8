import { setTimeout as sleep } from "node:timers/promises";
import type { SupervisedComponent } from "./supervisedComponent.ts";

/**
 * Resolves once every component of a start() wave is ready, announcing each as it becomes so;
 * rejects when the supervisor stops first, or after `timeoutMs` naming those still not ready,
 * how they fared and where their logs are.
 */
export async function waitReady(
  wave: readonly SupervisedComponent[],
  timeoutMs: number,
  options: {
    readonly readyPollMs: number;
    readonly progress: (line: string) => void;
    readonly stopping: () => boolean;
  },
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const announced = new Set<SupervisedComponent>();
  for (;;) {
    for (const component of wave) {
      if (component.ready && !announced.has(component)) {
        announced.add(component);
        options.progress(`${component.spec.name} ready`);
      }
    }
    if (wave.every((c) => c.ready)) return;
    const waiting = wave.filter((c) => !c.ready);
    if (options.stopping()) {
      throw new Error(
        `the supervisor stopped before ${waiting.map((c) => c.spec.name).join(", ")} became ready`,
      );
    }
    if (performance.now() >= deadline) {
      throw new Error(
        waiting
          .map((c) => {
            const exits = c.restarts > 0 ? `, restarted ${c.restarts} times` : "";
            const loop =
              c.backoffMs !== undefined
                ? `, crash-looping: ${c.crashes} exits in a row, restarts backed off to ${c.backoffMs} ms`
                : "";
            const last = c.lastExit !== undefined ? `, last exit: ${c.lastExit}` : "";
            return `${c.spec.name} not ready after ${timeoutMs} ms (${c.status}${exits}${loop}${last}); see ${c.spec.logFile}`;
          })
          .join("; "),
      );
    }
    await sleep(options.readyPollMs);
  }
}
