/**
 * One test per attack of the issue, each with its payload: the answer is a Fault (HTTP 500, the
 * gRPC status in the detail), the gateway goes on answering, and no backend call is made.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NS } from "../src/contract/namespaces.js";
import { MAX_SECURITY_ELEMENTS, WSS } from "../src/security/security-header.js";
import {
  action,
  envelope11,
  faultOf,
  post,
  type RawResponse,
  SOAP11_NS,
  SOAP12_NS,
  USER_NS,
} from "./raw-soap.js";
import { type SystemUnderTest, startSystem } from "./system.js";

const MAX_BODY = 1024 * 1024;
let system: SystemUnderTest;
let userId: string;
let endpoint: string;
/** A listener an XXE would make the gateway connect to: it must never see a connection. */
let bait: Server;
let baitConnections = 0;

beforeAll(async () => {
  system = await startSystem({ maxBodyBytes: MAX_BODY });
  endpoint = `${system.url}/ws/UserService`;
  const created = await post(
    endpoint,
    envelope11(
      `<u:CreateUser><u:requestId>${randomUUID()}</u:requestId><u:name>Bo</u:name><u:email>bo-${randomUUID()}@example.com</u:email></u:CreateUser>`,
    ),
    { "content-type": "text/xml", soapaction: action("CreateUser") },
  );
  userId = /<tns:id>([^<]+)<\/tns:id>/.exec(created.text)![1]!;
  bait = createServer((_, res) => res.end("<!ENTITY stolen 'yes'>"));
  bait.on("connection", () => baitConnections++);
  await new Promise<void>((resolve) => bait.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await system.close();
  bait.close();
});

const baitUrl = () => `http://127.0.0.1:${(bait.address() as AddressInfo).port}/evil.dtd`;
const getUser = (id = userId) => `<u:GetUser><u:id>${id}</u:id></u:GetUser>`;

/** Sends the attack; checks the Fault, that no backend call was made, and that the gateway still works. */
async function refused(
  send: () => Promise<RawResponse>,
  expected: { codeName: string; soapCode?: string; message?: RegExp },
): Promise<RawResponse> {
  const rpcsBefore = system.rpcs();
  const response = await send();
  expect(response.status).toBe(500);
  const fault = faultOf(response);
  expect(fault.codeName).toBe(expected.codeName);
  expect(fault.soapCode).toBe(expected.soapCode ?? "env:Client");
  if (expected.message) expect(fault.message).toMatch(expected.message);
  expect(system.rpcs()).toBe(rpcsBefore);
  const alive = await post(endpoint, envelope11(getUser()), {
    ...xml11,
    authorization: system.admin.authorization,
  });
  expect(alive.status).toBe(200);
  expect(alive.text).toContain(userId);
  return response;
}

const xml11 = { "content-type": "text/xml; charset=utf-8", soapaction: action("GetUser") };

describe("DTDs are refused before anything is expanded or fetched", () => {
  it("XXE reading a local file", async () => {
    const payload = `<?xml version="1.0"?>
<!DOCTYPE s:Envelope [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:u="${USER_NS}"><s:Body><u:GetUser><u:id>&xxe;</u:id></u:GetUser></s:Body></s:Envelope>`;
    const response = await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /DOCTYPE is not allowed/,
    });
    expect(response.text).not.toContain("root:");
  });

  it("XXE fetching a URL (internal entity and external DTD)", async () => {
    const entity = `<?xml version="1.0"?>
<!DOCTYPE s:Envelope [ <!ENTITY xxe SYSTEM "${baitUrl()}"> ]>
<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:u="${USER_NS}"><s:Body><u:GetUser><u:id>&xxe;</u:id></u:GetUser></s:Body></s:Envelope>`;
    const externalDtd = `<?xml version="1.0"?>
<!DOCTYPE s:Envelope SYSTEM "${baitUrl()}">
<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:u="${USER_NS}"><s:Body><u:GetUser><u:id>&stolen;</u:id></u:GetUser></s:Body></s:Envelope>`;
    for (const payload of [entity, externalDtd]) {
      await refused(() => post(endpoint, payload, xml11), {
        codeName: "INVALID_ARGUMENT",
        message: /DOCTYPE/,
      });
    }
    expect(baitConnections).toBe(0);
  });

  it("billion laughs", async () => {
    const payload = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:u="${USER_NS}"><s:Body><u:GetUser><u:id>&lol9;</u:id></u:GetUser></s:Body></s:Envelope>`;
    await refused(() => post(endpoint, payload, xml11), { codeName: "INVALID_ARGUMENT", message: /DOCTYPE/ });
  });

  it("quadratic blow-up (one large entity referenced many times)", async () => {
    const payload = `<?xml version="1.0"?>
<!DOCTYPE s:Envelope [ <!ENTITY a "${"a".repeat(100_000)}"> ]>
<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:u="${USER_NS}"><s:Body><u:GetUser><u:id>${"&a;".repeat(50_000)}</u:id></u:GetUser></s:Body></s:Envelope>`;
    await refused(() => post(endpoint, payload, xml11), { codeName: "INVALID_ARGUMENT", message: /DOCTYPE/ });
  });
});

describe("limits hold before and while parsing", () => {
  it("a declared Content-Length over the limit is refused unread", async () => {
    const payload = envelope11(`<u:GetUser><u:id>${" ".repeat(MAX_BODY)}</u:id></u:GetUser>`);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /larger than 1048576 bytes/,
    });
  });

  it("a chunked body is cut off as soon as it passes the limit", async () => {
    const head = Buffer.from(
      envelope11("").replace("<s:Body></s:Body></s:Envelope>", `<s:Body><u:GetUser><u:id>`),
    );
    const filler = Array.from({ length: 64 }, () => Buffer.alloc(64 * 1024, 0x20)); // 4 MiB of spaces, no length
    await refused(() => post(endpoint, [head, ...filler], xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /larger than/,
    });
  });

  it("nesting deeper than the limit", async () => {
    const payload = envelope11(
      `<u:GetUser>${"<u:id>".repeat(10_000)}${"</u:id>".repeat(10_000)}</u:GetUser>`,
    );
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /deeper than 32/,
    });
  });

  it("more elements than the limit", async () => {
    const payload = envelope11(`<u:GetUser>${"<u:x/>".repeat(20_000)}</u:GetUser>`);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /more than 10000 elements/,
    });
  });

  it("more attributes on one element than the limit", async () => {
    const attributes = Array.from({ length: 1_000 }, (_, i) => `a${i}="x"`).join(" ");
    const payload = envelope11(`<u:GetUser ${attributes}><u:id>${userId}</u:id></u:GetUser>`);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /attributes/,
    });
  });

  it("text longer than the limit", async () => {
    const payload = envelope11(getUser("x".repeat(100_000)));
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /longer than 65536/,
    });
  });
});

describe("malformed or mislabelled requests", () => {
  it("invalid UTF-8", async () => {
    const [before, after] = envelope11(getUser("MARK")).split("MARK");
    const payload = Buffer.concat([
      Buffer.from(before!),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from(after!),
    ]);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /not valid UTF-8/,
    });
  });

  it("an encoding other than UTF-8 declared", async () => {
    const payload = envelope11(getUser()).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"');
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /ISO-8859-1/,
    });
  });

  it("a processing instruction", async () => {
    const payload = envelope11(getUser()).replace("<s:Body>", '<s:Body><?xml-stylesheet href="http://x/"?>');
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /processing instruction/,
    });
  });

  it("a wrong envelope namespace", async () => {
    const payload = envelope11(getUser()).replace(SOAP11_NS, "http://example.com/not-soap");
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      soapCode: "env:VersionMismatch",
      message: /expected a SOAP 1.1 Envelope/,
    });
  });

  it("a SOAP 1.2 envelope sent as text/xml (SOAP 1.1)", async () => {
    const payload = envelope11(getUser()).replace(SOAP11_NS, SOAP12_NS);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      soapCode: "env:VersionMismatch",
    });
  });

  it("two Body children", async () => {
    const payload = envelope11(`${getUser()}<u:DeleteUser><u:id>${userId}</u:id></u:DeleteUser>`);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /exactly one element, not 2/,
    });
  });

  it("a missing SOAPAction", async () => {
    await refused(() => post(endpoint, envelope11(getUser()), { "content-type": "text/xml" }), {
      codeName: "INVALID_ARGUMENT",
      message: /SOAPAction header is missing/,
    });
  });

  it("a SOAPAction naming another operation than the Body", async () => {
    const payload = envelope11(`<u:DeleteUser><u:id>${userId}</u:id></u:DeleteUser>`);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /does not match operation DeleteUser/,
    });
  });

  it("a SOAP 1.2 action parameter naming another operation", async () => {
    const payload = envelope11(`<u:DeleteUser><u:id>${userId}</u:id></u:DeleteUser>`).replace(
      SOAP11_NS,
      SOAP12_NS,
    );
    const headers = { "content-type": `application/soap+xml; charset=utf-8; action=${action("GetUser")}` };
    const response = await refused(() => post(endpoint, payload, headers), {
      codeName: "INVALID_ARGUMENT",
      soapCode: "env:Sender",
    });
    expect(response.contentType).toBe("application/soap+xml; charset=utf-8");
  });

  for (const contentType of ["application/json", "text/plain", "application/xml"]) {
    it(`Content-Type ${contentType}`, async () => {
      await refused(
        () =>
          post(endpoint, envelope11(getUser()), {
            "content-type": contentType,
            soapaction: action("GetUser"),
          }),
        {
          codeName: "INVALID_ARGUMENT",
          message: /Content-Type must be text\/xml/,
        },
      );
    });
  }

  it("a charset other than UTF-8", async () => {
    const headers = { "content-type": "text/xml; charset=iso-8859-1", soapaction: action("GetUser") };
    await refused(() => post(endpoint, envelope11(getUser()), headers), {
      codeName: "INVALID_ARGUMENT",
      message: /charset iso-8859-1 is not supported/,
    });
  });

  it("a header block marked mustUnderstand that nothing understands", async () => {
    const header = `<s:Header><w:Security xmlns:w="urn:x-wsse" s:mustUnderstand="1"/></s:Header>`;
    await refused(() => post(endpoint, envelope11(getUser(), header), xml11), {
      codeName: "INVALID_ARGUMENT",
      soapCode: "env:MustUnderstand",
    });
  });

  it("an element the message does not have", async () => {
    const payload = envelope11(`<u:GetUser><u:id>${userId}</u:id><u:admin>true</u:admin></u:GetUser>`);
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /has no field "admin"/,
    });
  });
});

describe("a hostile wsse:Security header is refused by the same reader, before any login", () => {
  const security = (inner: string) =>
    `<s:Header><wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">${inner}</wsse:Security></s:Header>`;

  it("nested deeper than the reader's limit", async () => {
    const deep = `${"<wsu:Timestamp>".repeat(40)}${"</wsu:Timestamp>".repeat(40)}`;
    await refused(() => post(endpoint, envelope11(getUser(), security(deep)), xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /nested deeper than 32/,
    });
  });

  it(`with more than ${MAX_SECURITY_ELEMENTS} elements`, async () => {
    const many = `<wsse:UsernameToken>${"<wsse:Nonce>AAAAAAAAAAA=</wsse:Nonce>".repeat(200)}</wsse:UsernameToken>`;
    await refused(() => post(endpoint, envelope11(getUser(), security(many)), xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /more than 16 elements/,
    });
  });

  it("a token longer than the reader's text limit", async () => {
    const huge = `<wsse:BinarySecurityToken ValueType="${WSS.jwtValueType}">${"a".repeat(70_000)}</wsse:BinarySecurityToken>`;
    await refused(() => post(endpoint, envelope11(getUser(), security(huge)), xml11), {
      codeName: "RESOURCE_EXHAUSTED",
      message: /longer than 65536 characters/,
    });
  });

  it("a DOCTYPE declaring an entity for the password", async () => {
    const payload = `<!DOCTYPE s:Envelope [ <!ENTITY pw SYSTEM "file:///etc/passwd"> ]>${envelope11(
      getUser(),
      security(
        "<wsse:UsernameToken><wsse:Username>a@example.com</wsse:Username><wsse:Password>&pw;</wsse:Password></wsse:UsernameToken>",
      ),
    ).replace(/^<\?xml[^>]*>/, "")}`;
    await refused(() => post(endpoint, payload, xml11), {
      codeName: "INVALID_ARGUMENT",
      message: /DOCTYPE is not allowed/,
    });
  });
});
