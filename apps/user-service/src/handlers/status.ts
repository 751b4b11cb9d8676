import { Code, ConnectError } from "@connectrpc/connect";
import { invalidArgument } from "@switchboard/runtime";
import {
  EmailTakenError,
  InvalidUserError,
  RequestReusedError,
  StaleVersionError,
  UserNotFoundError,
} from "../domain/errors.js";

/** The status code of each domain error, with its message; anything else passes through unchanged. */
export function toStatus(error: unknown): unknown {
  if (error instanceof InvalidUserError) return invalidArgument(error.violations);
  const code = codeOf(error);
  return code === undefined ? error : new ConnectError((error as Error).message, code);
}

function codeOf(error: unknown): Code | undefined {
  if (error instanceof UserNotFoundError) return Code.NotFound;
  if (error instanceof StaleVersionError) return Code.Aborted;
  if (error instanceof EmailTakenError) return Code.AlreadyExists;
  if (error instanceof RequestReusedError) return Code.FailedPrecondition;
  return undefined;
}

/** `work`, with a domain error it throws turned into its status. */
export async function withStatus<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw toStatus(error);
  }
}
