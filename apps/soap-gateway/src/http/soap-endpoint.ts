/**
 * POST /ws/<Service>: one SOAP request → one gRPC call → one SOAP response or Fault. Everything
 * about the request is checked before the backend is called: Content-Type, SOAPAction / action,
 * the body (size, XML safety, envelope, operation, message), and mustUnderstand headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { type Message, ScalarType } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { Logger } from "@switchboard/runtime";
import { packageNamespace, soapAction } from "../contract/namespaces.js";
import type { Backends, SoapService } from "../contract/operations.js";
import type { SoapHeaderHandler } from "../soap/header-handler.js";
import { mustUnderstand, readEnvelope } from "../soap/read-envelope.js";
import { envelope, faultEnvelope, SoapFault } from "../soap/soap-fault.js";
import { SOAP11, type SoapVersion, versionOfMediaType } from "../soap/soap-version.js";
import { messageToXml } from "../xml/from-message.js";
import { StreamingXmlReader, type XmlLimits } from "../xml/streaming-reader.js";
import { elementToMessage } from "../xml/to-message.js";
import { readXmlBody } from "./read-body.js";

export interface EndpointOptions {
  backends: Backends;
  logger: Logger;
  maxBodyBytes: number;
  xmlLimits: Omit<XmlLimits, "binaryElements">;
  headerHandlers: SoapHeaderHandler[];
}

export function soapEndpoint(soap: SoapService, options: EndpointOptions) {
  const ns = packageNamespace(soap.service.file.proto.package);
  const operations = new Map(soap.operations.map((op) => [op.name, op]));
  const binaryElements = new Set(
    soap.operations.flatMap((op) =>
      op.input.fields.filter((f) => f.scalar === ScalarType.BYTES).map((f) => `{${ns}}${f.jsonName}`),
    ),
  );
  const limits: XmlLimits = { ...options.xmlLimits, binaryElements };

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    let version: SoapVersion = SOAP11;
    let operation = "";
    let fault: SoapFault | undefined;
    try {
      const contentType = parseContentType(request.headers["content-type"]);
      const asked = versionOfMediaType(contentType.mediaType);
      if (!asked) {
        throw new SoapFault(
          Code.InvalidArgument,
          `Content-Type must be text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2), not "${contentType.mediaType}"`,
        );
      }
      version = asked;
      if (contentType.charset && contentType.charset !== "utf-8") {
        throw new SoapFault(
          Code.InvalidArgument,
          `charset ${contentType.charset} is not supported: send UTF-8`,
        );
      }
      const action = version === SOAP11 ? soapActionHeader(request) : contentType.action;
      const root = await readXmlBody(request, options.maxBodyBytes, new StreamingXmlReader(limits));
      const { headers, payload } = readEnvelope(root, version);
      const op = payload.uri === ns ? operations.get(payload.local) : undefined;
      if (!op) {
        throw new SoapFault(
          Code.Unimplemented,
          `${soap.service.name} has no operation {${payload.uri}}${payload.local}`,
        );
      }
      operation = op.name;
      const expected = soapAction(soap.service.typeName, op.name);
      if (action !== undefined && action !== expected) {
        throw new SoapFault(
          Code.InvalidArgument,
          `the action "${action}" does not match operation ${op.name} ("${expected}")`,
        );
      }
      // The message is checked before any header handler may call a backend (a login).
      const input = elementToMessage(payload, op.input, ns);
      const abort = new AbortController();
      response.once("close", () => abort.abort());
      const context = { secure: (request.socket as TLSSocket).encrypted === true, signal: abort.signal };
      const outgoing = new Headers();
      const authorization = request.headers.authorization;
      if (authorization) outgoing.set("authorization", authorization);
      const claimed = headers.map((header) => {
        const handler = options.headerHandlers.find((h) => h.understands(header));
        if (!handler && mustUnderstand(header, version)) {
          throw new SoapFault(
            Code.InvalidArgument,
            `header {${header.uri}}${header.local} is not understood`,
            [],
            "mustUnderstand",
          );
        }
        return { header, handler };
      });
      for (const { header, handler } of claimed) await handler?.handle(header, outgoing, context);
      const output: Message = await op.call(options.backends, input, {
        signal: abort.signal,
        headers: outgoing,
      });
      send(
        response,
        200,
        version,
        envelope(version, messageToXml(`${op.name}Response`, output, op.output, "tns", ns)),
      );
    } catch (error) {
      fault = SoapFault.from(error);
      if (fault.code === Code.Internal && !(error instanceof SoapFault)) {
        options.logger.error({ err: error, operation }, "soap: unexpected error");
      }
      // A body we stopped reading cannot be followed by another request on this connection.
      if (!request.readableEnded) response.setHeader("connection", "close");
      // 500 for every Fault, as issue 16 asks (SOAP 1.2's HTTP binding would say 400 for Sender: README).
      send(response, 500, version, faultEnvelope(version, fault, soap.grpcStatus, ns));
    } finally {
      options.logger.info(
        {
          service: soap.service.name,
          operation,
          soap: version.name,
          code: fault ? Code[fault.code] : "OK",
          ...(fault ? { message: fault.message } : {}),
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        "soap call",
      );
    }
  };
}

function send(response: ServerResponse, status: number, version: SoapVersion, xml: string): void {
  if (response.headersSent) return;
  const body = Buffer.from(xml, "utf8");
  response.writeHead(status, {
    "content-type": `${version.contentType}; charset=utf-8`,
    "content-length": body.length,
  });
  response.end(body);
}

function soapActionHeader(request: IncomingMessage): string {
  const raw = request.headers.soapaction;
  if (typeof raw !== "string") throw new SoapFault(Code.InvalidArgument, "the SOAPAction header is missing");
  return raw.trim().replace(/^"(.*)"$/, "$1");
}

interface ContentType {
  mediaType: string;
  charset?: string;
  action?: string;
}

function parseContentType(header: string | undefined): ContentType {
  const [type = "", ...params] = (header ?? "").split(";");
  const result: ContentType = { mediaType: type.trim().toLowerCase() };
  for (const param of params) {
    const at = param.indexOf("=");
    if (at < 0) continue;
    const name = param.slice(0, at).trim().toLowerCase();
    const value = param
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (name === "charset") result.charset = value.toLowerCase();
    if (name === "action") result.action = value;
  }
  return result;
}
