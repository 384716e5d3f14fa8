import type { z } from "zod";
import { InvalidInputError, UnsupportedMediaTypeError } from "./errors.ts";

/**
 * The request body as `schema` reads it. Invalid input throws an InvalidInputError (a 400) whose
 * message names each issue's field, as `issuesMessage` does, so the caller fixes all in one go.
 */
export function parseBody<S extends z.ZodType>(
  ctx: {
    readonly request: {
      readonly body?: unknown;
      /** Set by the body parser when it read the body. */
      readonly rawBody?: string;
      /** The body's media type; null without a body (Koa's `request.is()`). */
      is(): string | false | null;
      readonly type: string;
    };
  },
  schema: S,
): z.output<S> {
  // A body the parser left unread (it reads JSON types only) would otherwise reach the schema as
  // `{}`, and the caller would hear "action is required" of a body that has it: `curl -d`
  // without `-H 'content-type: application/json'` sends a form.
  if (ctx.request.is() !== null && ctx.request.rawBody === undefined) {
    throw new UnsupportedMediaTypeError(
      `body must be sent as Content-Type application/json, not ${ctx.request.type === "" ? "without one" : ctx.request.type}`,
    );
  }
  const parsed = schema.safeParse(ctx.request.body);
  if (!parsed.success) throw new InvalidInputError(issuesMessage(parsed.error));
  return parsed.data;
}

/**
 * `path.to.field: message; …`. A message that already begins with its field's path (the schemas'
 * own "seconds must be …") is not prefixed again; an issue of the body as a whole has no path.
 */
function issuesMessage(error: z.ZodError): string {
  return error.issues
    .map(({ path, message }) => {
      const field = path.map(String).join(".");
      return field === "" || message.startsWith(`${field} `) ? message : `${field}: ${message}`;
    })
    .join("; ");
}
