/**
 * Typed configuration from environment variables, parsed once (in a service's main.ts).
 * Every variable is described by a small parser; a bad value names the variable.
 */

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

/** Reads one variable's raw value; throws a plain message (the variable's name is added). */
export interface Setting<T> {
  parse(raw: string | undefined): T;
}

type Spec = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Spec> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

function present(raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== "";
}

function withDefault<T>(parse: (raw: string) => T, fallback: T | undefined): Setting<T> {
  return {
    parse(raw) {
      if (present(raw)) return parse(raw.trim());
      if (fallback === undefined) throw new Error("is required");
      return fallback;
    },
  };
}

export const setting = {
  string(fallback?: string): Setting<string> {
    return withDefault((raw) => raw, fallback);
  },
  optionalString(): Setting<string | undefined> {
    return { parse: (raw) => (present(raw) ? raw.trim() : undefined) };
  },
  integer(options: { default?: number; min?: number; max?: number } = {}): Setting<number> {
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    return withDefault((raw) => {
      const value = Number(raw);
      if (!/^-?\d+$/.test(raw) || value < min || value > max) {
        throw new Error(`must be an integer from ${min} to ${max} (got "${raw}")`);
      }
      return value;
    }, options.default);
  },
  port(fallback?: number): Setting<number> {
    return setting.integer({ default: fallback, min: 0, max: 65535 });
  },
  boolean(fallback?: boolean): Setting<boolean> {
    return withDefault((raw) => {
      const value = raw.toLowerCase();
      if (["1", "true", "yes", "on"].includes(value)) return true;
      if (["0", "false", "no", "off"].includes(value)) return false;
      throw new Error(`must be true or false (got "${raw}")`);
    }, fallback);
  },
  oneOf<const T extends string>(values: readonly T[], fallback?: T): Setting<T> {
    return withDefault((raw) => {
      if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(", ")} (got "${raw}")`);
      return raw as T;
    }, fallback);
  },
  url(fallback?: string): Setting<string> {
    return withDefault((raw) => {
      if (!URL.canParse(raw)) throw new Error(`must be a URL (got "${raw}")`);
      return raw;
    }, fallback);
  },
  optionalUrl(): Setting<string | undefined> {
    return {
      parse(raw) {
        if (!present(raw)) return undefined;
        if (!URL.canParse(raw.trim())) throw new Error(`must be a URL (got "${raw}")`);
        return raw.trim();
      },
    };
  },
};

/** Parses every variable of `spec` from `env`; reports all bad variables at once. */
export function loadConfig<S extends Spec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, parser] of Object.entries(spec)) {
    try {
      config[name] = parser.parse(env[name]);
    } catch (error) {
      problems.push(`${name} ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config) as ConfigOf<S>;
}

/** For main.ts: parse, or print the problems and stop the process. */
export function loadConfigOrExit<S extends Spec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  try {
    return loadConfig(spec, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
