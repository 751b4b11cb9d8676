import { GrpcJsServer } from "../src/grpc-js/grpc-js-server.js";
import { GrpcServer } from "../src/grpc-server.js";

/**
 * The kit has two gRPC servers with one surface: GrpcServer (connect-node: also gRPC-Web and
 * Connect) and GrpcJsServer (@grpc/grpc-js). The runtime's tests run against each:
 * `pnpm test` runs them twice, the second time with SWITCHBOARD_TEST_TRANSPORT=grpc-js.
 */
export const transport = process.env.SWITCHBOARD_TEST_TRANSPORT === "grpc-js" ? "grpc-js" : "connect-node";
export const ServerUnderTest: typeof GrpcServer | typeof GrpcJsServer =
  transport === "grpc-js" ? GrpcJsServer : GrpcServer;
export type ServerUnderTest = GrpcServer | GrpcJsServer;
/** Connect and gRPC-Web on the server's own port: connect-node only (grpc-js speaks gRPC alone). */
export const speaksConnect = transport === "connect-node";
