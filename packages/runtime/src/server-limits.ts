import type * as http2 from "node:http2";
import type { Logger } from "pino";

/** What one client connection may take from a server. Every GrpcServer applies these. */
export interface ServerLimits {
  /** Calls open at once on one connection (HTTP/2 allows 2^32−1 unless told). */
  maxConcurrentStreams: number;
  /** Bytes of request headers (names + values, uncompressed) per call. */
  maxHeaderListBytes: number;
  /** Header fields per call. */
  maxHeaderPairs: number;
  /** Memory nghttp2 may hold for one connection (header tables, buffered frames), in MiB. */
  maxSessionMemoryMiB: number;
  /** A connection with no call open this long is closed gracefully (GOAWAY; the client reconnects). */
  idleTimeoutMs: number;
  /** How often an idle-or-not connection is pinged to find dead peers… */
  keepaliveIntervalMs: number;
  /** …and how long the ping may go unanswered before the connection is dropped. */
  keepaliveTimeoutMs: number;
  /**
   * Bytes a client may send, per call and per connection, before the server must acknowledge
   * them (the HTTP/2 receive window). HTTP/2's default of 64 KiB makes an upload in 64 KiB chunks
   * wait a round trip per chunk; 1 MiB lets it stream (grpc-java's default too). It also bounds
   * what one connection can make the server hold unread.
   */
  flowControlWindowBytes: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  maxConcurrentStreams: 100,
  maxHeaderListBytes: 16 * 1024,
  maxHeaderPairs: 64,
  maxSessionMemoryMiB: 10,
  idleTimeoutMs: 5 * 60_000,
  keepaliveIntervalMs: 60_000,
  keepaliveTimeoutMs: 20_000,
  flowControlWindowBytes: 1024 * 1024,
};

/** The http2.createServer / createSecureServer options that enforce `limits`. */
export function http2LimitOptions(limits: ServerLimits): http2.ServerOptions {
  return {
    settings: {
      maxConcurrentStreams: limits.maxConcurrentStreams,
      maxHeaderListSize: limits.maxHeaderListBytes,
      initialWindowSize: limits.flowControlWindowBytes,
    },
    maxHeaderListPairs: limits.maxHeaderPairs,
    maxSessionMemory: limits.maxSessionMemoryMiB,
  };
}

/**
 * Widens a new connection's own receive window to the limit (SETTINGS only sets each call's):
 * without it, every call on the connection shares HTTP/2's default 64 KiB.
 */
export function widenConnectionWindow(session: http2.Http2Session, limits: ServerLimits): void {
  session.setLocalWindowSize(limits.flowControlWindowBytes);
}

/**
 * Closes `session` after `idleTimeoutMs` with no call open (long-lived streams keep it open), and
 * pings it every `keepaliveIntervalMs`, destroying it when a ping is not answered in time: a
 * peer that vanished without closing its socket stops holding memory and a file descriptor.
 */
export function watchSession(session: http2.ServerHttp2Session, limits: ServerLimits, logger: Logger): void {
  let open = 0;
  let idle: NodeJS.Timeout | undefined;
  const armIdle = () => {
    idle = setTimeout(() => {
      logger.debug({ idleTimeoutMs: limits.idleTimeoutMs }, "closing an idle connection");
      session.close();
    }, limits.idleTimeoutMs).unref();
  };
  session.on("stream", (stream) => {
    open++;
    clearTimeout(idle);
    stream.once("close", () => {
      if (--open === 0 && !session.closed) armIdle();
    });
  });
  armIdle();

  let unanswered: NodeJS.Timeout | undefined;
  const keepalive = setInterval(() => {
    if (unanswered || session.destroyed) return;
    unanswered = setTimeout(() => {
      logger.warn(
        { keepaliveTimeoutMs: limits.keepaliveTimeoutMs },
        "dropping a connection that stopped answering pings",
      );
      session.destroy();
    }, limits.keepaliveTimeoutMs).unref();
    const sent = session.ping((error) => {
      if (error) return; // the session is closing; its own close handles the rest
      clearTimeout(unanswered);
      unanswered = undefined;
    });
    if (!sent) {
      clearTimeout(unanswered);
      unanswered = undefined;
    }
  }, limits.keepaliveIntervalMs).unref();

  session.once("close", () => {
    clearTimeout(idle);
    clearTimeout(unanswered);
    clearInterval(keepalive);
  });
}
