/** Raw SOAP over HTTP(S), for requests no well-behaved client would send, and for tables of calls. */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { parseXml } from "./xml-tree.js";

export const SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/";
export const SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope";
export const USER_NS = "urn:switchboard.user.v1";
export const action = (op: string) => `"urn:switchboard.user.v1.UserService/${op}"`;

export function envelope11(body: string, header = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${SOAP11_NS}" xmlns:u="${USER_NS}">${header}<s:Body>${body}</s:Body></s:Envelope>`;
}

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
}

/** The CA and client certificate for an https:// gateway (mutual TLS). */
export interface ClientTlsFiles {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/**
 * POSTs `body` (a string, bytes, or chunks sent one by one without a Content-Length). Resolves with
 * the answer even when the server answers before the body is all sent and closes the connection.
 */
export function post(
  url: string,
  body: string | Buffer | Buffer[],
  headers: Record<string, string> = {
    "content-type": "text/xml; charset=utf-8",
    soapaction: action("GetUser"),
  },
  tls?: ClientTlsFiles,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const options = {
      method: "POST",
      headers: chunked
        ? headers
        : { ...headers, "content-length": Buffer.byteLength(body as string | Buffer) },
    };
    const req = url.startsWith("https:")
      ? httpsRequest(url, { ...options, ...tls })
      : httpRequest(url, options);
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"]),
          text: Buffer.concat(parts).toString("utf8"),
        }),
      );
    });
    // The server may stop reading and close: the answer, already sent, is what counts.
    req.on("error", (error) => setTimeout(() => reject(error), 1_000));
    if (!chunked) return void req.end(body);
    let at = 0;
    const next = () => {
      if (at >= body.length || req.destroyed) return void req.end();
      if (req.write(body[at++]!)) setImmediate(next);
      else req.once("drain", next);
    };
    next();
  });
}

/** The Fault in a response: its SOAP code and the GrpcStatus detail's fields. */
export function faultOf(response: RawResponse): { soapCode: string; codeName: string; message: string } {
  const root = parseXml(response.text);
  const fault = root.children.find((c) => c.local === "Body")?.children.find((c) => c.local === "Fault");
  if (!fault) throw new Error(`not a Fault: ${response.text.slice(0, 300)}`);
  const text = (local: string) => findText(fault, local) ?? "";
  return {
    soapCode: text("faultcode") || text("Value"),
    codeName: text("codeName"),
    message: text("message"),
  };
}

function findText(element: ReturnType<typeof parseXml>, local: string): string | undefined {
  if (element.local === local) return element.text;
  for (const child of element.children) {
    const found = findText(child, local);
    if (found !== undefined) return found;
  }
  return undefined;
}
