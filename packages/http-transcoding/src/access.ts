import { type DescMethod, getOption, hasOption } from "@bufbuild/protobuf";
import { allow_anonymous } from "@switchboard/proto/switchboard/auth/v1/access_pb.js";

/**
 * Whether the contract lets anyone call this rpc without a bearer token
 * (`option (switchboard.auth.v1.allow_anonymous) = true`). Only for documentation: the services
 * decide access, the gateway passes the token on either way.
 */
export function allowsAnonymous(method: DescMethod): boolean {
  return hasOption(method, allow_anonymous) && getOption(method, allow_anonymous);
}
