// Sums every JUnit report under the repository into the closing line CI reads:
// "N passed, N failed, N skipped". Reports come from vitest (each package) and pytest.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const root = process.argv[2] ?? ".";
const skipDirs = new Set(["node_modules", ".git", ".data", "dist", ".turbo"]);

function* reports(dir) {
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* reports(path);
    else if (/^junit.*\.xml$/.test(name) && dir.endsWith("reports")) yield path;
  }
}

const attribute = (tag, name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(tag)?.[1] ?? 0);
let total = 0;
let failed = 0;
let skipped = 0;
for (const file of reports(root)) {
  for (const [tag] of readFileSync(file, "utf8").matchAll(/<testsuite\b[^>]*>/g)) {
    total += attribute(tag, "tests");
    failed += attribute(tag, "failures") + attribute(tag, "errors");
    skipped += attribute(tag, "skipped");
  }
}
console.log(`${total - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
