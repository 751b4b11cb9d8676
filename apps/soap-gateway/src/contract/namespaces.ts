/** The namespaces of SOAP, WSDL and XSD, and ours: urn:<proto package>. */
export const NS = {
  wsdl: "http://schemas.xmlsoap.org/wsdl/",
  wsdlSoap11: "http://schemas.xmlsoap.org/wsdl/soap/",
  wsdlSoap12: "http://schemas.xmlsoap.org/wsdl/soap12/",
  xsd: "http://www.w3.org/2001/XMLSchema",
  soap11: "http://schemas.xmlsoap.org/soap/envelope/",
  soap12: "http://www.w3.org/2003/05/soap-envelope",
  httpTransport: "http://schemas.xmlsoap.org/soap/http",
} as const;

export function packageNamespace(protoPackage: string): string {
  return `urn:${protoPackage}`;
}

/** The SOAPAction (1.1) / action (1.2) of an operation: unique across every service. */
export function soapAction(serviceTypeName: string, operation: string): string {
  return `urn:${serviceTypeName}/${operation}`;
}
