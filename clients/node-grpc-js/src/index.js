// A Switchboard client with nothing but @grpc/grpc-js and @grpc/proto-loader: see README.md.
export { call, callBidi, callClientStream, callServerStream, chunks } from "./calls.js";
export {
  addressesFromEnv,
  connect,
  connectAs,
  connectAsFromEnv,
  connectFromEnv,
  metadataFor,
  tlsFromEnv,
} from "./connect.js";
export { bearerCallCredentials, bearerMetadata, channelCredentials } from "./credentials.js";
export { loadContracts } from "./load.js";
export { adminCredentialsFromEnv, REFRESH_MARGIN_MS, Session } from "./session.js";
