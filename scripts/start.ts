/**
 * `pnpm start`: the whole system on this machine, no Docker. Starts the brokers that are not
 * running (through infra/), then every service in apps/ with its config, waits for each health
 * check, prints the endpoints, shows the services' logs readably, and on Ctrl-C or SIGTERM
 * stops exactly what it started.
 *
 * `pnpm start --tls` (or SWITCHBOARD_TLS=1): every service serves mutual TLS with the development
 * certificates in certs/dev/ (made by scripts/dev-certs.sh when missing), and calls the others so.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import {
  appUrl,
  brokerEnv,
  devCertificates,
  formatLogLine,
  servesTls,
  waitHealthy,
} from "./start-support.js";

interface App {
  name: string;
  dir: string;
  protocol: "grpc" | "http";
  port: number;
  /** Endpoints to print, besides the main port. */
  endpoints: string[];
  /** An HTTP app that serves TLS under --tls (package.json "switchboard": {"tls": true}). */
  tls?: boolean;
}

const root = resolve(import.meta.dirname, "..");
const dataDir = process.env.SWITCHBOARD_DATA_DIR ?? join(root, ".data");
const brokers = ["kafka", "rabbitmq", "mosquitto", "postgres"] as const;
const tls = process.argv.includes("--tls") || process.env.SWITCHBOARD_TLS === "1";
const certsDir = join(root, "certs", "dev");
const certificates = tls ? devCertificates(certsDir) : undefined;
const children = new Map<string, ChildProcess>();
let startedBrokers: string[] = [];
let stopping = false;

function discoverApps(): App[] {
  const appsDir = join(root, "apps");
  if (!existsSync(appsDir)) return [];
  const apps: App[] = [];
  for (const entry of readdirSync(appsDir).sort()) {
    const manifest = join(appsDir, entry, "package.json");
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8"));
    if (!pkg.switchboard || !pkg.scripts?.start) continue;
    apps.push({ name: entry, dir: join(appsDir, entry), endpoints: [], ...pkg.switchboard });
  }
  return apps;
}

function infra(...args: string[]): string {
  return execFileSync("bash", [join(root, "infra", "brokers.sh"), ...args], { encoding: "utf8" });
}

function runningBrokers(): Set<string> {
  const running = new Set<string>();
  for (const line of infra("status").split("\n")) {
    const [name, state] = line.trim().split(/\s+/);
    if (name && state === "running") running.add(name);
  }
  return running;
}

/** Where the services call each other: gRPC over TLS when the system runs with --tls. */
function serviceUrls(apps: App[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const [name, variable] of [
    ["user-service", "USER_SERVICE_URL"],
    ["image-service", "IMAGE_SERVICE_URL"],
    ["notification-service", "NOTIFICATION_SERVICE_URL"],
  ] as const) {
    const app = apps.find((candidate) => candidate.name === name);
    if (app) urls[variable] = `${tls ? "https" : "http"}://localhost:${app.port}`;
  }
  return urls;
}

function startApp(app: App, urls: Record<string, string>): ChildProcess {
  const child = spawn("pnpm", ["--silent", "start"], {
    cwd: app.dir,
    env: {
      ...process.env,
      ...brokerEnv,
      ...urls,
      ...certificates?.serviceEnv,
      ...certificates?.clientEnvOf(app.name),
      DATA_DIR: join(dataDir, app.name),
      NODE_ENV: process.env.NODE_ENV ?? "development",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: stopping signals pnpm and the service under it alike.
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => console.log(formatLogLine(app.name, line)));
  }
  child.on("exit", (code, signal) => {
    children.delete(app.name);
    if (!stopping) {
      console.error(`✗ ${app.name} exited (${signal ?? code}); stopping everything`);
      void stop(1);
    }
  });
  children.set(app.name, child);
  return child;
}

/** SIGTERM to an app's process group (pnpm and the service under it), SIGKILL after 15 s; resolves when all are gone. */
async function stopGroup(pgid: number): Promise<void> {
  const signal = (name: NodeJS.Signals | 0) => {
    try {
      process.kill(-pgid, name);
      return true;
    } catch {
      return false; // no process left in the group
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + 15_000;
  while (signal(0)) {
    if (Date.now() > deadline) signal("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(exitCode = 0): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  console.log("\nstopping services…");
  await Promise.all([...children.values()].map((child) => stopGroup(child.pid!)));
  if (startedBrokers.length > 0) {
    console.log(`stopping the brokers this run started: ${startedBrokers.join(", ")}`);
    infra("stop", ...startedBrokers);
  }
  process.exit(exitCode);
}

async function main(): Promise<void> {
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  mkdirSync(dataDir, { recursive: true });

  const before = runningBrokers();
  startedBrokers = brokers.filter((name) => !before.has(name));
  console.log(
    startedBrokers.length ? `starting brokers: ${startedBrokers.join(", ")}` : "brokers already running",
  );
  execFileSync("bash", [join(root, "infra", "brokers.sh"), "start"], { stdio: "inherit" });
  execFileSync("bash", [join(root, "infra", "brokers.sh"), "wait"], { stdio: "inherit" });

  if (tls) execFileSync("bash", [join(root, "scripts", "dev-certs.sh"), certsDir], { stdio: "inherit" });
  const apps = discoverApps();
  for (const app of apps) startApp(app, serviceUrls(apps));
  await Promise.all(
    apps.map((app) => waitHealthy(app, 90_000, servesTls(app, tls) ? certificates?.client : undefined)),
  );

  const rows: [string, string][] = [
    ...apps.flatMap((app): [string, string][] => [
      [app.name, appUrl(app, tls)],
      ...app.endpoints.map((endpoint): [string, string] => [
        "",
        servesTls(app, tls) ? endpoint.replace(/^http:/, "https:") : endpoint,
      ]),
    ]),
    ["Kafka", brokerEnv.KAFKA_BROKERS],
    ["RabbitMQ", `${brokerEnv.AMQP_URL}  (management http://localhost:15672, guest/guest)`],
    ["MQTT", `${brokerEnv.MQTT_URL}  (no anonymous clients: admin/switchboard-admin, docs/mqtt-accounts.md)`],
    ["PostgreSQL", brokerEnv.DATABASE_URL_POSTGRES],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const mode = tls ? ", mutual TLS" : "";
  console.log(`\nSwitchboard is up (${apps.length} services${mode}). Ctrl-C stops what this run started.\n`);
  for (const [name, url] of rows) console.log(`  ${name.padEnd(width)}  ${url}`);
  if (certificates) {
    const { caFile, certFile, keyFile } = certificates.client;
    console.log(
      `\n  clients:  SWITCHBOARD_CA_FILE=${caFile} SWITCHBOARD_CERT_FILE=${certFile} SWITCHBOARD_KEY_FILE=${keyFile}`,
    );
    console.log(`  try:  grpcurl -cacert ${caFile} -cert ${certFile} -key ${keyFile} localhost:50051 list\n`);
  } else {
    console.log("\n  try:  grpcurl -plaintext localhost:50051 list\n");
  }
  printDevAdmin(Boolean(certificates));
  if (process.env.SWITCHBOARD_START_EXIT_WHEN_READY === "1") await stop(0);
}

/** The dev admin user-service made at its first start (ADMIN_EMAIL/ADMIN_PASSWORD), and how to get its token. */
function printDevAdmin(tls: boolean) {
  const email = process.env.ADMIN_EMAIL || "admin@example.com";
  const password = process.env.ADMIN_PASSWORD || "switchboard-admin";
  console.log(`  dev admin:  ${email} / ${password}   (ADMIN_EMAIL, ADMIN_PASSWORD)`);
  if (tls) return;
  const body = JSON.stringify({ email, password });
  console.log(
    `  token:  TOKEN=$(curl -s localhost:8080/v1/auth/login -H 'content-type: application/json' -d '${body}' | sed -n 's/.*"accessToken": *"\\([^"]*\\)".*/\\1/p')`,
  );
  console.log(
    '          grpcurl -plaintext -H "authorization: Bearer $TOKEN" localhost:50051 switchboard.user.v1.UserService/ListUsers\n',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  void stop(1);
});
