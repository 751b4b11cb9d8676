import { type Logger, pino } from "pino";

export type { Logger } from "pino";

export interface LoggerOptions {
  /** The service name, on every line. */
  name: string;
  level?: string;
  /** Human-readable output for a terminal; JSON lines otherwise. */
  pretty?: boolean;
}

/** One pino logger per process: JSON to stdout, or pretty lines in development. */
export function createLogger({ name, level = "info", pretty = false }: LoggerOptions): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } } }
      : {}),
  });
}
