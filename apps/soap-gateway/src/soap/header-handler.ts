/**
 * The place for SOAP header processing (WS-Security belongs to the identity work, issue-tracked
 * separately): a handler claims the header elements it understands and may add gRPC metadata —
 * e.g. turn a wsse:Security token into an `authorization` header for the backend call. A header
 * marked mustUnderstand that no handler claims is a MustUnderstand Fault, as SOAP requires.
 */
import type { XmlElement } from "../xml/xml-tree.js";

export interface SoapHeaderHandler {
  understands(header: XmlElement): boolean;
  /** Throw a SoapFault to refuse the request. */
  handle(header: XmlElement, outgoing: Headers): void | Promise<void>;
}
