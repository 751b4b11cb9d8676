/**
 * Reads an OASIS WS-Security 1.1 `wsse:Security` header block into the one credential it carries:
 * a JWT in a `wsse:BinarySecurityToken`, or a `wsse:UsernameToken` (PasswordText or
 * PasswordDigest, with its Nonce and Created), plus an optional `wsu:Timestamp`. Anything else in
 * the block — signatures, encryption, a second token — is refused: this gateway relies on TLS for
 * integrity and confidentiality, and silently skipping a signature would mislead its sender.
 */
import { Code } from "@connectrpc/connect";
import { NS } from "../contract/namespaces.js";
import { SoapFault } from "../soap/soap-fault.js";
import { attribute, type XmlElement } from "../xml/xml-tree.js";

const TOKEN_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0";
export const WSS = {
  passwordText: `${TOKEN_PROFILE}#PasswordText`,
  passwordDigest: `${TOKEN_PROFILE}#PasswordDigest`,
  base64Binary:
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary",
  /** The ValueType of a BinarySecurityToken holding a JWT: RFC 8693's token type URI for JWTs. */
  jwtValueType: "urn:ietf:params:oauth:token-type:jwt",
} as const;

/** At most this many elements in one Security block: a token, a timestamp and their few children. */
export const MAX_SECURITY_ELEMENTS = 16;
/** A JWT longer than this is not one of ours (ours are well under 1 KiB). */
export const MAX_JWT_LENGTH = 8 * 1024;

export type SecurityCredential =
  | { kind: "jwt"; token: string }
  | {
      kind: "password";
      type: "text" | "digest";
      username: string;
      password: string;
      /** The Nonce as sent (base64), if any. */
      nonce?: string;
      /** The token's wsu:Created as sent (xsd:dateTime), if any. */
      created?: string;
    };

export interface SecurityHeader {
  credential: SecurityCredential;
  timestamp?: { created?: string; expires?: string };
}

/** WSS 1.1 keeps the Security element (and its tokens) in the 1.0 namespace. */
export function isSecurityHeader(header: XmlElement): boolean {
  return header.local === "Security" && header.uri === NS.wsse;
}

const refused = (message: string) => new SoapFault(Code.Unauthenticated, `wsse:Security: ${message}`);

export function readSecurityHeader(security: XmlElement): SecurityHeader {
  if (countElements(security) > MAX_SECURITY_ELEMENTS) {
    throw new SoapFault(
      Code.ResourceExhausted,
      `wsse:Security: more than ${MAX_SECURITY_ELEMENTS} elements in the header block`,
    );
  }
  noText(security);
  let credential: SecurityCredential | undefined;
  let timestamp: SecurityHeader["timestamp"];
  for (const child of security.children) {
    const name = `{${child.uri}}${child.local}`;
    if (child.uri === NS.wsu && child.local === "Timestamp") {
      if (timestamp) throw refused("more than one wsu:Timestamp");
      timestamp = readTimestamp(child);
      continue;
    }
    const isToken =
      child.uri === NS.wsse && (child.local === "BinarySecurityToken" || child.local === "UsernameToken");
    if (!isToken) {
      throw refused(
        `${name} is not supported (no XML signature or encryption here: the transport is TLS); send a ` +
          "BinarySecurityToken with a JWT, or a UsernameToken",
      );
    }
    if (credential) throw refused("more than one token: send exactly one");
    credential = child.local === "BinarySecurityToken" ? readJwt(child) : readUsernameToken(child);
  }
  if (!credential) throw refused("no token: send a BinarySecurityToken with a JWT, or a UsernameToken");
  return { credential, ...(timestamp ? { timestamp } : {}) };
}

function readJwt(element: XmlElement): SecurityCredential {
  noChildren(element);
  const valueType = attribute(element, "", "ValueType");
  if (valueType !== WSS.jwtValueType) {
    throw refused(`BinarySecurityToken ValueType must be "${WSS.jwtValueType}", not "${valueType ?? ""}"`);
  }
  const encoding = attribute(element, "", "EncodingType");
  const text = element.text.trim();
  let token: string;
  if (encoding === undefined || encoding === "") token = text;
  else if (encoding === WSS.base64Binary)
    token = decodeBase64(text, "BinarySecurityToken").toString("latin1");
  else
    throw refused(
      `BinarySecurityToken EncodingType "${encoding}" is not supported: send Base64Binary or none`,
    );
  if (token.length > MAX_JWT_LENGTH) throw refused(`the token is longer than ${MAX_JWT_LENGTH} characters`);
  // The compact JWS form only: nothing else may reach the authorization header.
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    throw refused("the BinarySecurityToken is not a JWT (header.payload.signature, base64url)");
  }
  return { kind: "jwt", token };
}

function readUsernameToken(element: XmlElement): SecurityCredential {
  noText(element);
  const one = (uri: string, local: string) => {
    const found = element.children.filter((c) => c.uri === uri && c.local === local);
    if (found.length > 1) throw refused(`more than one ${local} in the UsernameToken`);
    if (found[0]) noChildren(found[0]);
    return found[0];
  };
  const username = one(NS.wsse, "Username")?.text.trim();
  const password = one(NS.wsse, "Password");
  const nonce = one(NS.wsse, "Nonce");
  const created = one(NS.wsu, "Created");
  const unexpected = element.children.filter(
    (c) => !(c.uri === NS.wsse && ["Username", "Password", "Nonce"].includes(c.local)) && c !== created,
  );
  if (unexpected.length > 0)
    throw refused(`UsernameToken holds an unexpected {${unexpected[0]!.uri}}${unexpected[0]!.local}`);
  if (!username) throw refused("the UsernameToken has no Username");
  if (!password) throw refused("the UsernameToken has no Password");
  const type = attribute(password, "", "Type") ?? WSS.passwordText; // the profile's default
  if (type !== WSS.passwordText && type !== WSS.passwordDigest) {
    throw refused(`Password Type "${type}" is not supported: PasswordText or PasswordDigest`);
  }
  let nonceText: string | undefined;
  if (nonce) {
    const encoding = attribute(nonce, "", "EncodingType") ?? WSS.base64Binary;
    if (encoding !== WSS.base64Binary) throw refused(`Nonce EncodingType "${encoding}" is not supported`);
    nonceText = nonce.text.trim();
    if (decodeBase64(nonceText, "Nonce").length < 8) throw refused("the Nonce is shorter than 8 bytes");
  }
  return {
    kind: "password",
    type: type === WSS.passwordText ? "text" : "digest",
    username,
    // A password's spaces are its own: only PasswordDigest's base64 is trimmed.
    password: type === WSS.passwordText ? password.text : password.text.trim(),
    ...(nonceText ? { nonce: nonceText } : {}),
    ...(created ? { created: created.text.trim() } : {}),
  };
}

function readTimestamp(element: XmlElement): SecurityHeader["timestamp"] {
  noText(element);
  const result: { created?: string; expires?: string } = {};
  for (const child of element.children) {
    noChildren(child);
    if (child.uri !== NS.wsu || (child.local !== "Created" && child.local !== "Expires")) {
      throw refused(`wsu:Timestamp holds an unexpected {${child.uri}}${child.local}`);
    }
    const key = child.local === "Created" ? "created" : "expires";
    if (result[key]) throw refused(`more than one ${child.local} in the wsu:Timestamp`);
    result[key] = child.text.trim();
  }
  return result;
}

function decodeBase64(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw refused(`the ${what} is not Base64Binary`);
  }
  return Buffer.from(text, "base64");
}

function noText(element: XmlElement): void {
  if (element.text.trim() !== "") throw refused(`text is not allowed directly in ${element.local}`);
}

function noChildren(element: XmlElement): void {
  if (element.children.length > 0) throw refused(`${element.local} must hold text only`);
}

function countElements(element: XmlElement): number {
  return element.children.reduce((sum, child) => sum + countElements(child), 1);
}
