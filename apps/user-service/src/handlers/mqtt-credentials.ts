import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { callerOf } from "@switchboard/runtime";
import {
  issueMqttCredentials,
  MqttAccountsUnavailableError,
  type MqttCredentialsDeps,
} from "../domain/mqtt-credentials.js";
import type { MqttCredentialsHandler } from "./auth-service.js";
import { toStatus } from "./status.js";

/** AuthService.GetMqttCredentials: the caller ⇄ the domain; a broker failure is UNAVAILABLE. */
export function mqttCredentialsHandler(deps: MqttCredentialsDeps): MqttCredentialsHandler {
  return async (_request, context: HandlerContext) => {
    try {
      const { username, password, topic } = await issueMqttCredentials(deps, callerOf(context));
      return { username, password, topic };
    } catch (error) {
      if (error instanceof MqttAccountsUnavailableError)
        throw new ConnectError(error.message, Code.Unavailable);
      throw toStatus(error);
    }
  };
}
