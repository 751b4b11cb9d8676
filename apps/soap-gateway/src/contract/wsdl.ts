/**
 * The WSDL 1.1 (document/literal wrapped) of one SOAP service, generated from its descriptors:
 * one XSD schema in urn:<package> with a complexType per message, a restricted string per enum,
 * a global element per operation and per <Op>Response, the GrpcStatus Fault detail; a port type,
 * a SOAP 1.1 and a SOAP 1.2 binding, and a port for each; the WS-Security policy of every
 * operation that needs a caller (security-policy.ts).
 */
import type { DescEnum, DescField, DescMessage, DescOneof } from "@bufbuild/protobuf";
import { escapeXml } from "../xml/escape.js";
import { protoComment } from "./comments.js";
import { NS, packageNamespace, soapAction } from "./namespaces.js";
import type { SoapService } from "./operations.js";
import { CALLER_POLICY_ID, callerPolicy, needsCaller } from "./security-policy.js";
import { isRepeated, messageType, scalarType, valueType, type XmlType } from "./xsd-types.js";

export function generateWsdl(soap: SoapService, location: string): string {
  const { service } = soap;
  const pkg = service.file.proto.package;
  const tns = packageNamespace(pkg);
  const doc = (fullName: string) => soap.docs.get(fullName) ?? protoComment(fullName);
  const types = collectTypes(soap);

  const out: string[] = [];
  const line = (text: string) => out.push(text);
  const documentation = (indent: string, fullName: string) => {
    const text = doc(fullName);
    if (text)
      line(
        `${indent}<xsd:annotation><xsd:documentation>${escapeXml(text)}</xsd:documentation></xsd:annotation>`,
      );
  };

  line(`<?xml version="1.0" encoding="UTF-8"?>`);
  line(
    `<wsdl:definitions name="${service.name}" targetNamespace="${tns}" xmlns:tns="${tns}" xmlns:wsdl="${NS.wsdl}" ` +
      `xmlns:soap="${NS.wsdlSoap11}" xmlns:soap12="${NS.wsdlSoap12}" xmlns:xsd="${NS.xsd}" ` +
      `xmlns:wsp="${NS.wsp}" xmlns:sp="${NS.sp}" xmlns:wsu="${NS.wsu}">`,
  );
  const serviceDoc = doc(service.typeName);
  if (serviceDoc) line(`  <wsdl:documentation>${escapeXml(serviceDoc)}</wsdl:documentation>`);
  const protectedOps = new Set(soap.operations.filter((op) => needsCaller(op.method)).map((op) => op.name));
  if (protectedOps.size > 0) out.push(...callerPolicy(location.startsWith("https:")));
  line(`  <wsdl:types>`);
  line(`    <xsd:schema targetNamespace="${tns}" elementFormDefault="qualified">`);
  for (const op of soap.operations) {
    line(`      <xsd:element name="${op.name}" type="tns:${op.input.name}"/>`);
    line(`      <xsd:element name="${op.name}Response" type="tns:${op.output.name}"/>`);
  }
  line(`      <xsd:element name="GrpcStatus" type="tns:GrpcStatus"/>`);
  for (const message of types.messages) {
    line(`      <xsd:complexType name="${message.name}">`);
    documentation("        ", message.typeName);
    line(`        <xsd:sequence>`);
    for (const member of message.members) {
      if (member.kind === "oneof") writeChoice(member);
      else writeField(member, "          ", true);
    }
    line(`        </xsd:sequence>`);
    line(`      </xsd:complexType>`);
  }
  for (const desc of types.enums) writeEnum(desc);
  line(`    </xsd:schema>`);
  line(`  </wsdl:types>`);

  for (const op of soap.operations) {
    line(
      `  <wsdl:message name="${op.name}Input"><wsdl:part name="parameters" element="tns:${op.name}"/></wsdl:message>`,
    );
    line(
      `  <wsdl:message name="${op.name}Output"><wsdl:part name="parameters" element="tns:${op.name}Response"/></wsdl:message>`,
    );
  }
  line(
    `  <wsdl:message name="GrpcStatusFault"><wsdl:part name="fault" element="tns:GrpcStatus"/></wsdl:message>`,
  );

  line(`  <wsdl:portType name="${service.name}PortType">`);
  for (const op of soap.operations) {
    line(`    <wsdl:operation name="${op.name}">`);
    const opDoc = doc(op.method.parent.typeName + "." + op.method.name);
    if (opDoc) line(`      <wsdl:documentation>${escapeXml(opDoc)}</wsdl:documentation>`);
    line(`      <wsdl:input message="tns:${op.name}Input"/>`);
    line(`      <wsdl:output message="tns:${op.name}Output"/>`);
    line(`      <wsdl:fault name="GrpcStatus" message="tns:GrpcStatusFault"/>`);
    line(`    </wsdl:operation>`);
  }
  line(`  </wsdl:portType>`);

  for (const [binding, prefix] of [
    ["Soap11", "soap"],
    ["Soap12", "soap12"],
  ] as const) {
    line(`  <wsdl:binding name="${service.name}${binding}" type="tns:${service.name}PortType">`);
    line(`    <${prefix}:binding style="document" transport="${NS.httpTransport}"/>`);
    for (const op of soap.operations) {
      line(`    <wsdl:operation name="${op.name}">`);
      line(
        `      <${prefix}:operation soapAction="${soapAction(service.typeName, op.name)}" style="document"/>`,
      );
      if (protectedOps.has(op.name)) line(`      <wsp:PolicyReference URI="#${CALLER_POLICY_ID}"/>`);
      line(`      <wsdl:input><${prefix}:body use="literal"/></wsdl:input>`);
      line(`      <wsdl:output><${prefix}:body use="literal"/></wsdl:output>`);
      line(
        `      <wsdl:fault name="GrpcStatus"><${prefix}:fault name="GrpcStatus" use="literal"/></wsdl:fault>`,
      );
      line(`    </wsdl:operation>`);
    }
    line(`  </wsdl:binding>`);
  }

  line(`  <wsdl:service name="${service.name}">`);
  line(`    <wsdl:port name="${service.name}Soap11" binding="tns:${service.name}Soap11">`);
  line(`      <soap:address location="${escapeXml(location)}"/>`);
  line(`    </wsdl:port>`);
  line(`    <wsdl:port name="${service.name}Soap12" binding="tns:${service.name}Soap12">`);
  line(`      <soap12:address location="${escapeXml(location)}"/>`);
  line(`    </wsdl:port>`);
  line(`  </wsdl:service>`);
  line(`</wsdl:definitions>`);
  return `${out.join("\n")}\n`;

  function writeField(field: DescField, indent: string, optional: boolean) {
    const occurs = `${optional ? ' minOccurs="0"' : ""}${isRepeated(field) ? ' maxOccurs="unbounded"' : ""}`;
    const fullName = `${field.parent.typeName}.${field.name}`;
    if (field.fieldKind === "map") {
      line(`${indent}<xsd:element name="${field.jsonName}"${occurs}>`);
      documentation(`${indent}  `, fullName);
      line(`${indent}  <xsd:complexType><xsd:sequence>`);
      line(`${indent}    <xsd:element name="key" type="${typeRef(scalarType(field.mapKey))}"/>`);
      line(`${indent}    <xsd:element name="value" type="${typeRef(valueType(field))}"/>`);
      line(`${indent}  </xsd:sequence></xsd:complexType>`);
      line(`${indent}</xsd:element>`);
      return;
    }
    const text = doc(fullName);
    const head = `${indent}<xsd:element name="${field.jsonName}" type="${typeRef(valueType(field))}"${occurs}`;
    if (!text) line(`${head}/>`);
    else {
      line(`${head}>`);
      documentation(`${indent}  `, fullName);
      line(`${indent}</xsd:element>`);
    }
  }

  function writeChoice(oneof: DescOneof) {
    line(`          <xsd:choice minOccurs="0">`);
    documentation("            ", `${oneof.parent.typeName}.${oneof.name}`);
    for (const field of oneof.fields) writeField(field, "            ", false);
    line(`          </xsd:choice>`);
  }

  function writeEnum(desc: DescEnum) {
    line(`      <xsd:simpleType name="${desc.name}">`);
    documentation("        ", desc.typeName);
    line(`        <xsd:restriction base="xsd:string">`);
    for (const value of desc.values) {
      const text = doc(`${desc.typeName}.${value.name}`);
      line(
        text
          ? `          <xsd:enumeration value="${value.name}"><xsd:annotation><xsd:documentation>${escapeXml(text)}</xsd:documentation></xsd:annotation></xsd:enumeration>`
          : `          <xsd:enumeration value="${value.name}"/>`,
      );
    }
    line(`        </xsd:restriction>`);
    line(`      </xsd:simpleType>`);
  }
}

function typeRef(type: XmlType): string {
  switch (type.kind) {
    case "scalar":
    case "wkt":
      return type.xsd;
    case "enum":
      return `tns:${type.desc.name}`;
    case "message":
      return `tns:${type.desc.name}`;
  }
}

/**
 * Every message and enum the operations reach, in a stable order. They must all live in the
 * service's package (one schema, one namespace) and have distinct names: checked, not assumed.
 */
export function collectTypes(soap: SoapService): { messages: DescMessage[]; enums: DescEnum[] } {
  const pkg = soap.service.file.proto.package;
  const messages = new Map<string, DescMessage>();
  const enums = new Map<string, DescEnum>();
  const visit = (type: XmlType) => {
    if (type.kind === "enum") return register(enums, type.desc);
    if (type.kind !== "message" || messages.has(type.desc.typeName)) return;
    register(messages, type.desc);
    for (const field of type.desc.fields) visit(valueType(field));
  };
  const register = <T extends DescMessage | DescEnum>(into: Map<string, T>, desc: T) => {
    if (desc.file.proto.package !== pkg) {
      throw new Error(`${desc.typeName} is outside ${pkg}: a second schema namespace is not supported yet`);
    }
    if (desc.typeName !== `${pkg}.${desc.name}`)
      throw new Error(`${desc.typeName}: nested types are not supported yet`);
    into.set(desc.typeName, desc);
  };
  for (const op of soap.operations) {
    visit(messageType(op.input));
    visit(messageType(op.output));
  }
  visit(messageType(soap.grpcStatus));
  return { messages: [...messages.values()], enums: [...enums.values()] };
}
