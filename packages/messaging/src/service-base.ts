import { join } from "node:path";
import { type Database, type Migration, openDatabase } from "@switchboard/database";
import type { Logger } from "pino";
import { eventRegistry } from "./event-registry.js";
import { Inbox, inboxMigrations } from "./inbox.js";
import { type Presence, startPresence } from "./mqtt/presence.js";
import { outboxMigrations } from "./outbox.js";
import { OutboxRelay } from "./outbox-relay.js";
import type { MessageBroker } from "./port.js";

const HOUR_MS = 60 * 60 * 1000;

/** The settings the base reads: the ones every service's config.ts has (runtime's serviceSettings, brokerSettings, mqttAccountSettings). */
export interface ServiceBaseSettings {
  /** PostgreSQL when set, else the embedded PGlite under `${DATA_DIR}/db`. */
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
  /** The MQTT broker and the service's own account, for its presence. */
  MQTT_URL: string;
  MQTT_USERNAME: string;
  MQTT_PASSWORD: string;
}

export interface ServiceBaseOptions {
  /** The service's name: its database's application name, its migrations' and its presence's. */
  service: string;
  logger: Logger;
  /** The service's config (only the base settings are read). */
  settings: ServiceBaseSettings;
  /** The service's own migrations; the outbox's and the inbox's run after them. */
  migrations: readonly Migration[];
}

/** What the app stops in between, when the base stops (see ServiceBase.stop). */
export interface AppShutdown {
  /** Stops taking work: the server drains, consumers close, the app's own tasks end. */
  drain: () => Promise<void>;
  /** Closes what the app opened besides the database (its brokers, files): after the relay stopped. */
  release: () => Promise<void>;
}

/**
 * What every service runs beside its own code, in one place: its database (migrated, with the
 * outbox and inbox tables), the outbox relay, periodic housekeeping (the inbox's pruning), its
 * MQTT presence, and the order all of it stops in. A main.ts opens it, composes its app on `db`,
 * and hands its own shutdown steps to `stop`.
 */
export class ServiceBase {
  readonly #timers: NodeJS.Timeout[] = [];
  #relay: OutboxRelay | undefined;
  #presence: Presence | undefined;

  private constructor(
    readonly db: Database,
    private readonly options: ServiceBaseOptions,
  ) {}

  /** Opens the service's database and migrates it: the service's tables, then the outbox's and the inbox's. */
  static async open(options: ServiceBaseOptions): Promise<ServiceBase> {
    const { DATABASE_URL: url, DATA_DIR: dataDir } = options.settings;
    const db = await openDatabase({
      ...(url ? { url } : { dataDir: join(dataDir, "db") }),
      applicationName: options.service,
    });
    await db.migrate(options.service, options.migrations);
    await db.migrate("outbox", outboxMigrations);
    await db.migrate("inbox", inboxMigrations);
    options.logger.info({ database: db.kind }, "database ready");
    return new ServiceBase(db, options);
  }

  /** Starts the relay that publishes the outbox's committed events through `broker`; the app's Outbox wakes it. */
  startRelay(broker: MessageBroker): OutboxRelay {
    if (this.#relay) throw new Error("the outbox relay is already running");
    this.#relay = new OutboxRelay({
      db: this.db,
      broker,
      logger: this.options.logger,
      registry: eventRegistry,
    });
    this.#relay.start();
    return this.#relay;
  }

  /**
   * Runs `task` every `intervalMs` until stop, and at once when `now` (the promise resolves after
   * that first run). A failure is logged as `${what} failed` and the task runs again next time.
   */
  async every(intervalMs: number, what: string, task: () => Promise<unknown>, { now = false } = {}) {
    const run = async () => {
      try {
        await task();
      } catch (error) {
        this.options.logger.warn({ err: error }, `${what} failed; will try again`);
      }
    };
    this.#timers.push(setInterval(run, intervalMs).unref());
    if (now) await run();
  }

  /** Forgets handled event ids after INBOX_KEEP_MS (longer than a broker redelivers): now, then hourly. */
  pruneInboxHourly(): Promise<void> {
    const inbox = new Inbox();
    return this.every(
      HOUR_MS,
      "inbox: pruning",
      async () => {
        const forgotten = await inbox.prune(this.db);
        if (forgotten > 0) this.options.logger.info({ forgotten }, "inbox: pruned handled events");
      },
      { now: true },
    );
  }

  /** Announces the service on MQTT (online now, offline at stop or, as its last will, when it dies): once it serves. */
  announcePresence(): void {
    const { MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD } = this.options.settings;
    this.#presence = startPresence({
      mqttUrl: MQTT_URL,
      account: { username: MQTT_USERNAME, password: MQTT_PASSWORD },
      service: this.options.service,
      logger: this.options.logger,
    });
  }

  /**
   * Stops everything in the one safe order: the housekeeping timers; the presence (offline
   * before calls are refused); the app's `drain` (server, consumers); the relay (after the last
   * write that emits); the app's `release` (its brokers); the database last.
   */
  async stop(app: AppShutdown): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await this.#presence?.stop();
    await app.drain();
    await this.#relay?.stop();
    await app.release();
    await this.db.close();
  }
}
