/**
 * Prints the top frames of a V8 .cpuprofile (as written by `node --cpu-prof`) by self time,
 * and by total time for frames from named packages: `node src/profile-top.ts FILE [N]`.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, count = "25"] = process.argv.slice(2);
if (!file) {
  console.error("usage: profile-top.ts FILE.cpuprofile [N]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const where = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url
    .replace(/^.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, "")
    .replace(/^file:\/\/.*\/(packages|apps)\//, "$1/");
  return `${functionName || "(anonymous)"} ${short}${url ? `:${lineNumber + 1}` : ""}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
let loading = 0;
// Startup (database init, migrations, key generation) is not per-call cost either: the samples
// before the first request reaches the server (http2's onSessionHeaders) are left out with it.
const firstCall = profile.samples.findIndex((id) => {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    if ((byId.get(at) as ProfileNode).callFrame.functionName === "onSessionHeaders") return true;
  }
  return false;
});
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  const node = byId.get(id);
  if (!node) return;
  if (index < firstCall) {
    loading += delta;
    return;
  }
  // Module loading (startup, tsx) is not per-call cost: leave those samples out.
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const { url } = (byId.get(at) as ProfileNode).callFrame;
    if (url.startsWith("node:internal/modules") || url.includes("/tsx/")) {
      loading += delta;
      return;
    }
  }
  all += delta;
  self.set(where(node), (self.get(where(node)) ?? 0) + delta);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const key = where(byId.get(at) as ProfileNode);
    if (seen.has(key)) continue;
    seen.add(key);
    total.set(key, (total.get(key) ?? 0) + delta);
  }
});

const print = (title: string, map: Map<string, number>, filter: (key: string) => boolean = () => true) => {
  console.log(`\n${title}`);
  [...map]
    .filter(([key]) => filter(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(count))
    .forEach(([key, micros]) => {
      console.log(`${((100 * micros) / all).toFixed(1).padStart(5)}%  ${key}`);
    });
};
const idle = (self.get("(idle) ") ?? 0) / all;
console.log(
  `${file}: ${(all / 1e6).toFixed(1)} s sampled (${(loading / 1e6).toFixed(1)} s of module loading and startup left out), ${(100 * idle).toFixed(0)}% idle`,
);
print("self time", self);
print("total time (library and our frames)", total, (key) => /\/|\.ts:/.test(key));
