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

/** The logger of service `name`, as its settings (LOG_LEVEL, PRETTY_LOGS) say. */
export function serviceLogger(name: string, settings: { LOG_LEVEL: string; PRETTY_LOGS: boolean }): Logger {
  return createLogger({ name, level: settings.LOG_LEVEL, pretty: settings.PRETTY_LOGS });
}
