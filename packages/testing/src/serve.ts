/** Anything that listens and shuts down like packages/runtime's GrpcServer. */
export interface Listener {
  listen(port: number, host?: string): Promise<number>;
  shutdown(): Promise<void>;
}

export interface Served<S extends Listener> {
  server: S;
  port: number;
  /** "http://127.0.0.1:PORT", for Connect clients. */
  baseUrl: string;
  /** "127.0.0.1:PORT", for grpc-js clients and grpcurl. */
  address: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts `server` on a free loopback port; `await using` (or `close`) stops it. */
export async function serveOnPort0<S extends Listener>(server: S): Promise<Served<S>> {
  const port = await server.listen(0, "127.0.0.1");
  return {
    server,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    address: `127.0.0.1:${port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
