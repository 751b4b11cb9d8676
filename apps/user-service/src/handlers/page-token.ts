import { invalidArgument, isUuid } from "@switchboard/runtime";

/** ListUsers page tokens are opaque to clients: the last id of the page, base64url-encoded. */
export function encodePageToken(lastId: string): string {
  return Buffer.from(`after:${lastId}`).toString("base64url");
}

export function decodePageToken(token: string): string | undefined {
  if (token === "") return undefined;
  const decoded = Buffer.from(token, "base64url").toString("utf8");
  const id = decoded.startsWith("after:") ? decoded.slice("after:".length) : "";
  if (!isUuid(id))
    throw invalidArgument([{ field: "page_token", description: "is not a token from this service" }]);
  return id;
}
