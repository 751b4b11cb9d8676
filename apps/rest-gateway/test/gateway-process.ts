import { type ChildProcess, spawn } from "node:child_process";
import { cpuSeconds, freePort, rssMiB, until } from "@switchboard/testing";
import type { Services } from "./backends.js";

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
    rssMiB: () => rssMiB(child.pid as number),
    /** CPU seconds (user + system) the gateway process has used so far. */
    cpuSeconds: () => cpuSeconds(child.pid as number),
    async stop() {
      const done = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await done;
    },
  };
}
