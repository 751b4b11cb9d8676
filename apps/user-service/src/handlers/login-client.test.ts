import { createContextValues, createHandlerContext } from "@connectrpc/connect";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { certifiedServiceKey, peerKey } from "@switchboard/runtime";
import { describe, expect, it } from "vitest";
import { GATEWAYS, loginClientOf } from "./login-client.js";

const trusted = { addresses: new Set(["10.0.0.5"]), services: GATEWAYS };

function loginCall(peer: string, forwardedFor?: string, certifiedAs?: string) {
  const values = createContextValues().set(peerKey, peer);
  if (certifiedAs) values.set(certifiedServiceKey, certifiedAs);
  return createHandlerContext({
    service: AuthService,
    method: AuthService.method.login,
    protocolName: "grpc",
    requestMethod: "POST",
    url: "http://user-service/switchboard.auth.v1.AuthService/Login",
    requestHeader: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
    contextValues: values,
  });
}

describe("the login throttle's client", () => {
  it.each([
    ["a direct caller is its peer address", "ipv4:192.0.2.7:5123", undefined, undefined, "192.0.2.7"],
    [
      "an untrusted peer's x-forwarded-for is ignored",
      "ipv4:192.0.2.7:5123",
      "203.0.113.9",
      undefined,
      "192.0.2.7",
    ],
    [
      "a trusted proxy address names its client",
      "ipv4:10.0.0.5:4000",
      "203.0.113.9",
      undefined,
      "203.0.113.9",
    ],
    [
      "a gateway by its certificate names its client",
      "ipv4:192.0.2.8:1",
      "203.0.113.9",
      "rest-gateway",
      "203.0.113.9",
    ],
    [
      "another service's certificate is not a gateway",
      "ipv4:192.0.2.8:1",
      "203.0.113.9",
      "image-service",
      "192.0.2.8",
    ],
    [
      "only the first forwarded address counts",
      "ipv4:10.0.0.5:4000",
      "203.0.113.9, 10.9.9.9",
      undefined,
      "203.0.113.9",
    ],
    ["a trusted proxy without the header is itself", "ipv4:10.0.0.5:4000", undefined, undefined, "10.0.0.5"],
  ])("%s", (_, peer, forwardedFor, certifiedAs, expected) => {
    expect(loginClientOf(loginCall(peer, forwardedFor, certifiedAs), trusted)).toBe(expected);
  });
});
