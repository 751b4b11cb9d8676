import { describe, expect, it } from "vitest";
import { serviceNameOf } from "./service-peer.js";

describe("serviceNameOf", () => {
  it.each([
    ["URI:spiffe://switchboard/user-service", "user-service"],
    ["DNS:localhost, URI:spiffe://switchboard/image-service, IP Address:127.0.0.1", "image-service"],
    [undefined, ""],
    ["DNS:user-service", ""],
    ["URI:spiffe://elsewhere/user-service", ""],
    ["URI:spiffe://switchboard/user-service/extra", ""],
    ["URI:spiffe://switchboard/", ""],
    ["URI:spiffe://switchboard/a, URI:spiffe://switchboard/b", ""],
    ["URI:https://switchboard/user-service", ""],
  ])("%s names %j", (subjectaltname, name) => {
    expect(serviceNameOf(subjectaltname === undefined ? undefined : { subjectaltname })).toBe(name);
  });
});
