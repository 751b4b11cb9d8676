import type { Code } from "@connectrpc/connect";
import { ConnectError } from "@connectrpc/connect";
import { InvalidInputError } from "./domain-errors.js";
import { invalidArgument } from "./invalid-argument.js";

/** A service's domain errors and the status code each becomes at the edge. */
export type ErrorCodes = ReadonlyArray<readonly [abstract new (...args: never[]) => Error, Code]>;

/**
 * The status a domain error becomes, with its message: InvalidInputError → INVALID_ARGUMENT with
 * its violations, the classes in `codes` → their code; anything else passes through unchanged.
 */
export function statusOf(error: unknown, codes: ErrorCodes): unknown {
  if (error instanceof InvalidInputError) return invalidArgument(error.violations);
  const match = codes.find(([type]) => error instanceof type);
  return match ? new ConnectError((error as Error).message, match[1]) : error;
}

/** `work`, with a domain error it throws turned into its status. */
export async function withStatus<T>(work: Promise<T>, codes: ErrorCodes): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw statusOf(error, codes);
  }
}

/** `stream`, with a domain error it throws while streaming turned into its status. */
export async function* streamWithStatus<T>(stream: AsyncIterable<T>, codes: ErrorCodes): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (error) {
    throw statusOf(error, codes);
  }
}
