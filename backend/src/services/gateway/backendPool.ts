/** What one readiness probe found: `detail` is the HTTP status, or the error code/"timeout". */
export interface ProbeResult {
  readonly ready: boolean;
  readonly detail: string;
}

/** Asks one backend whether it is ready; must resolve, never reject (a failure is not ready). */
export type ReadinessProbe = (baseUrl: string) => Promise<ProbeResult>;

export interface BackendTransition {
  readonly url: string;
  readonly to: "up" | "down";
  /** Why: `probe 200`, `probe 503`, `probe ECONNREFUSED`, `proxy ECONNRESET`, … */
  readonly reason: string;
}

/** One backend as `/gateway/backends` shows it. */
export interface BackendSnapshot {
  readonly url: string;
  readonly ready: boolean;
  /** Why it is (or is not) in rotation: the last probe's or proxied request's verdict. */
  readonly reason: string;
  readonly lastProbe: {
    readonly at: string;
    readonly ready: boolean;
    readonly detail: string;
  } | null;
  /** Proxied requests sent to it (retries included). */
  readonly requests: number;
}

export interface BackendPoolOptions {
  urls: readonly string[];
  probe: ReadinessProbe;
  pollMs: number;
  onTransition: (transition: BackendTransition) => void;
  /** Wall clock for `lastProbe.at`; injectable for tests. */
  now?: () => number;
}

export interface BackendPool {
  /** Probes every backend now and then every `pollMs`, each on its own timer. */
  start(): void;
  /** Stops probing and waits for probes in flight. */
  stop(): Promise<void>;
  /** One probe of every backend, applied as the timers apply it (for tests and the first round). */
  probeAll(): Promise<void>;
  /** The next ready backend in round-robin order, counted as one request; undefined when none is. */
  next(): string | undefined;
  /** Takes a backend out of rotation at once (a proxied request was refused or reset). */
  markDown(url: string, reason: string): void;
  readyCount(): number;
  snapshot(): BackendSnapshot[];
}

interface Backend {
  readonly url: string;
  ready: boolean;
  reason: string;
  lastProbe: BackendSnapshot["lastProbe"];
  requests: number;
  /** Bumped by markDown, so that a probe that started before the failure cannot undo it. */
  downs: number;
  timer: NodeJS.Timeout | undefined;
  inFlight: Promise<void> | undefined;
}

/**
 * The set of consumers a Service would route to: a backend is in rotation only while its last
 * probe said ready, like an EndpointSlice. Unlike endpoints, a refused or reset connection drops
 * it at once rather than at the next probe: the gateway sees the failure before any controller
 * could, and sending the next request to a dead process only adds a failure.
 */
export function createBackendPool(options: BackendPoolOptions): BackendPool {
  const now = options.now ?? Date.now;
  // Every backend starts out of rotation: nothing is known about it until its first probe.
  const backends: Backend[] = options.urls.map((url) => ({
    url,
    ready: false,
    reason: "not probed yet",
    lastProbe: null,
    requests: 0,
    downs: 0,
    timer: undefined,
    inFlight: undefined,
  }));
  const byUrl = new Map(backends.map((backend) => [backend.url, backend]));
  let cursor = 0;
  let running = false;

  function setReady(backend: Backend, ready: boolean, reason: string): void {
    // The reason is refreshed either way: a backend out of rotation shows its current failure.
    backend.reason = reason;
    if (backend.ready === ready) return;
    backend.ready = ready;
    options.onTransition({ url: backend.url, to: ready ? "up" : "down", reason });
  }

  async function probeOnce(backend: Backend): Promise<void> {
    const downs = backend.downs;
    const result = await options.probe(backend.url).catch((error: unknown): ProbeResult => ({
      ready: false,
      detail: error instanceof Error ? error.message : String(error),
    }));
    backend.lastProbe = { at: new Date(now()).toISOString(), ...result };
    // A "ready" answered before a proxied request failed is older news than the failure.
    if (result.ready && downs !== backend.downs) return;
    setReady(backend, result.ready, `probe ${result.detail}`);
  }

  function loop(backend: Backend): void {
    backend.timer = undefined;
    backend.inFlight = probeOnce(backend).finally(() => {
      backend.inFlight = undefined;
      if (running) backend.timer = setTimeout(() => loop(backend), options.pollMs);
    });
  }

  return {
    start() {
      if (running) return;
      running = true;
      for (const backend of backends) loop(backend);
    },
    async stop() {
      running = false;
      for (const backend of backends) clearTimeout(backend.timer);
      await Promise.all(backends.flatMap((backend) => backend.inFlight ?? []));
    },
    async probeAll() {
      await Promise.all(backends.map(probeOnce));
    },
    next() {
      for (let step = 0; step < backends.length; step++) {
        const backend = backends[(cursor + step) % backends.length];
        if (backend?.ready) {
          cursor = (cursor + step + 1) % backends.length;
          backend.requests++;
          return backend.url;
        }
      }
      return undefined;
    },
    markDown(url, reason) {
      const backend = byUrl.get(url);
      if (backend === undefined) return;
      backend.downs++;
      setReady(backend, false, reason);
    },
    readyCount: () => backends.filter((backend) => backend.ready).length,
    snapshot: () =>
      backends.map(({ url, ready, reason, lastProbe, requests }) => ({
        url,
        ready,
        reason,
        lastProbe,
        requests,
      })),
  };
}
