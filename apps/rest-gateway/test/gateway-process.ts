import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Services } from "./backends.js";

/** The gateway as its own process (main.ts, port 0), so its memory can be measured apart from the services. */
export async function spawnGateway(urls: Services["urls"], env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--conditions=source", "--import", "tsx", "src/main.ts"],
    {
      cwd: new URL("..", import.meta.url).pathname,
      env: {
        ...process.env,
        PORT: "0",
        HOST: "127.0.0.1",
        USER_SERVICE_URL: urls.user,
        IMAGE_SERVICE_URL: urls.image,
        NOTIFICATION_SERVICE_URL: urls.notification,
        ...env,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const listening = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (listening) resolve(Number(listening[1]));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    /** Resident set size in MiB, from /proc. */
    async rssMiB() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8");
      return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
