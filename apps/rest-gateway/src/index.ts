/**
 * rest-gateway as a library: what another package needs to run it in process (soap-gateway's
 * benchmark compares SOAP with REST in one run). Production runs main.ts instead.
 */
export { build, defaultOptions, type GatewayDeps, type GatewayOptions } from "./app.js";
export { type Backend, type BackendUrls, createBackends } from "./backends.js";
