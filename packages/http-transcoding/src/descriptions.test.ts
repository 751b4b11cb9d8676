import { describe, expect, it } from "vitest";
import { described, summaryOf } from "./descriptions.js";

describe("summaryOf", () => {
  it("is the first sentence, on one line", () => {
    expect(
      summaryOf("Changes the fields named in `update_mask`\nand publishes UserUpdated. NOT_FOUND if none."),
    ).toBe("Changes the fields named in `update_mask` and publishes UserUpdated.");
  });

  it("does not end a sentence at e.g. or i.e., nor inside a word such as a file name", () => {
    expect(summaryOf("Resizes an image, e.g. a PNG, to fit a box. Errors: none.")).toBe(
      "Resizes an image, e.g. a PNG, to fit a box.",
    );
    expect(summaryOf("Serves /.well-known/jwks.json to verifiers. More.")).toBe(
      "Serves /.well-known/jwks.json to verifiers.",
    );
  });

  it("is the first paragraph when it has no full stop", () => {
    expect(summaryOf("Lists notifications\nnewest first\n\nErrors: NOT_FOUND.")).toBe(
      "Lists notifications newest first",
    );
  });
});

describe("described", () => {
  it("puts the field's text before the type's own note, and leaves an undocumented schema alone", () => {
    expect(described({ type: "string", description: "Comma-separated paths." }, "What to change.")).toEqual({
      type: "string",
      description: "What to change.\n\nComma-separated paths.",
    });
    const plain = { type: "string" };
    expect(described(plain, undefined)).toBe(plain);
  });
});
