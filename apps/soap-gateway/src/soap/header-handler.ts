/**
 * SOAP header processing: a handler claims the header elements it understands and may add gRPC
 * metadata — e.g. turn a wsse:Security token into an `authorization` header for the backend call
 * (src/security/ws-security-handler.ts). A header marked mustUnderstand that no handler claims is a
 * MustUnderstand Fault, as SOAP requires.
 */
import type { XmlElement } from "../xml/xml-tree.js";

export interface HeaderContext {
  /** Whether the request came over TLS (a password may only travel so). */
  secure: boolean;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface SoapHeaderHandler {
  understands(header: XmlElement): boolean;
  /** Throw a SoapFault to refuse the request. */
  handle(header: XmlElement, outgoing: Headers, context: HeaderContext): void | Promise<void>;
}
