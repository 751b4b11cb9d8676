import { randomUUID } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { MqttAccount } from "./mqtt-broker.js";

const CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;

/** One command of Mosquitto's dynamic-security plugin, e.g. `{ command: "createRole", rolename }`. */
export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

/** The plugin's answer to one command: `error` set when it failed. */
export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
}

export interface DynamicSecurityOptions {
  url: string;
  /** An account whose role may publish to `$CONTROL/dynamic-security/v1` and read its response. */
  account: MqttAccount;
  clientId: string;
  /** How long a batch may wait for the broker's answer (default 10 s). */
  timeoutMs?: number;
}

/**
 * A client of Mosquitto's dynamic-security plugin, which is administered over MQTT itself: a JSON
 * batch of commands published to `$CONTROL/dynamic-security/v1`, answered on `…/response`. Each
 * batch is matched to its answer by the `correlationData` the plugin echoes. Works wherever the
 * broker is reachable (no shared file, no signal), which is why Switchboard manages accounts so.
 */
export class DynamicSecurity {
  readonly #client: MqttClient;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, (responses: DynsecResponse[]) => void>();
  readonly #subscribed: Promise<unknown>;

  constructor(options: DynamicSecurityOptions) {
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const clientOptions: IClientOptions = {
      protocolVersion: 5,
      clientId: options.clientId,
      clean: true,
      username: options.account.username,
      password: options.account.password,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
      resubscribe: true,
    };
    this.#client = mqtt.connect(options.url, clientOptions);
    // Never rejects: a broker that is down now may be up by the first command.
    this.#subscribed = this.#client.subscribeAsync(RESPONSE_TOPIC, { qos: 1 }).catch((error: Error) => error);
    this.#client.on("message", (topic, payload) => {
      if (topic === RESPONSE_TOPIC) this.#answer(payload);
    });
    // Errors surface as failed commands (a timeout, or the broker's reason); no crash on "error".
    this.#client.on("error", () => undefined);
  }

  /**
   * Runs the commands in order, as one batch; resolves with one response per command. Rejects
   * when the broker does not answer in time (down, or this account may not use the plugin).
   */
  async run(commands: readonly DynsecCommand[]): Promise<DynsecResponse[]> {
    const subscribed = await this.#subscribed;
    if (subscribed instanceof Error) throw new Error(`dynamic-security: ${subscribed.message}`);
    const batch = randomUUID();
    const tagged = commands.map((command, index) => ({ ...command, correlationData: `${batch}/${index}` }));
    const answered = new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(batch);
        reject(new Error(`dynamic-security: no answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(batch, (responses) => {
        clearTimeout(timer);
        resolve(responses);
      });
    });
    try {
      await this.#client.publishAsync(CONTROL_TOPIC, JSON.stringify({ commands: tagged }), { qos: 1 });
    } catch (error) {
      this.#pending.delete(batch);
      throw new Error(`dynamic-security: ${(error as Error).message}`);
    }
    return answered;
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }

  #answer(payload: Buffer): void {
    let responses: (DynsecResponse & { correlationData?: string })[];
    try {
      responses = JSON.parse(payload.toString("utf8")).responses ?? [];
    } catch {
      return; // not ours to judge: another administrator's garbage
    }
    const batch = responses[0]?.correlationData?.split("/")[0];
    const settle = batch === undefined ? undefined : this.#pending.get(batch);
    if (!batch || !settle) return; // another client's batch: everyone with access sees every answer
    this.#pending.delete(batch);
    settle(responses.map(({ correlationData: _, ...response }) => response));
  }
}
