import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

/** A real pino logger whose JSON lines are kept in memory, so tests can assert on them. */
export function memoryLogger(level = "info"): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
