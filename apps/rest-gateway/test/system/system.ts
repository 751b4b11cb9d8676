import { clientCertificate, useClientCertificateForFetch } from "./tls-client.js";

/** Where the running gateway is: `pnpm start`'s default (https under --tls), or SWITCHBOARD_REST_URL. */
export const gatewayUrl =
  process.env.SWITCHBOARD_REST_URL ??
  (clientCertificate ? "https://localhost:8080" : "http://127.0.0.1:8080");
useClientCertificateForFetch();

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field
export const body = async (response: Response): Promise<any> => response.json();

export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const post = (path: string, json: unknown) =>
  fetch(`${gatewayUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(json),
  });

/** POST /v1/auth/login → the access token (throws with the answer if the login fails). */
export async function login(email: string, password: string): Promise<string> {
  const response = await post("/v1/auth/login", { email, password });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${await response.text()}`);
  return (await body(response)).accessToken;
}

let n = 0;
export const newEmail = () => `rest.${Date.now().toString(36)}${n++}@example.com`;

/** A new user, signed up (CreateUser with a password) and logged in, as a person would. */
export async function signUp(name: string) {
  const email = newEmail();
  const password = `pw-${crypto.randomUUID()}`;
  const created = await post("/v1/users", { name, email, password });
  if (created.status !== 200) throw new Error(`sign-up: ${created.status} ${await created.text()}`);
  const { user } = await body(created);
  const token = await login(email, password);
  return { user: user as { id: string; name: string; email: string }, token, auth: bearer(token) };
}

/** The dev admin `pnpm start` creates (SWITCHBOARD_ADMIN_EMAIL / _PASSWORD, with user-service's defaults). */
export async function adminAuth() {
  return bearer(
    await login(
      process.env.SWITCHBOARD_ADMIN_EMAIL ?? "admin@example.com",
      process.env.SWITCHBOARD_ADMIN_PASSWORD ?? "switchboard-admin",
    ),
  );
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
