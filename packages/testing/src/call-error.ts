import { ConnectError } from "@connectrpc/connect";

/** The error a call failed with; fails the test if the call succeeded. */
export async function callError(call: Promise<unknown> | (() => Promise<unknown>)): Promise<ConnectError> {
  try {
    await (typeof call === "function" ? call() : call);
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail, but it succeeded");
}

/** Drains a server stream, returning its messages. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}
