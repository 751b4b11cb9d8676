/**
 * The WSDL matches the contracts: walks the protobuf-es descriptors of every service (not the
 * generator's own tables) and checks each rpc, message, field, oneof and enum value appears in
 * the WSDL as the mapping rules say.
 */
import { type DescEnum, type DescField, type DescMessage, getOption, ScalarType } from "@bufbuild/protobuf";
import { comments } from "@switchboard/proto/comments.js";
import { allow_anonymous } from "@switchboard/proto/switchboard/auth/v1/access_pb.js";
import { describe, expect, it } from "vitest";
import { soapServices } from "../src/contract/operations.js";
import { generateWsdl } from "../src/contract/wsdl.js";
import type { XmlElement } from "../src/xml/xml-tree.js";
import { attr, children, find, parseXml } from "./xml-tree.js";

const XSD_OF: Partial<Record<ScalarType, string>> = {
  [ScalarType.STRING]: "xsd:string",
  [ScalarType.BYTES]: "xsd:base64Binary",
  [ScalarType.INT64]: "xsd:long",
  [ScalarType.UINT64]: "xsd:unsignedLong",
  [ScalarType.INT32]: "xsd:int",
  [ScalarType.UINT32]: "xsd:unsignedInt",
  [ScalarType.BOOL]: "xsd:boolean",
  [ScalarType.DOUBLE]: "xsd:double",
  [ScalarType.FLOAT]: "xsd:float",
};

function expectedType(field: DescField): string {
  const message = field.message;
  const enumeration = field.enum;
  if (message?.typeName === "google.protobuf.Timestamp") return "xsd:dateTime";
  if (message?.typeName === "google.protobuf.FieldMask") return "xsd:string";
  if (message) return `tns:${message.name}`;
  if (enumeration) return `tns:${enumeration.name}`;
  const xsd = field.scalar === undefined ? undefined : XSD_OF[field.scalar];
  if (!xsd) throw new Error(`test has no expectation for ${field.parent.typeName}.${field.name}`);
  return xsd;
}

const docOf = (fullName: string) => comments[fullName];
const documentation = (element: XmlElement) => find(element, "documentation")?.text;

for (const [name, soap] of soapServices()) {
  describe(`${name}?wsdl`, () => {
    const pkg = soap.service.file.proto.package;
    const wsdl = parseXml(generateWsdl(soap, `http://gateway.test/ws/${name}`));
    const schema = find(wsdl, "schema")!;
    const typeByName = new Map(
      [...children(schema, "complexType"), ...children(schema, "simpleType")].map((t) => [
        attr(t, "name"),
        t,
      ]),
    );
    const operationNames = soap.operations.map((op) => op.name);

    it("offers every unary rpc, and accounts for every other rpc", () => {
      for (const method of soap.service.methods) {
        if (method.methodKind === "unary") expect(operationNames).toContain(method.name);
        else expect(operationNames.includes(method.name) || method.name in soap.omitted).toBe(true);
      }
      expect(Object.keys(soap.omitted).every((rpc) => soap.service.methods.some((m) => m.name === rpc))).toBe(
        true,
      );
    });

    it(`declares one qualified schema in urn:${pkg} with an element per operation and per response`, () => {
      expect(attr(wsdl, "targetNamespace")).toBe(`urn:${pkg}`);
      expect(attr(schema, "targetNamespace")).toBe(`urn:${pkg}`);
      expect(attr(schema, "elementFormDefault")).toBe("qualified");
      const elements = new Map(children(schema, "element").map((e) => [attr(e, "name"), attr(e, "type")]));
      for (const op of soap.operations) {
        expect(elements.get(op.name)).toBe(`tns:${op.input.name}`);
        expect(elements.get(`${op.name}Response`)).toBe(`tns:${op.output.name}`);
        if (op.method.methodKind === "unary") {
          expect([op.input, op.output]).toEqual([op.method.input, op.method.output]);
        }
      }
    });

    it("maps every reachable message field by field, in order, with the contract's comments", () => {
      const seen = new Set<string>();
      const check = (message: DescMessage) => {
        if (seen.has(message.typeName) || message.typeName.startsWith("google.protobuf.")) return;
        seen.add(message.typeName);
        const type = typeByName.get(message.name);
        expect(type, message.typeName).toBeDefined();
        const sequence = find(type!, "sequence")!;
        const elements = sequence.children.flatMap((c) =>
          c.local === "choice" ? children(c, "element") : [c],
        );
        expect(elements.map((e) => attr(e, "name"))).toEqual(
          message.members.flatMap((m) => (m.kind === "oneof" ? m.fields : [m])).map((f) => f.jsonName),
        );
        for (const field of message.fields) {
          const element = elements.find((e) => attr(e, "name") === field.jsonName)!;
          const where = `${message.typeName}.${field.name}`;
          const repeated = field.fieldKind === "list" || field.fieldKind === "map";
          expect(attr(element, "maxOccurs"), where).toBe(repeated ? "unbounded" : undefined);
          if (field.fieldKind === "map") {
            const [key, value] = children(find(element, "sequence")!, "element");
            expect([attr(key!, "name"), attr(value!, "name")]).toEqual(["key", "value"]);
            expect(attr(value!, "type"), where).toBe(expectedType(field));
          } else {
            expect(attr(element, "type"), where).toBe(expectedType(field));
          }
          if (field.oneof) {
            const choice = sequence.children.find(
              (c) => c.local === "choice" && c.children.includes(element),
            );
            expect(choice, `${where} is in an xsd:choice`).toBeDefined();
            expect(children(choice!, "element").map((e) => attr(e, "name"))).toEqual(
              field.oneof.fields.map((f) => f.jsonName),
            );
          } else {
            expect(attr(element, "minOccurs"), where).toBe("0");
          }
          const doc = docOf(where);
          if (doc) expect(documentation(element), where).toBe(doc);
          if (field.message) check(field.message);
          if (field.enum) checkEnum(field.enum);
        }
        const doc = docOf(message.typeName);
        if (doc) expect(documentation(type!)).toBe(doc);
      };
      const checkEnum = (desc: DescEnum) => {
        const type = typeByName.get(desc.name)!;
        expect(attr(find(type, "restriction")!, "base")).toBe("xsd:string");
        expect(children(find(type, "restriction")!, "enumeration").map((e) => attr(e, "value"))).toEqual(
          desc.values.map((v) => v.name),
        );
      };
      for (const op of soap.operations) {
        check(op.input);
        check(op.output);
      }
      expect(seen.size).toBeGreaterThan(1);
    });

    it("declares the GrpcStatus fault detail on every operation of the port type", () => {
      expect(children(schema, "element").some((e) => attr(e, "name") === "GrpcStatus")).toBe(true);
      const status = typeByName.get("GrpcStatus")!;
      expect(children(find(status, "sequence")!, "element").map((e) => attr(e, "name"))).toEqual([
        "code",
        "codeName",
        "message",
        "fieldViolations",
      ]);
      const portType = find(wsdl, "portType")!;
      for (const op of children(portType, "operation")) {
        expect(attr(find(op, "fault")!, "message")).toBe("tns:GrpcStatusFault");
        const rpc = soap.operations.find((o) => o.name === attr(op, "name"))!;
        const doc = docOf(`${soap.service.typeName}.${rpc.method.name}`);
        if (doc) expect(find(op, "documentation")?.text).toBe(doc);
      }
    });

    it("binds every operation for SOAP 1.1 and 1.2, each with its soapAction and a port", () => {
      const bindings = children(wsdl, "binding");
      expect(bindings.map((b) => attr(b, "name"))).toEqual([`${name}Soap11`, `${name}Soap12`]);
      expect(bindings.map((b) => b.children[0]!.uri)).toEqual([
        "http://schemas.xmlsoap.org/wsdl/soap/",
        "http://schemas.xmlsoap.org/wsdl/soap12/",
      ]);
      for (const binding of bindings) {
        expect(
          children(binding, "operation").map((op) => attr(children(op, "operation")[0]!, "soapAction")),
        ).toEqual(operationNames.map((op) => `urn:${soap.service.typeName}/${op}`));
      }
      const ports = children(find(wsdl, "service")!, "port");
      expect(ports).toHaveLength(2);
      expect(ports.map((p) => attr(p.children[0]!, "location"))).toEqual([
        `http://gateway.test/ws/${name}`,
        `http://gateway.test/ws/${name}`,
      ]);
    });

    it("attaches the WS-Security policy to every operation the contract does not mark allow_anonymous", () => {
      for (const binding of children(wsdl, "binding")) {
        for (const op of children(binding, "operation")) {
          const rpc = soap.operations.find((o) => o.name === attr(op, "name"))!;
          const anonymous = getOption(rpc.method, allow_anonymous);
          const reference = children(op, "PolicyReference")[0];
          expect(reference ? attr(reference, "URI") : undefined, rpc.name).toBe(
            anonymous ? undefined : "#SwitchboardCaller",
          );
        }
      }
    });
  });
}

describe("the WS-Security policy", () => {
  const { users, auth } = {
    users: soapServices().get("UserService")!,
    auth: soapServices().get("AuthService")!,
  };
  const alternatives = (location: string) => {
    const policy = children(parseXml(generateWsdl(users, location)), "Policy")[0]!;
    // Each alternative: the tokens under its SupportingTokens' nested policy.
    return children(find(policy, "ExactlyOne")!, "All").map((all) =>
      find(all, "SupportingTokens")!.children[0]!.children.map((c) => c.local),
    );
  };

  it("offers a JWT over HTTP, and a JWT or a PasswordText UsernameToken over HTTPS", () => {
    expect(alternatives("http://gateway.test/ws/UserService")).toEqual([["IssuedToken"]]);
    expect(alternatives("https://gateway.test/ws/UserService")).toEqual([["IssuedToken"], ["UsernameToken"]]);
  });

  it("is declared once per WSDL, and Login needs none", () => {
    const wsdl = parseXml(generateWsdl(auth, "http://gateway.test/ws/AuthService"));
    expect(children(wsdl, "Policy")).toHaveLength(1);
    const login = children(children(wsdl, "binding")[0]!, "operation").find(
      (op) => attr(op, "name") === "Login",
    )!;
    expect(children(login, "PolicyReference")).toEqual([]);
  });
});

describe("the WSDL's documentation", () => {
  it("is the .proto comment as written there (a known message, field and rpc)", () => {
    const wsdl = parseXml(
      generateWsdl(soapServices().get("UserService")!, "http://gateway.test/ws/UserService"),
    );
    const user = find(find(wsdl, "schema")!, "complexType", "User")!;
    expect(find(user, "documentation")?.text).toMatch(/^A person who uses Switchboard\./);
    expect(find(find(user, "element", "id")!, "documentation")?.text).toBe(
      "Server-assigned identifier, a UUID (lowercase, 36 characters).",
    );
    const getUser = find(find(wsdl, "portType")!, "operation", "GetUser")!;
    expect(find(getUser, "documentation")?.text).toBe(
      "Returns one user. NOT_FOUND if there is none with that id.",
    );
  });
});
