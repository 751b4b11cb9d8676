import { Code, ConnectError } from "@connectrpc/connect";

/** The one error every refused credential gets: a short reason, never the token itself. */
export function unauthenticated(reason: string): ConnectError {
  return new ConnectError(reason, Code.Unauthenticated);
}
