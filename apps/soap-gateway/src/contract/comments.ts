/**
 * Doc comments of the contracts, by full name: `@switchboard/proto`'s generated `comments.ts`
 * (drift-checked with the rest of proto/gen), shared with the REST gateway's OpenAPI.
 */
import { comments } from "@switchboard/proto/comments.js";

export function protoComment(fullName: string): string | undefined {
  return comments[fullName];
}
