export interface BlackoutErrorOptions extends ErrorOptions {
  /** The HTTP status a service answers it with; none for an error no request causes. */
  readonly status?: number;
  /** Trying the same again later may succeed. Default false. */
  readonly retriable?: boolean;
  /** More for the caller in a 4xx answer, beside `error` (e.g. the known targets). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * The base of the errors Blackout code throws on purpose: a stable `code` for programs, the HTTP
 * status a service answers it with, and whether a retry may help. Domain code throws these instead
 * of returning statuses, and the one error middleware (`createHttpApp`) turns them into answers.
 */
export class BlackoutError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, message: string, options: BlackoutErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }
}

type SubclassOptions = Pick<BlackoutErrorOptions, "cause" | "details">;

/** What the caller sent is wrong; the message says what. 400. */
export class InvalidInputError extends BlackoutError {
  constructor(message: string, options: SubclassOptions = {}) {
    super("invalid_input", message, { ...options, status: 400 });
  }
}

/** What the caller named does not exist. 404. */
export class NotFoundError extends BlackoutError {
  constructor(message: string, options: SubclassOptions = {}) {
    super("not_found", message, { ...options, status: 404 });
  }
}

/** The body is in a media type the service does not read; the message names the one it reads. 415. */
export class UnsupportedMediaTypeError extends BlackoutError {
  constructor(message: string, options: SubclassOptions = {}) {
    super("unsupported_media_type", message, { ...options, status: 415 });
  }
}

/** The request is valid but the current state does not allow it. 409. */
export class ConflictError extends BlackoutError {
  constructor(message: string, options: SubclassOptions = {}) {
    super("conflict", message, { ...options, status: 409 });
  }
}

/** Something needed is down or not ready; later it may work. 503, retriable. */
export class UnavailableError extends BlackoutError {
  constructor(message: string, options: SubclassOptions = {}) {
    super("unavailable", message, { ...options, status: 503, retriable: true });
  }
}

/** The request was refused as it stands: invalid input, an unread media type, not found, or a conflict. */
export function isRefusal(error: unknown): error is BlackoutError {
  return (
    error instanceof InvalidInputError ||
    error instanceof UnsupportedMediaTypeError ||
    error instanceof NotFoundError ||
    error instanceof ConflictError
  );
}

/** Whether a retry may help: a BlackoutError says so; any other error is assumed transient. */
export function isRetriable(error: unknown): boolean {
  return error instanceof BlackoutError ? error.retriable : true;
}

/**
 * The HTTP status an error stands for: a BlackoutError's, or the `status`/`statusCode` Koa's
 * HttpErrors and body parsers carry; 500 for anything else.
 */
export function httpStatusOf(error: unknown): number {
  if (typeof error === "object" && error !== null) {
    const status =
      (error as { status?: unknown; statusCode?: unknown }).status ??
      (error as { statusCode?: unknown }).statusCode;
    if (typeof status === "number" && status >= 400 && status < 600) return status;
  }
  return 500;
}
