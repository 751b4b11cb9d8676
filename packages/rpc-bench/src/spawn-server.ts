import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSeconds } from "@switchboard/testing";

export interface RunningServer {
  name: string;
  port: number;
  address: string;
  /** The bearer token its calls must carry, for servers that authenticate (user-service). */
  token?: string;
  /** CPU seconds (user + system) the server's process has used so far. */
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

const serveScript = fileURLToPath(new URL("./serve.ts", import.meta.url));

/**
 * Starts `name` (see serve.ts) in a child process and waits for its port. With `cpuProfDir`,
 * the child runs under `node --cpu-prof` and writes its profiles to `cpuProfDir/name/` when stopped
 * (mainThreadProfile picks the main thread's).
 */
export async function spawnServer(name: string, cpuProfDir?: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--conditions=source",
      "--import",
      "tsx",
      // One folder per server: tsx's loader thread writes a profile of its own beside the main one.
      ...(cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", join(cpuProfDir, name)] : []),
      serveScript,
      name,
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, LOG_LEVEL: "warn" } },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (data: Buffer) => {
      output += data.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`server ${name} exited with ${code} before listening`)));
  });
  child.stdout?.resume();
  const token = /^token (\S+)$/m.exec(output)?.[1];
  return {
    name,
    port,
    address: `127.0.0.1:${port}`,
    ...(token ? { token } : {}),
    cpuSeconds: () => cpuSeconds(child.pid as number),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The main thread's profile among those a server wrote: the largest file. */
export function mainThreadProfile(cpuProfDir: string, name: string): string {
  const dir = join(cpuProfDir, name);
  const [largest] = readdirSync(dir)
    .filter((file) => file.endsWith(".cpuprofile"))
    .map((file) => ({ file: join(dir, file), size: statSync(join(dir, file)).size }))
    .sort((a, b) => b.size - a.size);
  if (!largest) throw new Error(`no .cpuprofile in ${dir}`);
  return largest.file;
}
