import { type logCreator, logLevel } from "kafkajs";
import type { Logger } from "pino";

/**
 * kafkajs retries for idempotent producers are bounded on purpose (a publish must fail so the
 * outbox can retry it); the sender replaces the producer after every failure, which is what
 * keeps the sequence numbers honest. The warning kafkajs prints for it is therefore noise.
 */
const EXPECTED_WARNINGS = new Set([
  "Limiting retries for the idempotent producer may invalidate EoS guarantees",
]);

/** Routes kafkajs's own log lines (warn and above) into the process's pino logger. */
export function pinoLogCreator(logger: Logger): logCreator {
  const kafkaLogger = logger.child({ component: "kafkajs" });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...fields } = log;
      if (EXPECTED_WARNINGS.has(message)) return;
      // Two services creating the same topic at once: one gets TOPIC_ALREADY_EXISTS, which the
      // topic cache treats as success; kafkajs's connection logs the response as an error first.
      if (fields.error === "Topic creation errors" && String(message).includes("CreateTopics")) return;
      const entry = { namespace, ...fields };
      if (level === logLevel.ERROR) kafkaLogger.error(entry, message);
      else if (level === logLevel.WARN) kafkaLogger.warn(entry, message);
      else if (level === logLevel.INFO) kafkaLogger.info(entry, message);
      else kafkaLogger.debug(entry, message);
    };
}
