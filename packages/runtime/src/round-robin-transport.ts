import { lookup } from "node:dns/promises";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";

/** Every address a host name resolves to (a Kubernetes headless Service: one per ready pod). */
export type ResolveAddresses = (host: string) => Promise<string[]>;

const resolveAll: ResolveAddresses = async (host) =>
  (await lookup(host, { all: true })).map((entry) => entry.address);

export interface DnsTarget {
  host: string;
  port: number;
}

/**
 * gRPC's `dns:///host:port` name (the authority between `dns://` and the third slash is ignored);
 * undefined for anything else, such as an http(s) URL.
 */
export function parseDnsTarget(target: string): DnsTarget | undefined {
  const match = /^dns:\/\/[^/]*\/([^/:]+|\[[^\]]+\]):(\d+)$/.exec(target);
  if (!match) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ""), port: Number(match[2]) };
}

export interface RoundRobinOptions extends DnsTarget {
  /** Builds the transport to one address, e.g. "http://10.244.0.7:50052". */
  transportTo: (baseUrl: string) => Transport;
  scheme?: "http" | "https";
  resolve?: ResolveAddresses;
  /** How often the name is resolved again, to follow pods coming and going. */
  refreshMs?: number;
}

/**
 * Spreads calls over every address of a name, one HTTP/2 connection each, in turn. An L4
 * ClusterIP cannot: HTTP/2 keeps one connection, so every call would go to the pod it first reached.
 * A failed re-resolution keeps the last addresses; none at all fails the call with UNAVAILABLE
 * (which the client's retry interceptor retries).
 */
export function roundRobinTransport(options: RoundRobinOptions): Transport {
  const { host, port, transportTo, scheme = "http", resolve = resolveAll, refreshMs = 10_000 } = options;
  let transports = new Map<string, Transport>();
  let order: Transport[] = [];
  let next = 0;
  let resolvedAt = Number.NEGATIVE_INFINITY;
  let resolving: Promise<void> | undefined;

  const refresh = async () => {
    const addresses = [...new Set(await resolve(host))].sort();
    if (addresses.length === 0) return;
    const fresh = new Map<string, Transport>();
    for (const address of addresses) {
      const url = `${scheme}://${address.includes(":") ? `[${address}]` : address}:${port}`;
      fresh.set(address, transports.get(address) ?? transportTo(url));
    }
    transports = fresh;
    order = [...fresh.values()];
    resolvedAt = Date.now();
  };

  const pick = async (): Promise<Transport> => {
    if (!resolving && Date.now() - resolvedAt > refreshMs) {
      resolving = refresh()
        .catch(() => {}) // keep the last good addresses; an empty list fails below
        .finally(() => {
          resolving = undefined;
        });
    }
    if (order.length === 0) await resolving;
    if (order.length === 0) throw new ConnectError(`no addresses for ${host}`, Code.Unavailable);
    return order[next++ % order.length]!;
  };

  return {
    unary: async (method, signal, timeoutMs, header, input, contextValues) =>
      (await pick()).unary(method, signal, timeoutMs, header, input, contextValues),
    stream: async (method, signal, timeoutMs, header, input, contextValues) =>
      (await pick()).stream(method, signal, timeoutMs, header, input, contextValues),
  };
}
