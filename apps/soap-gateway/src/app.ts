/**
 * Builds the SOAP gateway from its dependencies: GET /ws/<Service>?wsdl, POST /ws/<Service>,
 * GET /healthz. Never listens: main.ts and tests do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Logger, ServerTls } from "@switchboard/runtime";
import { type Backends, soapServices } from "./contract/operations.js";
import { generateWsdl } from "./contract/wsdl.js";
import { soapEndpoint } from "./http/soap-endpoint.js";
import { PasswordLogin } from "./security/password-login.js";
import { ReplayGuard, type ReplayGuardOptions } from "./security/replay-guard.js";
import { type DigestVerifier, wsSecurityHandler } from "./security/ws-security-handler.js";
import type { SoapHeaderHandler } from "./soap/header-handler.js";
import type { XmlLimits } from "./xml/streaming-reader.js";

export interface AppDeps {
  logger: Logger;
  backends: Backends;
  /** Where clients reach us, for the WSDL's soap:address (default: from the request's Host). */
  publicUrl?: string;
  maxBodyBytes?: number;
  xmlLimits?: Partial<Omit<XmlLimits, "binaryElements">>;
  /** Handlers of other header blocks, after WS-Security's (which is always there). */
  headerHandlers?: SoapHeaderHandler[];
  /** WS-Security settings: freshness window, how long a PasswordText login is reused, a digest verifier. */
  security?: { replay?: ReplayGuardOptions; passwordCacheSeconds?: number; digests?: DigestVerifier };
  /**
   * Serve HTTPS with this certificate (packages/runtime's serverTlsFromFiles); with a CA, only to
   * clients presenting a certificate it signed (mutual TLS), as the gRPC services do.
   */
  tls?: ServerTls;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export const DEFAULT_XML_LIMITS: Omit<XmlLimits, "binaryElements"> = {
  maxDepth: 32,
  maxElements: 10_000,
  maxAttributes: 32,
  maxTextLength: 64 * 1024,
  maxBinaryTextLength: DEFAULT_MAX_BODY_BYTES,
};

export class SoapGateway {
  readonly server: Server;

  constructor(
    handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
    tls?: ServerTls,
  ) {
    const options = { requestTimeout: 60_000, headersTimeout: 10_000 };
    const onRequest = (request: IncomingMessage, response: ServerResponse) => void handle(request, response);
    this.server = tls
      ? createHttpsServer(
          {
            ...options,
            cert: tls.cert,
            key: tls.key,
            ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
          },
          onRequest,
        )
      : createServer(options, onRequest);
  }

  listen(port: number, host = "0.0.0.0"): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes what is left. */
  shutdown(graceMs = 5_000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}

export function buildApp(deps: AppDeps): { server: SoapGateway } {
  const services = soapServices();
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const wsSecurity = wsSecurityHandler({
    replay: new ReplayGuard(deps.security?.replay),
    passwords: new PasswordLogin({
      login: async (email, password, signal) => {
        const { tokens } = await deps.backends.auth.login({ email, password }, { signal });
        if (!tokens?.accessToken) throw new Error("AuthService.Login answered no access token");
        return tokens;
      },
      ...(deps.security?.passwordCacheSeconds !== undefined
        ? { cacheSeconds: deps.security.passwordCacheSeconds }
        : {}),
    }),
    ...(deps.security?.digests ? { digests: deps.security.digests } : {}),
  });
  const endpoints = new Map(
    [...services].map(([name, soap]) => [
      name,
      soapEndpoint(soap, {
        backends: deps.backends,
        logger: deps.logger,
        maxBodyBytes,
        xmlLimits: { ...DEFAULT_XML_LIMITS, maxBinaryTextLength: maxBodyBytes, ...deps.xmlLimits },
        headerHandlers: [wsSecurity, ...(deps.headerHandlers ?? [])],
      }),
    ]),
  );
  const wsdlCache = new Map<string, string>();

  const server = new SoapGateway(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://gateway");
    const name = /^\/ws\/([A-Za-z]+)$/.exec(url.pathname)?.[1];
    if (url.pathname === "/healthz" && request.method === "GET") {
      response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    const soap = name ? services.get(name) : undefined;
    if (!name || !soap) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`no SOAP service at ${url.pathname}\n`);
      return;
    }
    if (request.method === "GET" && url.searchParams.has("wsdl")) {
      const scheme = (request.socket as TLSSocket).encrypted ? "https" : "http";
      const base = deps.publicUrl ?? `${scheme}://${hostOf(request)}`;
      const location = `${base}/ws/${name}`;
      let wsdl = wsdlCache.get(location);
      if (!wsdl) {
        wsdl = generateWsdl(soap, location);
        if (wsdlCache.size < 16) wsdlCache.set(location, wsdl);
      }
      response.writeHead(200, { "content-type": "text/xml; charset=utf-8" }).end(wsdl);
      return;
    }
    if (request.method === "POST") {
      await endpoints.get(name)?.(request, response);
      return;
    }
    response
      .writeHead(405, { allow: "GET, POST", "content-type": "text/plain" })
      .end("GET ?wsdl or POST a SOAP envelope\n");
  }, deps.tls);
  return { server };
}

/** The Host header if it is a plain host[:port], else localhost: never echo arbitrary text into the WSDL. */
function hostOf(request: IncomingMessage): string {
  const host = request.headers.host ?? "";
  return /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host) ? host : "localhost";
}
