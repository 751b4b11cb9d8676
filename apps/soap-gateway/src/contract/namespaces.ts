/** The namespaces of SOAP, WSDL and XSD, and ours: urn:<proto package>. */
export const NS = {
  wsdl: "http://schemas.xmlsoap.org/wsdl/",
  wsdlSoap11: "http://schemas.xmlsoap.org/wsdl/soap/",
  wsdlSoap12: "http://schemas.xmlsoap.org/wsdl/soap12/",
  xsd: "http://www.w3.org/2001/XMLSchema",
  soap11: "http://schemas.xmlsoap.org/soap/envelope/",
  soap12: "http://www.w3.org/2003/05/soap-envelope",
  httpTransport: "http://schemas.xmlsoap.org/soap/http",
  /** OASIS WS-Security 1.0/1.1: the Security header, its tokens, and the utility (wsu) attributes. */
  wsse: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
  wsu: "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
  /** WS-Policy 1.5 and WS-SecurityPolicy 1.2, for the WSDL's description of what we accept. */
  wsp: "http://www.w3.org/ns/ws-policy",
  sp: "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
} as const;

export function packageNamespace(protoPackage: string): string {
  return `urn:${protoPackage}`;
}

/** The SOAPAction (1.1) / action (1.2) of an operation: unique across every service. */
export function soapAction(serviceTypeName: string, operation: string): string {
  return `urn:${serviceTypeName}/${operation}`;
}
