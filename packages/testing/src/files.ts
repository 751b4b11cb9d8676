import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** How many files are below `dir` (0 if it does not exist): what a test counts to prove nothing was left behind. */
export async function filesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let count = 0;
  for (const entry of entries) count += entry.isDirectory() ? await filesUnder(join(dir, entry.name)) : 1;
  return count;
}
