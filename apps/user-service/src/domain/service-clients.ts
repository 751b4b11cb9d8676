import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The services that may ask for a token with a name and a secret (OAuth 2.0 client credentials),
 * from SERVICE_CLIENTS. Secrets are compared as SHA-256 digests in constant time, and an unknown
 * name is compared against a random digest, so the timing tells neither the secret nor the names.
 */
export class ServiceClients {
  readonly #digests: ReadonlyMap<string, Buffer>;
  readonly #nobody = randomBytes(32);

  constructor(secrets: ReadonlyMap<string, string>) {
    this.#digests = new Map([...secrets].map(([name, secret]) => [name, digest(secret)]));
  }

  get names(): string[] {
    return [...this.#digests.keys()];
  }

  verify(name: string, secret: string): boolean {
    const expected = this.#digests.get(name);
    const matches = timingSafeEqual(expected ?? this.#nobody, digest(secret));
    return expected !== undefined && matches;
  }
}

function digest(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** "name=secret,name2=secret2" → a map; throws a message naming what is wrong (config.ts reports it). */
export function parseServiceClients(text: string): Map<string, string> {
  const clients = new Map<string, string>();
  const entries = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  for (const [index, entry] of entries.entries()) {
    const equals = entry.indexOf("=");
    const name = entry.slice(0, equals).trim();
    const secret = entry.slice(equals + 1);
    if (equals <= 0 || secret === "") {
      // The entry itself is not quoted: it may be a secret.
      throw new Error(`must be name=secret pairs separated by commas (entry ${index + 1} is not)`);
    }
    if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
      throw new Error(`has a client name "${name}" that is not lowercase letters, digits and dashes`);
    if (clients.has(name)) throw new Error(`names ${name} twice`);
    clients.set(name, secret);
  }
  return clients;
}
