/**
 * Checks a parsed document is one SOAP envelope of the expected version — Envelope, an optional
 * Header, a Body with exactly one element — and returns its parts.
 */
import { Code } from "@connectrpc/connect";
import { attribute, type XmlElement } from "../xml/xml-tree.js";
import { SoapFault } from "./soap-fault.js";
import type { SoapVersion } from "./soap-version.js";

export interface Envelope {
  headers: XmlElement[];
  /** The one element in the Body: the operation's wrapper element. */
  payload: XmlElement;
}

export function readEnvelope(root: XmlElement, version: SoapVersion): Envelope {
  if (root.local !== "Envelope" || root.uri !== version.envelopeNs) {
    throw new SoapFault(
      Code.InvalidArgument,
      `expected a SOAP ${version.name} Envelope in ${version.envelopeNs}, got <${root.local}> in "${root.uri}"`,
      [],
      "versionMismatch",
    );
  }
  const invalid = (message: string) => new SoapFault(Code.InvalidArgument, message);
  if (root.text.trim() !== "") throw invalid("text is not allowed directly in the Envelope");
  const parts = root.children;
  const header = parts[0]?.local === "Header" && parts[0].uri === version.envelopeNs ? parts[0] : undefined;
  const rest = header ? parts.slice(1) : parts;
  const body = rest[0];
  if (rest.length !== 1 || !body || body.local !== "Body" || body.uri !== version.envelopeNs) {
    throw invalid("the Envelope must hold an optional Header and then exactly one Body");
  }
  if (body.text.trim() !== "") throw invalid("text is not allowed directly in the Body");
  if (body.children.length !== 1)
    throw invalid(`the Body must hold exactly one element, not ${body.children.length}`);
  return { headers: header?.children ?? [], payload: body.children[0]! };
}

/** Whether a header block says its receiver must understand it (1.1: "1"; 1.2: "true" or "1"). */
export function mustUnderstand(header: XmlElement, version: SoapVersion): boolean {
  const value = attribute(header, version.envelopeNs, "mustUnderstand");
  return value === "1" || value === "true";
}
