import { setting } from "./config.js";

/**
 * Where the brokers are: the one place a service's defaults for them live (infra/ runs them
 * there). A service spreads in the ones it uses.
 */
export const brokerSettings = {
  /** Comma-separated host:port list. */
  KAFKA_BROKERS: setting.string("127.0.0.1:9092"),
  AMQP_URL: setting.url("amqp://guest:guest@127.0.0.1:5672"),
  MQTT_URL: setting.url("mqtt://127.0.0.1:1883"),
};
