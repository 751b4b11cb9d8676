/**
 * What the WSDL says about authentication, as WS-Policy 1.5 + WS-SecurityPolicy 1.2 (attached per
 * operation, WS-PolicyAttachment §4): every rpc not marked `allow_anonymous` in the contract needs
 * a wsse:Security header with either a JWT (an issued token of type
 * urn:ietf:params:oauth:token-type:jwt, from AuthService Login) or — only when the WSDL was served
 * over HTTPS — a UsernameToken with PasswordText under a transport (HTTPS) binding.
 * Clients that do not process policies (zeep, node-soap, plain JAX-WS RI) ignore it; it documents
 * the header for people and tools that do.
 */

import type { DescMethod } from "@bufbuild/protobuf";
import { getOption } from "@bufbuild/protobuf";
import { allow_anonymous } from "@switchboard/proto/switchboard/auth/v1/access_pb.js";
import { WSS } from "../security/security-header.js";

export const CALLER_POLICY_ID = "SwitchboardCaller";

const INCLUDE_ALWAYS =
  "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken/AlwaysToRecipient";
const WS_TRUST = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";

export function needsCaller(method: DescMethod): boolean {
  return !getOption(method, allow_anonymous);
}

/** The wsp:Policy element (indented lines) that protected operations reference by `#${CALLER_POLICY_ID}`. */
export function callerPolicy(overHttps: boolean, indent = "  "): string[] {
  const jwt = [
    "<wsp:All>",
    "  <sp:SupportingTokens><wsp:Policy>",
    `    <sp:IssuedToken sp:IncludeToken="${INCLUDE_ALWAYS}">`,
    `      <sp:RequestSecurityTokenTemplate><wst:TokenType xmlns:wst="${WS_TRUST}">${WSS.jwtValueType}</wst:TokenType></sp:RequestSecurityTokenTemplate>`,
    "    </sp:IssuedToken>",
    "  </wsp:Policy></sp:SupportingTokens>",
    "</wsp:All>",
  ];
  const password = [
    "<wsp:All>",
    "  <sp:TransportBinding><wsp:Policy>",
    "    <sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken>",
    "    <sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite>",
    "  </wsp:Policy></sp:TransportBinding>",
    "  <sp:SupportingTokens><wsp:Policy>",
    `    <sp:UsernameToken sp:IncludeToken="${INCLUDE_ALWAYS}"><wsp:Policy><sp:WssUsernameToken11/></wsp:Policy></sp:UsernameToken>`,
    "  </wsp:Policy></sp:SupportingTokens>",
    "</wsp:All>",
  ];
  const alternatives = overHttps ? [...jwt, ...password] : jwt;
  return [
    `<wsp:Policy wsu:Id="${CALLER_POLICY_ID}">`,
    "  <wsp:ExactlyOne>",
    ...alternatives.map((line) => `    ${line}`),
    "  </wsp:ExactlyOne>",
    "</wsp:Policy>",
  ].map((line) => indent + line);
}
