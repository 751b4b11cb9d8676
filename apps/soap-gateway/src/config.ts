import { type ConfigOf, setting, tlsSettings } from "@switchboard/runtime";

export const configSpec = {
  PORT: setting.port(8081),
  LOG_LEVEL: setting.oneOf(["trace", "debug", "info", "warn", "error"], "info"),
  PRETTY_LOGS: setting.boolean(false),
  USER_SERVICE_URL: setting.url("http://127.0.0.1:50051"),
  IMAGE_SERVICE_URL: setting.url("http://127.0.0.1:50052"),
  NOTIFICATION_SERVICE_URL: setting.url("http://127.0.0.1:50053"),
  /** Where clients reach the gateway, for the WSDL's soap:address; unset: from each request's Host. */
  PUBLIC_URL: setting.optionalUrl(),
  /** Largest request body, checked while it streams in (an UploadImage carries the image in base64). */
  MAX_BODY_BYTES: setting.integer({ default: 16 * 1024 * 1024, min: 1024, max: 256 * 1024 * 1024 }),
  /** Deadline of every backend call. */
  CALL_TIMEOUT_MS: setting.integer({ default: 10_000, min: 100, max: 300_000 }),
  /**
   * Set TLS_CERT_FILE and TLS_KEY_FILE to serve HTTPS, TLS_CA_FILE too to require client
   * certificates it signed; the same CA (and certificate) for services reached over https:// URLs.
   */
  ...tlsSettings,
};

export type Config = ConfigOf<typeof configSpec>;
