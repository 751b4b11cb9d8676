/**
 * Reads a request body into an element tree as its bytes arrive, refusing everything a hostile
 * document could use against us before it costs memory or time: any DOCTYPE (so no entity is ever
 * declared, let alone expanded: no XXE, no billion laughs), processing instructions, bytes that
 * are not UTF-8, an encoding other than UTF-8, and documents past the depth, element, attribute
 * or text limits. saxes is namespace-aware and never fetches anything.
 */
import { SaxesParser } from "saxes";
import { type XmlElement, XmlRejected } from "./xml-tree.js";

export interface XmlLimits {
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
  /** Longest character data of one element, in UTF-16 units. */
  maxTextLength: number;
  /** Longest character data of an element named in `binaryElements` (base64 payloads). */
  maxBinaryTextLength: number;
  /** "{uri}local" of the elements that may carry maxBinaryTextLength of text. */
  binaryElements: ReadonlySet<string>;
}

export class StreamingXmlReader {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | undefined;
  private elements = 0;

  constructor(limits: XmlLimits) {
    const p = this.parser;
    p.on("error", (error) => {
      throw error instanceof XmlRejected ? error : new XmlRejected(`not well-formed XML: ${error.message}`);
    });
    p.on("doctype", () => {
      throw new XmlRejected("a DOCTYPE is not allowed (no DTDs, no entities)");
    });
    p.on("processinginstruction", (pi) => {
      throw new XmlRejected(`processing instruction <?${pi.target}?> is not allowed`);
    });
    p.on("xmldecl", (decl) => {
      if (decl.encoding && decl.encoding.toLowerCase() !== "utf-8") {
        throw new XmlRejected(`encoding ${decl.encoding} is not supported: send UTF-8`);
      }
    });
    p.on("opentag", (tag) => {
      if (++this.elements > limits.maxElements) {
        throw new XmlRejected(`more than ${limits.maxElements} elements`, "limit");
      }
      if (this.stack.length >= limits.maxDepth) {
        throw new XmlRejected(`elements nested deeper than ${limits.maxDepth}`, "limit");
      }
      const attributes = Object.values(tag.attributes)
        .filter((a) => a.prefix !== "xmlns" && a.name !== "xmlns")
        .map((a) => ({ uri: a.uri, local: a.local, value: a.value }));
      if (attributes.length > limits.maxAttributes) {
        throw new XmlRejected(`more than ${limits.maxAttributes} attributes on one element`, "limit");
      }
      const element: XmlElement = { uri: tag.uri, local: tag.local, attributes, children: [], text: "" };
      const parent = this.stack.at(-1);
      if (parent) parent.children.push(element);
      else this.root = element;
      this.stack.push(element);
    });
    p.on("closetag", () => {
      this.stack.pop();
    });
    const onText = (text: string) => {
      const current = this.stack.at(-1);
      if (!current) return; // whitespace around the root; saxes rejects anything else there
      const limit = limits.binaryElements.has(`{${current.uri}}${current.local}`)
        ? limits.maxBinaryTextLength
        : limits.maxTextLength;
      if (current.text.length + text.length > limit) {
        throw new XmlRejected(`text of <${current.local}> longer than ${limit} characters`, "limit");
      }
      current.text += text;
    };
    p.on("text", onText);
    p.on("cdata", onText);
  }

  /** Feeds the next bytes of the body; throws XmlRejected as soon as the document is refused. */
  write(bytes: Uint8Array): void {
    this.parser.write(this.decode(bytes, true));
  }

  /** Ends the document and returns its root element. */
  end(): XmlElement {
    this.parser.write(this.decode(new Uint8Array(), false));
    this.parser.close();
    if (!this.root) throw new XmlRejected("the body holds no XML element");
    return this.root;
  }

  private decode(bytes: Uint8Array, stream: boolean): string {
    try {
      return this.decoder.decode(bytes, { stream });
    } catch {
      throw new XmlRejected("the body is not valid UTF-8");
    }
  }
}
