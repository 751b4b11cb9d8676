import { spawn } from "node:child_process";

export interface MosquittoSubOptions {
  port: number;
  topic: string;
  username?: string;
  password?: string;
  host?: string;
}

/**
 * The real `mosquitto_sub` (MQTT 5, debug output: CONNACK and SUBACK reason codes), spawned: a
 * client no code of ours wrote, to prove what the broker lets a given account do. Lines are
 * "Subscribed (mid: 1): <reason>" (0..2 granted QoS, 135 not authorized), received payloads as
 * "<topic> <payload>", and "Connection error: …" with exit code 135 when the login is refused.
 */
export function spawnMosquittoSub(options: MosquittoSubOptions) {
  const args = ["-V", "5", "-d", "-v", "-h", options.host ?? "127.0.0.1", "-p", String(options.port)];
  args.push("-t", options.topic, "-q", "1");
  if (options.username !== undefined) args.push("-u", options.username);
  if (options.password !== undefined) args.push("-P", options.password);
  // stdbuf: line-buffered, or its stdout (a pipe) would only arrive when it exits.
  const child = spawn("stdbuf", ["-oL", "mosquitto_sub", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    /** Everything it printed so far. */
    output: () => output,
    /** Resolves with the matching text once it is printed, or rejects when the process ends first. */
    async waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
      let ended = false;
      void exited.then(() => {
        ended = true;
      });
      for (;;) {
        const match = output.match(pattern);
        if (match) return match;
        if (ended) throw new Error(`mosquitto_sub ended without ${pattern}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    /** The SUBACK reason code: 0-2 granted QoS, 135 not authorized. */
    async subackReason(): Promise<number> {
      const [, reason] = await this.waitFor(/Subscribed \(mid: \d+\): (\d+)/);
      return Number(reason);
    },
    /** The exit code (135 = the broker refused the login). */
    exited,
    /** Lines "<topic> <payload>" received so far. */
    received(topic: string): string[] {
      return output.split("\n").filter((line) => line.startsWith(`${topic} `));
    },
    stop(): Promise<number | null> {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export type MosquittoSub = ReturnType<typeof spawnMosquittoSub>;
