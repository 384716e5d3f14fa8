import type { z } from "zod";
import { InvalidInputError } from "./errors.ts";

/**
 * The request body as `schema` reads it. Invalid input throws an InvalidInputError (a 400) whose
 * message names each issue's field, as `issuesMessage` does, so the caller fixes all in one go.
 */
export function parseBody<S extends z.ZodType>(
  ctx: { readonly request: { readonly body?: unknown } },
  schema: S,
): z.output<S> {
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
