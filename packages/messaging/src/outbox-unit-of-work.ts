import type { DescMessage } from "@bufbuild/protobuf";
import type { Database, Queryable, Row } from "@switchboard/database";
import { addToOutbox } from "./outbox.js";
import type { CloudEvent, OutgoingEvent } from "./port.js";

/** One transaction of a service: its own writes (`query`) and the events they cause (`emit`). */
export interface UnitOfWork extends Queryable {
  /** Stores `event` for `topic` in the outbox, in this transaction: it is published only if the transaction commits. */
  emit<Desc extends DescMessage>(topic: string, event: OutgoingEvent<Desc>): Promise<CloudEvent>;
}

export interface OutboxOptions {
  /** CloudEvents source of every event this service emits, e.g. "/switchboard/user-service". */
  source: string;
  /** The relay (or anything with wake()): told after each commit that emitted, so events go out at once. */
  relay: { wake(): void };
}

/**
 * A service's outbox, as its domain uses it: `outbox.commit(tx => …tx.emit(topic, event)…)` runs
 * the work in one transaction, stores the events it emits beside its writes, and wakes the relay
 * once they committed. The source is bound here, once per service.
 */
export class Outbox {
  constructor(
    private readonly db: Database,
    private readonly options: OutboxOptions,
  ) {}

  async commit<T>(work: (tx: UnitOfWork) => Promise<T>): Promise<T> {
    let emitted = 0;
    const result = await this.db.transaction((tx) =>
      work(new OutboxTransaction(tx, this.options.source, () => emitted++)),
    );
    if (emitted > 0) this.options.relay.wake();
    return result;
  }
}

class OutboxTransaction implements UnitOfWork {
  constructor(
    private readonly tx: Queryable,
    private readonly source: string,
    private readonly onEmit: () => void,
  ) {}

  query<R extends Row = Row>(sql: string, params?: readonly unknown[]) {
    return this.tx.query<R>(sql, params);
  }

  async emit<Desc extends DescMessage>(topic: string, event: OutgoingEvent<Desc>): Promise<CloudEvent> {
    const stored = await addToOutbox(this.tx, topic, event, this.source);
    this.onEmit();
    return stored;
  }
}
