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

/**
 * A service's own MQTT account (the broker takes no anonymous clients): by default the one
 * infra/mosquitto/accounts.sh gives it for development, named after the service. Deployments
 * set both (compose: environment; k8s: the Secret `<app>-mqtt`).
 */
export function mqttAccountSettings(service: string) {
  return {
    MQTT_USERNAME: setting.string(service),
    MQTT_PASSWORD: setting.string(`${service}-dev-password`),
  };
}
