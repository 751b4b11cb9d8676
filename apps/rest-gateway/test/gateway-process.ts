import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { until } from "@switchboard/testing";
import type { Services } from "./backends.js";

/** A free loopback port (asked of the kernel, then released for the child to take). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The gateway as its own process (main.ts), so its memory and cost can be measured apart from the services. */
export async function spawnGateway(urls: Services["urls"], env: Record<string, string> = {}) {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "src/main.ts"],
    {
      cwd: new URL("..", import.meta.url).pathname,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        USER_SERVICE_URL: urls.user,
        IMAGE_SERVICE_URL: urls.image,
        NOTIFICATION_SERVICE_URL: urls.notification,
        LOG_LEVEL: "warn",
        ...env,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  await until(async () => {
    if (exited) throw new Error("the gateway exited before it was up");
    return (await fetch(`${baseUrl}/healthz`).catch(() => undefined))?.ok ?? false;
  }, 100);
  return {
    baseUrl,
    /** Resident set size in MiB, from /proc. */
    async rssMiB() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    },
    async stop() {
      const done = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await done;
    },
  };
}
