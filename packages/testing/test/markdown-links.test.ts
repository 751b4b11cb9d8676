import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/brokers.js";
import { brokenMarkdownLinks } from "../src/markdown-links.js";

describe("relative links in Markdown", () => {
  it("every relative link in the repository's *.md files resolves", () => {
    expect(brokenMarkdownLinks(repoRoot())).toEqual([]);
  });

  const scratch = mkdtempSync(join(tmpdir(), "md-links-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("finds a link to a file that is not there, and passes good, external, anchor and fenced ones", () => {
    execFileSync("git", ["init", "-q"], { cwd: scratch });
    mkdirSync(join(scratch, "docs"));
    writeFileSync(join(scratch, "docs", "here.md"), "# here\n");
    writeFileSync(
      join(scratch, "README.md"),
      [
        "[good](docs/here.md) [with anchor](docs/here.md#here) [same page](#top)",
        "[web](https://example.com/x.md) [gone](docs/gone.md)",
        "```",
        "[in code](nowhere.md)",
        "```",
      ].join("\n"),
    );
    writeFileSync(join(scratch, "docs", "up.md"), "[back up](../README.md) [wrong](../missing.md)\n");
    expect(brokenMarkdownLinks(scratch)).toEqual([
      { file: "README.md", line: 2, target: "docs/gone.md" },
      { file: "docs/up.md", line: 1, target: "../missing.md" },
    ]);
  });
});
