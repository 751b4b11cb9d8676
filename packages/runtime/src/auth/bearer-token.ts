import type { Interceptor } from "@connectrpc/connect";

/** Client side: sends `authorization: Bearer <token>` on every call, asking `token` each time (it may refresh). */
export function bearerToken(token: () => string | Promise<string>): Interceptor {
  return (next) => async (request) => {
    request.header.set("authorization", `Bearer ${await token()}`);
    return next(request);
  };
}
