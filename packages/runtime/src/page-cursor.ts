import { invalidArgument } from "./invalid-argument.js";

import { isUuid } from "./uuid.js";

/** A position in a newest-first listing: the time and id (a UUID) of the previous page's last item. */
export interface PageCursor {
  time: Date;
  id: string;
}

/** The opaque `next_page_token` for a cursor (base64url JSON: clients must not read into it). */
export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.time.toISOString(), cursor.id])).toString("base64url");
}

/**
 * The cursor in a `page_token`; undefined for "" (the first page); INVALID_ARGUMENT for a token we
 * did not issue (the id must be a UUID, as the stores compare it as one).
 */
export function decodePageCursor(token: string): PageCursor | undefined {
  if (token === "") return undefined;
  try {
    const [time, id] = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown[];
    const parsed = new Date(String(time));
    if (typeof time !== "string" || Number.isNaN(parsed.getTime()) || typeof id !== "string" || !isUuid(id)) {
      throw new Error("not a cursor");
    }
    return { time: parsed, id };
  } catch {
    throw invalidArgument([{ field: "page_token", description: "is not a token from this service" }]);
  }
}
