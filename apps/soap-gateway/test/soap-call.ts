/**
 * One SOAP 1.1 call to any operation of the gateway, as raw XML, with a WS-Security header or an
 * Authorization header: for tables of caller × operation → code, and for signing up and logging in
 * through the gateway itself (CreateUser and AuthService Login need no token).
 */
import { randomUUID } from "node:crypto";
import { escapeXml } from "../src/xml/escape.js";
import { type ClientTlsFiles, faultOf, post, type RawResponse, SOAP11_NS } from "./raw-soap.js";
import { jwtSecurity } from "./wsse.js";

const PACKAGES = {
  AuthService: "switchboard.auth.v1",
  UserService: "switchboard.user.v1",
  ImageService: "switchboard.image.v1",
  NotificationService: "switchboard.notification.v1",
} as const;
export type SoapServiceName = keyof typeof PACKAGES;

export interface Credentials {
  /** A wsse:Security header block (test/wsse.ts). */
  security?: string;
  /** An HTTP Authorization header, passed on as it is. */
  authorization?: string;
}

/** `fields`: child elements by name (text, escaped), or the inner XML as it is. */
export function soapCall(
  gatewayUrl: string,
  service: SoapServiceName,
  operation: string,
  fields: Record<string, string | number> | string,
  credentials: Credentials = {},
  tls?: ClientTlsFiles,
): Promise<RawResponse> {
  const pkg = PACKAGES[service];
  const inner =
    typeof fields === "string"
      ? fields
      : Object.entries(fields)
          .map(([name, value]) => `<t:${name}>${escapeXml(String(value))}</t:${name}>`)
          .join("");
  const header = credentials.security ? `<s:Header>${credentials.security}</s:Header>` : "";
  const xml = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${SOAP11_NS}" xmlns:t="urn:${pkg}">${header}<s:Body><t:${operation}>${inner}</t:${operation}></s:Body></s:Envelope>`;
  return post(
    `${gatewayUrl}/ws/${service}`,
    xml,
    {
      "content-type": "text/xml; charset=utf-8",
      soapaction: `"urn:${pkg}.${service}/${operation}"`,
      ...(credentials.authorization ? { authorization: credentials.authorization } : {}),
    },
    tls,
  );
}

/** "OK" for an answer, else the Fault's gRPC code name. */
export function codeOf(response: RawResponse): string {
  return response.status === 200 ? "OK" : faultOf(response).codeName;
}

/** The text of the first element named `local` in an answer (`id`, `accessToken`, …). */
export function textOf(response: RawResponse, local: string): string {
  const found = new RegExp(`<tns:${local}>([^<]*)</tns:${local}>`).exec(response.text)?.[1];
  if (found === undefined)
    throw new Error(`no <${local}> in ${response.status}: ${response.text.slice(0, 400)}`);
  return found;
}

export interface SignedUp {
  id: string;
  email: string;
  password: string;
  token: string;
  /** The token as a wsse:Security header. */
  security: string;
}

/** AuthService Login through the gateway: the access token. */
export async function logIn(gatewayUrl: string, email: string, password: string): Promise<string> {
  const answer = await soapCall(gatewayUrl, "AuthService", "Login", { email, password });
  return textOf(answer, "accessToken");
}

/** A new user, signed up (CreateUser with a password, no token) and logged in through the gateway. */
export async function signUp(gatewayUrl: string, name = "Ana"): Promise<SignedUp> {
  const email = `${name.toLowerCase()}-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const created = await soapCall(gatewayUrl, "UserService", "CreateUser", {
    requestId: randomUUID(),
    name,
    email,
    password,
  });
  const id = textOf(created, "id");
  const token = await logIn(gatewayUrl, email, password);
  return { id, email, password, token, security: jwtSecurity(token) };
}
