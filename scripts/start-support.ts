import { existsSync, readFileSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus } from "@switchboard/proto/grpc/health/v1/health_pb.js";

/** The broker URLs every service reads (infra/'s defaults). */
export const brokerEnv = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
  AMQP_URL: process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672",
  MQTT_URL: process.env.MQTT_URL ?? "mqtt://127.0.0.1:1883",
  /** Not passed as DATABASE_URL: services default to embedded PGlite unless the user sets it. */
  DATABASE_URL_POSTGRES: "postgres://postgres@127.0.0.1:5432/switchboard",
};

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** A pino JSON line as "name LEVEL message key=value …"; other lines pass through. */
export function formatLogLine(name: string, line: string): string {
  const prefix = `${name.padEnd(20)} │`;
  if (!line.startsWith("{")) return `${prefix} ${line}`;
  try {
    const {
      level,
      msg,
      time: _time,
      pid: _pid,
      hostname: _host,
      service: _service,
      name: _name,
      ...rest
    } = JSON.parse(line);
    const fields = Object.entries(rest)
      .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
      .join(" ");
    return `${prefix} ${(LEVELS[level] ?? level).padEnd(5)} ${msg ?? ""} ${fields}`;
  } catch {
    return `${prefix} ${line}`;
  }
}

/** The development certificates (scripts/dev-certs.sh) as `pnpm start --tls` hands them out. */
export interface DevCertificates {
  /** What every service is given: serve TLS, and require client certificates from this CA. */
  serviceEnv: { TLS_CERT_FILE: string; TLS_KEY_FILE: string; TLS_CA_FILE: string };
  /** A client's files: the CA to trust, and a client certificate and key for mutual TLS. */
  client: { caFile: string; certFile: string; keyFile: string };
  /**
   * What one app is given besides serviceEnv: its own client certificate for its calls, which
   * names it (`spiffe://switchboard/<app>`); nothing for an app dev-certs.sh issues none for.
   */
  clientEnvOf(app: string): { TLS_CLIENT_CERT_FILE?: string; TLS_CLIENT_KEY_FILE?: string };
}

/** The dev certificates in `dir` (made by scripts/dev-certs.sh when missing). */
export function devCertificates(dir: string): DevCertificates {
  const file = (name: string) => join(dir, name);
  return {
    serviceEnv: {
      TLS_CERT_FILE: file("server.pem"),
      TLS_KEY_FILE: file("server-key.pem"),
      TLS_CA_FILE: file("ca.pem"),
    },
    client: { caFile: file("ca.pem"), certFile: file("client.pem"), keyFile: file("client-key.pem") },
    clientEnvOf: (app) =>
      existsSync(file(`${app}-client.pem`))
        ? {
            TLS_CLIENT_CERT_FILE: file(`${app}-client.pem`),
            TLS_CLIENT_KEY_FILE: file(`${app}-client-key.pem`),
          }
        : {},
  };
}

/** An app as its package.json's "switchboard" field describes it. */
export interface AppShape {
  protocol: string;
  port: number;
  /** An HTTP app that serves TLS under --tls (gRPC services always do). */
  tls?: boolean;
}

/** Whether the app serves TLS when the system runs with --tls (`tls`). */
export function servesTls(app: AppShape, tls: boolean): boolean {
  return tls && (app.protocol === "grpc" || app.tls === true);
}

/** Where clients reach an app: grpc(s):// or http(s)://localhost:PORT. */
export function appUrl(app: AppShape, tls: boolean): string {
  const scheme = app.protocol === "grpc" ? "grpc" : "http";
  return `${scheme}${servesTls(app, tls) ? "s" : ""}://localhost:${app.port}`;
}

/** GET https://localhost:PORT/healthz with the client's certificate: its status code. */
function httpsHealth(port: number, tls: DevCertificates["client"]): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(
      {
        host: "localhost",
        port,
        path: "/healthz",
        ca: readFileSync(tls.caFile),
        cert: readFileSync(tls.certFile),
        key: readFileSync(tls.keyFile),
        timeout: 1_000,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", reject);
  });
}

/**
 * Resolves when the app answers its health check (gRPC Health/Check or GET /healthz); over mutual
 * TLS when given the client's certificate files (give them only for an app that serves TLS).
 */
export async function waitHealthy(
  app: { name: string; protocol: string; port: number },
  timeoutMs: number,
  tls?: DevCertificates["client"],
) {
  const deadline = Date.now() + timeoutMs;
  const health = createClient(
    Health,
    createGrpcTransport(
      tls
        ? {
            baseUrl: `https://localhost:${app.port}`,
            nodeOptions: {
              ca: readFileSync(tls.caFile),
              cert: readFileSync(tls.certFile),
              key: readFileSync(tls.keyFile),
            },
          }
        : { baseUrl: `http://127.0.0.1:${app.port}` },
    ),
  );
  for (;;) {
    try {
      if (app.protocol === "grpc") {
        const { status } = await health.check({ service: "" }, { timeoutMs: 1_000 });
        if (status === HealthCheckResponse_ServingStatus.SERVING) return;
      } else if (tls) {
        if ((await httpsHealth(app.port, tls)) === 200) return;
      } else {
        const response = await fetch(`http://127.0.0.1:${app.port}/healthz`, {
          signal: AbortSignal.timeout(1_000),
        });
        if (response.ok) return;
      }
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(`${app.name} did not become healthy within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
