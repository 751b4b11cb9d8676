/**
 * A SOAP Fault carrying a gRPC status. Client/Sender for the caller's mistakes, Server/Receiver for
 * the rest; the detail is a GrpcStatus element (declared in the WSDL) with the same code, message
 * and field violations a gRPC client would get.
 */
import { create, type DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type FieldViolation, fieldViolations } from "@switchboard/runtime";
import { escapeXml } from "../xml/escape.js";
import { messageFieldsXml } from "../xml/from-message.js";
import { XmlRejected } from "../xml/xml-tree.js";
import type { SoapVersion } from "./soap-version.js";

const CALLER_CODES = new Set([
  Code.InvalidArgument,
  Code.NotFound,
  Code.AlreadyExists,
  Code.PermissionDenied,
  Code.Unauthenticated,
  Code.FailedPrecondition,
  Code.OutOfRange,
  Code.Aborted,
  Code.ResourceExhausted,
]);

export class SoapFault extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly violations: FieldViolation[] = [],
    /** VersionMismatch or MustUnderstand instead of Client/Server. */
    readonly soapCode?: "versionMismatch" | "mustUnderstand",
  ) {
    super(message);
    this.name = "SoapFault";
  }

  static from(error: unknown): SoapFault {
    if (error instanceof SoapFault) return error;
    if (error instanceof XmlRejected) {
      return new SoapFault(
        error.reason === "limit" ? Code.ResourceExhausted : Code.InvalidArgument,
        error.message,
      );
    }
    if (error instanceof ConnectError)
      return new SoapFault(error.code, error.rawMessage, fieldViolations(error));
    return new SoapFault(Code.Internal, "internal error");
  }
}

/** "NOT_FOUND" for Code.NotFound: the names gRPC clients print. */
export function grpcCodeName(code: Code): string {
  if (code === Code.Canceled) return "CANCELLED";
  return Code[code].replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

export function faultEnvelope(
  version: SoapVersion,
  fault: SoapFault,
  grpcStatus: DescMessage,
  namespace: string,
): string {
  const code = `env:${version.codes[fault.soapCode ?? (CALLER_CODES.has(fault.code) ? "client" : "server")]}`;
  const status = create(grpcStatus, {
    code: fault.code,
    codeName: grpcCodeName(fault.code),
    message: fault.message,
    fieldViolations: fault.violations,
  });
  const detail = `<tns:GrpcStatus xmlns:tns="${namespace}">${messageFieldsXml(status, grpcStatus, "tns")}</tns:GrpcStatus>`;
  const reason = escapeXml(`${grpcCodeName(fault.code)}: ${fault.message}`);
  const body =
    version.name === "1.1"
      ? `<env:Fault><faultcode>${code}</faultcode><faultstring>${reason}</faultstring><detail>${detail}</detail></env:Fault>`
      : `<env:Fault><env:Code><env:Value>${code}</env:Value></env:Code><env:Reason><env:Text xml:lang="en">${reason}</env:Text></env:Reason><env:Detail>${detail}</env:Detail></env:Fault>`;
  return envelope(version, body);
}

export function envelope(version: SoapVersion, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="${version.envelopeNs}"><env:Body>${body}</env:Body></env:Envelope>`;
}
