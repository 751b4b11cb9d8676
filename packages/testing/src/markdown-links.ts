import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface MarkdownLink {
  /** The Markdown file, relative to the repository root. */
  file: string;
  line: number;
  target: string;
}

/** `[text](target)` and `[text](<target>)`; the target ends at whitespace or `)`. */
const LINK = /\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g;

/**
 * The relative links of every Markdown file git knows in `root` (tracked, or new and not
 * ignored) whose target does not exist. Links with a scheme (https:, mailto:) and same-page
 * anchors are not checked; a `#fragment` after a path is dropped. Fenced code is skipped.
 */
export function brokenMarkdownLinks(root: string): MarkdownLink[] {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], {
    cwd: root,
    encoding: "utf8",
  })
    .split("\n")
    .filter((file) => file !== "" && existsSync(join(root, file)));
  const broken: MarkdownLink[] = [];
  for (const file of files) {
    let fenced = false;
    readFileSync(join(root, file), "utf8")
      .split("\n")
      .forEach((text, index) => {
        if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
        if (fenced) return;
        for (const [, target] of text.matchAll(LINK)) {
          if (!target || /^[a-z][a-z+.-]*:/i.test(target) || target.startsWith("#")) continue;
          const path = decodeURIComponent(target.split("#")[0]!);
          if (!existsSync(join(root, dirname(file), path))) broken.push({ file, line: index + 1, target });
        }
      });
  }
  return broken;
}
