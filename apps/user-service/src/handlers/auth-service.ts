import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type {
  AuthService,
  ChangePasswordRequest,
  GetMqttCredentialsRequest,
  GetMqttCredentialsResponseSchema,
  GetServiceTokenRequest,
  LoginRequest,
  LogoutRequest,
  RefreshRequest,
} from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { callerOf, peerKey } from "@switchboard/runtime";
import type { Authenticator } from "../domain/authenticator.js";
import { clientOf } from "../domain/login-throttle.js";
import type { SigningKeys } from "../domain/signing-keys.js";
import { mapped } from "./status.js";

/** GetMqttCredentials, supplied by whoever owns the MQTT accounts (it is UNIMPLEMENTED without one). */
export type MqttCredentialsHandler = (
  request: GetMqttCredentialsRequest,
  context: HandlerContext,
) => Promise<MessageInitShape<typeof GetMqttCredentialsResponseSchema>>;

export interface AuthHandlersDeps {
  authenticator: Authenticator;
  keys: SigningKeys;
  mqttCredentials?: MqttCredentialsHandler;
}

/** switchboard.auth.v1.AuthService: proto ⇄ the authenticator and the signing keys. */
export class AuthHandlers implements ServiceImpl<typeof AuthService> {
  constructor(private readonly deps: AuthHandlersDeps) {}

  async login(request: LoginRequest, context: HandlerContext) {
    const tokens = await mapped(
      this.deps.authenticator.login(request.email, request.password, clientOfCall(context)),
    );
    return { tokens };
  }

  async refresh(request: RefreshRequest) {
    return { tokens: await mapped(this.deps.authenticator.refresh(request.refreshToken)) };
  }

  async logout(request: LogoutRequest) {
    await mapped(this.deps.authenticator.logout(request.refreshToken));
    return {};
  }

  async getJwks() {
    const keys = await this.deps.keys.publicKeys();
    return {
      keys: keys.map((key) => ({
        kty: key.kty ?? "",
        crv: key.crv ?? "",
        x: key.x ?? "",
        y: key.y ?? "",
        kid: key.kid ?? "",
        alg: key.alg ?? "",
        use: key.use ?? "",
      })),
    };
  }

  async changePassword(request: ChangePasswordRequest, context: HandlerContext) {
    await mapped(
      this.deps.authenticator.changePassword(
        callerOf(context),
        {
          userId: request.userId,
          currentPassword: request.currentPassword,
          newPassword: request.newPassword,
        },
        clientOfCall(context),
      ),
    );
    return {};
  }

  async getServiceToken(request: GetServiceTokenRequest, context: HandlerContext) {
    const tokens = await mapped(
      this.deps.authenticator.serviceToken(request.clientId, request.clientSecret, clientOfCall(context)),
    );
    return { tokens };
  }

  async getMqttCredentials(request: GetMqttCredentialsRequest, context: HandlerContext) {
    if (!this.deps.mqttCredentials) {
      throw new ConnectError("MQTT credentials are not available on this server", Code.Unimplemented);
    }
    return this.deps.mqttCredentials(request, context);
  }
}

/** The caller's address without its port: the per-client key of the login throttle. */
function clientOfCall(context: HandlerContext): string {
  return clientOf(context.values.get(peerKey));
}
