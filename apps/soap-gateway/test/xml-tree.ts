/** Parses a whole document (the WSDL, a response) into the gateway's element tree, for assertions. */
import { StreamingXmlReader } from "../src/xml/streaming-reader.js";
import type { XmlElement } from "../src/xml/xml-tree.js";

export function parseXml(text: string): XmlElement {
  const reader = new StreamingXmlReader({
    maxDepth: 100,
    maxElements: 1_000_000,
    maxAttributes: 100,
    maxTextLength: 10_000_000,
    maxBinaryTextLength: 10_000_000,
    binaryElements: new Set(),
  });
  reader.write(Buffer.from(text, "utf8"));
  return reader.end();
}

/** Child elements named `local` (any namespace). */
export function children(element: XmlElement, local: string): XmlElement[] {
  return element.children.filter((c) => c.local === local);
}

export function attr(element: XmlElement, name: string): string | undefined {
  return element.attributes.find((a) => a.local === name && a.uri === "")?.value;
}

/** Depth-first search for the first element named `local`, optionally with a `name` attribute. */
export function find(element: XmlElement, local: string, name?: string): XmlElement | undefined {
  if (element.local === local && (name === undefined || attr(element, "name") === name)) return element;
  for (const child of element.children) {
    const found = find(child, local, name);
    if (found) return found;
  }
  return undefined;
}
