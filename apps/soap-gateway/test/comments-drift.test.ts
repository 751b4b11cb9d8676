/** gen/comments.json is what `pnpm generate` makes from proto/ today: a changed comment fails here. */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { COMMENTS_FILE, contractComments } from "../scripts/generate-comments.js";

it("the committed gen/comments.json matches the comments of proto/switchboard", () => {
  expect(JSON.parse(readFileSync(COMMENTS_FILE, "utf8"))).toEqual(contractComments());
});
