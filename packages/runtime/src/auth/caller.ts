import { type ContextKey, createContextKey, type HandlerContext } from "@connectrpc/connect";

/** Who is calling an rpc, as the auth interceptor established it. */
export type Caller =
  | { kind: "anonymous" }
  | { kind: "user"; userId: string; roles: readonly string[] }
  | { kind: "service"; service: string };

const ANONYMOUS: Caller = Object.freeze({ kind: "anonymous" });

/** The caller of the current rpc; anonymous until the auth interceptor sets it. */
export const callerKey: ContextKey<Caller> = createContextKey<Caller>(ANONYMOUS, {
  description: "the authenticated caller",
});

/** The caller of the rpc a handler is serving. */
export function callerOf(context: HandlerContext): Caller {
  return context.values.get(callerKey);
}

/** A user holding the "admin" role. */
export function isAdmin(caller: Caller): boolean {
  return caller.kind === "user" && caller.roles.includes("admin");
}
