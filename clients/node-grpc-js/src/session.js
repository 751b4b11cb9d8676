// A login (AuthService on user-service): the access token every call sends as
// `authorization: Bearer …`, refreshed with the single-use refresh token shortly before it expires.

/** Refresh this long before the access token expires, so no call leaves with a token about to lapse. */
export const REFRESH_MARGIN_MS = 30_000;

/** The dev admin's login: SWITCHBOARD_ADMIN_EMAIL / SWITCHBOARD_ADMIN_PASSWORD (`pnpm start`'s defaults). */
export function adminCredentialsFromEnv(env = process.env) {
  return {
    email: env.SWITCHBOARD_ADMIN_EMAIL || "admin@example.com",
    password: env.SWITCHBOARD_ADMIN_PASSWORD || "switchboard-admin",
  };
}

/** Calls a unary method of a stock grpc-js client as a promise (the token calls need none). */
function unary(client, method, request, timeoutMs) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + timeoutMs }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

export class Session {
  #auth;
  #tokens;
  #expiresAt;
  #clock;
  #timeoutMs;
  /** The refresh under way, shared by every call that needs a token meanwhile (single use!). */
  #refreshing;

  /** `auth`: a grpc-js AuthService client; `tokens`: the Tokens of a Login or Refresh. */
  constructor(auth, tokens, { clock = Date.now, timeoutMs = 10_000 } = {}) {
    this.#auth = auth;
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#take(tokens);
  }

  /** AuthService.Login; rejects with the gRPC error (UNAUTHENTICATED for a wrong email or password). */
  static async login(auth, { email, password }, options = {}) {
    const { tokens } = await unary(auth, "Login", { email, password }, options.timeoutMs ?? 10_000);
    return new Session(auth, tokens, options);
  }

  /** Who this login is: the user's id. */
  get subject() {
    return this.#tokens.subject;
  }

  get refreshToken() {
    return this.#tokens.refreshToken;
  }

  /** The access token to send, refreshed first when it expires within REFRESH_MARGIN_MS. */
  async accessToken() {
    if (this.#clock() >= this.#expiresAt - REFRESH_MARGIN_MS) await this.refresh();
    return this.#tokens.accessToken;
  }

  /** AuthService.Refresh now: new tokens; the old refresh token is retired. */
  refresh() {
    this.#refreshing ??= unary(
      this.#auth,
      "Refresh",
      { refreshToken: this.#tokens.refreshToken },
      this.#timeoutMs,
    )
      .then(({ tokens }) => this.#take(tokens))
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** AuthService.Logout: this login's refresh tokens stop working. */
  async logout() {
    await unary(this.#auth, "Logout", { refreshToken: this.#tokens.refreshToken }, this.#timeoutMs);
  }

  #take(tokens) {
    if (!tokens?.accessToken) throw new Error("the login answered without an access token");
    this.#tokens = tokens;
    this.#expiresAt = this.#clock() + tokens.expiresIn * 1000;
  }
}
