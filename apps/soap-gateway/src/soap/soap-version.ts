/** What differs between SOAP 1.1 and 1.2 on the wire. */
import { NS } from "../contract/namespaces.js";

export interface SoapVersion {
  name: "1.1" | "1.2";
  envelopeNs: string;
  contentType: string;
  /** Fault codes: the caller's mistake, ours, a wrong envelope, an unknown mustUnderstand header. */
  codes: { client: string; server: string; versionMismatch: string; mustUnderstand: string };
}

export const SOAP11: SoapVersion = {
  name: "1.1",
  envelopeNs: NS.soap11,
  contentType: "text/xml",
  codes: {
    client: "Client",
    server: "Server",
    versionMismatch: "VersionMismatch",
    mustUnderstand: "MustUnderstand",
  },
};

export const SOAP12: SoapVersion = {
  name: "1.2",
  envelopeNs: NS.soap12,
  contentType: "application/soap+xml",
  codes: {
    client: "Sender",
    server: "Receiver",
    versionMismatch: "VersionMismatch",
    mustUnderstand: "MustUnderstand",
  },
};

/** The version a Content-Type asks for; undefined for anything else. */
export function versionOfMediaType(mediaType: string): SoapVersion | undefined {
  if (mediaType === SOAP11.contentType) return SOAP11;
  if (mediaType === SOAP12.contentType) return SOAP12;
  return undefined;
}
