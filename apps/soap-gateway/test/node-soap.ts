/** node-soap as a test client: one port (binding) of a service from its live WSDL, as promises. */
import * as soap from "soap";
import { expect } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: node-soap's clients and results take their shape from the WSDL at run time
export type Dynamic = any;
export type Call = (args: object) => Promise<Dynamic>;

/**
 * The operations of one port (the SOAP 1.1 or 1.2 one) of a service, as promise-returning functions;
 * with `security` (a wsse:Security block, test/wsse.ts) in the header of every request.
 */
export async function soapPort(
  gatewayUrl: string,
  service: string,
  version: "1.1" | "1.2",
  security?: string,
): Promise<Record<string, Call>> {
  const client = await soap.createClientAsync(`${gatewayUrl}/ws/${service}?wsdl`, {
    forceSoap12Headers: version === "1.2",
  });
  if (security) client.addSoapHeader(security);
  const methods = (client as Dynamic)[service][`${service}${version === "1.1" ? "Soap11" : "Soap12"}`];
  return Object.fromEntries(
    Object.keys(methods).map((op) => [
      op,
      (args: object) =>
        new Promise((resolve, reject) =>
          methods[op](args, (error: unknown, result: Dynamic) => (error ? reject(error) : resolve(result))),
        ),
    ]),
  );
}

/** The GrpcStatus detail of a Fault, as node-soap parsed it. */
export function grpcStatus(error: Dynamic): Dynamic {
  const fault = error?.root?.Envelope?.Body?.Fault;
  expect(fault, String(error)).toBeDefined();
  return fault.detail?.GrpcStatus ?? fault.Detail?.GrpcStatus;
}
