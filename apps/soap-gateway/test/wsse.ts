/** WS-Security header blocks as clients send them, for raw SOAP requests and node-soap. */
import { createHash, randomBytes } from "node:crypto";
import { NS } from "../src/contract/namespaces.js";
import { WSS } from "../src/security/security-header.js";
import { escapeXml } from "../src/xml/escape.js";

const open = `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}">`;

/** A BinarySecurityToken carrying a JWT, as text (or Base64Binary). */
export function jwtSecurity(token: string, encoding: "none" | "base64" = "none"): string {
  const text = encoding === "base64" ? Buffer.from(token).toString("base64") : token;
  const encodingType = encoding === "base64" ? ` EncodingType="${WSS.base64Binary}"` : "";
  return `${open}<wsse:BinarySecurityToken ValueType="${WSS.jwtValueType}"${encodingType}>${escapeXml(text)}</wsse:BinarySecurityToken></wsse:Security>`;
}

/** A UsernameToken with PasswordText, with a fresh Nonce and Created unless told otherwise. */
export function passwordTextSecurity(
  username: string,
  password: string,
  { nonce = randomBytes(16).toString("base64"), created = new Date().toISOString() } = {},
): string {
  return (
    `${open}<wsse:UsernameToken><wsse:Username>${escapeXml(username)}</wsse:Username>` +
    `<wsse:Password Type="${WSS.passwordText}">${escapeXml(password)}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${WSS.base64Binary}">${nonce}</wsse:Nonce><wsu:Created>${created}</wsu:Created>` +
    "</wsse:UsernameToken></wsse:Security>"
  );
}

/** A UsernameToken with a real PasswordDigest: Base64(SHA-1(nonce + created + password)). */
export function passwordDigestSecurity(
  username: string,
  password: string,
  { nonce = randomBytes(16), created = new Date().toISOString() } = {},
): string {
  const digest = createHash("sha1").update(nonce).update(created).update(password).digest("base64");
  return (
    `${open}<wsse:UsernameToken><wsse:Username>${escapeXml(username)}</wsse:Username>` +
    `<wsse:Password Type="${WSS.passwordDigest}">${digest}</wsse:Password>` +
    `<wsse:Nonce EncodingType="${WSS.base64Binary}">${nonce.toString("base64")}</wsse:Nonce><wsu:Created>${created}</wsu:Created>` +
    "</wsse:UsernameToken></wsse:Security>"
  );
}
