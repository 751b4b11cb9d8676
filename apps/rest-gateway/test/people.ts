import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { ADMIN } from "./backends.js";

/** The header a logged-in caller sends. */
export type Auth = { authorization: string };

export interface Person {
  id: string;
  email: string;
  password: string;
  token: string;
  auth: Auth;
}

let counter = 0;
/** A unique email for a name ("Ana María" → ana.maría.<stamp>@example.com). */
export const email = (name: string) =>
  `${name.toLowerCase().replaceAll(" ", "")}.${Date.now().toString(36)}${counter++}@example.com`;

const postJson = (app: FastifyInstance, url: string, payload: unknown) =>
  app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json" },
    payload: payload as object,
  });

/** POST /v1/auth/login through the gateway → the access token. */
export async function logIn(app: FastifyInstance, address: string, password: string): Promise<string> {
  const response = await postJson(app, "/v1/auth/login", { email: address, password });
  if (response.statusCode !== 200)
    throw new Error(`login ${address}: ${response.statusCode} ${response.body}`);
  return response.json().accessToken;
}

/** The harness's admin logged in at a gateway listening at `baseUrl` (a gateway process). */
export async function adminAuthAt(baseUrl: string): Promise<Auth> {
  const response = await fetch(`${baseUrl}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  if (response.status !== 200) throw new Error(`admin login: ${response.status} ${await response.text()}`);
  const { accessToken } = (await response.json()) as { accessToken: string };
  return { authorization: `Bearer ${accessToken}` };
}

/** Signs up through the gateway (POST /v1/users with a password, no token) and logs in, as a person would. */
export async function signUp(app: FastifyInstance, name = "Ana"): Promise<Person> {
  const address = email(name);
  const password = `pw-${randomUUID()}`;
  const created = await postJson(app, "/v1/users", { name, email: address, password });
  if (created.statusCode !== 200) throw new Error(`sign-up: ${created.statusCode} ${created.body}`);
  const token = await logIn(app, address, password);
  return {
    id: created.json().user.id,
    email: address,
    password,
    token,
    auth: { authorization: `Bearer ${token}` },
  };
}

/** The harness's first admin, logged in. */
export async function logInAdmin(app: FastifyInstance): Promise<Person> {
  const token = await logIn(app, ADMIN.email, ADMIN.password);
  const me = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub: string };
  return { id: me.sub, ...ADMIN, token, auth: { authorization: `Bearer ${token}` } };
}
