/** The parsed form of a SOAP request: namespace-resolved elements, their attributes and text. */
export interface XmlElement {
  uri: string;
  local: string;
  attributes: { uri: string; local: string; value: string }[];
  children: XmlElement[];
  /** Character data directly inside this element (whitespace between child elements included). */
  text: string;
}

/** Why a document was refused: becomes a Client/Sender Fault. */
export class XmlRejected extends Error {
  constructor(
    message: string,
    /** "invalid" for malformed or forbidden XML, "limit" for a document over a limit. */
    readonly reason: "invalid" | "limit" = "invalid",
  ) {
    super(message);
    this.name = "XmlRejected";
  }
}

export function attribute(element: XmlElement, uri: string, local: string): string | undefined {
  return element.attributes.find((a) => a.uri === uri && a.local === local)?.value;
}
