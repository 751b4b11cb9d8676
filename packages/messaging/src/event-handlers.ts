import { type DescMessage, isMessage, type MessageShape } from "@bufbuild/protobuf";
import type { CloudEvent } from "./port.js";

/** Handles one event type: `data` is already the type's message, `args` what the dispatcher passes on (e.g. a transaction). */
export type TypedEventHandler<Desc extends DescMessage, Args extends unknown[]> = (
  data: MessageShape<Desc>,
  event: CloudEvent<MessageShape<Desc>>,
  ...args: Args
) => Promise<void>;

/** An event arrived whose type no handler was registered for, where every type must be handled (a work queue). */
export class UnexpectedEventError extends Error {
  override name = "UnexpectedEventError";
}

type Dispatch<Args extends unknown[]> = (event: CloudEvent, args: Args) => Promise<void>;

/**
 * A consumer's handlers, one per event type, each checked against its protobuf schema, so no
 * consumer switches on type strings or casts `event.data`:
 *
 *   const handle = eventHandlers<[UnitOfWork]>()
 *     .on(UserCreatedSchema, async (data, event, tx) => …)
 *     .ignoringOthers();
 *
 * What happens to other types is said once, explicitly: `ignoringOthers()` for a topic that
 * carries facts other consumers want, `rejectingOthers()` for a work queue, where one is a bug.
 */
export class EventHandlers<Args extends unknown[] = []> {
  readonly #byType = new Map<string, Dispatch<Args>>();

  on<Desc extends DescMessage>(schema: Desc, handle: TypedEventHandler<Desc, Args>): this {
    if (this.#byType.has(schema.typeName)) throw new Error(`${schema.typeName} already has a handler`);
    this.#byType.set(schema.typeName, (event, args) => {
      // The codec decodes data with the schema its `type` names; a mismatch is a bug, not bad input.
      if (!isMessage(event.data, schema)) {
        throw new UnexpectedEventError(
          `event ${event.id} of type ${event.type} does not carry ${schema.typeName}`,
        );
      }
      return handle(event.data, event as CloudEvent<MessageShape<Desc>>, ...args);
    });
    return this;
  }

  /** Whether a handler is registered for events of `type`. */
  handles(type: string): boolean {
    return this.#byType.has(type);
  }

  /** Runs the handler of `event`'s type; false (and nothing run) when it has none. */
  async dispatch(event: CloudEvent, ...args: Args): Promise<boolean> {
    const dispatch = this.#byType.get(event.type);
    if (!dispatch) return false;
    await dispatch(event, args);
    return true;
  }

  /** The handlers as one function that acknowledges events of other types without acting on them. */
  ignoringOthers(): (event: CloudEvent, ...args: Args) => Promise<void> {
    return async (event, ...args) => void (await this.dispatch(event, ...args));
  }

  /** The handlers as one function that throws UnexpectedEventError for other types (the broker redelivers, then dead-letters). */
  rejectingOthers(): (event: CloudEvent, ...args: Args) => Promise<void> {
    return async (event, ...args) => {
      if (!(await this.dispatch(event, ...args))) {
        throw new UnexpectedEventError(`no handler for event ${event.id} of type ${event.type}`);
      }
    };
  }
}

/** A new, empty set of typed event handlers; `Args` are what the consumer passes to each besides the event. */
export function eventHandlers<Args extends unknown[] = []>(): EventHandlers<Args> {
  return new EventHandlers<Args>();
}
