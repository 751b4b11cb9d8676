/**
 * Feeds a request body to the XML reader chunk by chunk, stopping at `maxBytes`: the limit holds
 * before parsing (a declared Content-Length over it is refused without reading a byte) and while
 * streaming (a body without one is cut off as soon as it passes the limit).
 */
import type { IncomingMessage } from "node:http";
import { Code } from "@connectrpc/connect";
import { SoapFault } from "../soap/soap-fault.js";
import type { StreamingXmlReader } from "../xml/streaming-reader.js";
import type { XmlElement } from "../xml/xml-tree.js";

export async function readXmlBody(
  request: IncomingMessage,
  maxBytes: number,
  reader: StreamingXmlReader,
): Promise<XmlElement> {
  const tooLarge = () =>
    new SoapFault(Code.ResourceExhausted, `the request body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge();
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > maxBytes) throw tooLarge();
    reader.write(chunk);
  }
  return reader.end();
}
