import { describe, expect, it } from "vitest";
import { parseServiceClients, ServiceClients } from "./service-clients.js";

describe("SERVICE_CLIENTS", () => {
  it("parses name=secret pairs; secrets may contain '='", () => {
    const clients = parseServiceClients(" image-service=s3cret , notifier=a=b= ");
    expect([...clients]).toEqual([
      ["image-service", "s3cret"],
      ["notifier", "a=b="],
    ]);
    expect(parseServiceClients("").size).toBe(0);
  });

  it.each([
    ["no secret", "image-service="],
    ["no name", "=hunter2xyz"],
    ["no equals sign", "hunter2xyz"],
    ["a name with capitals", "Image=hunter2xyz"],
    ["a name twice", "a=1,a=2"],
  ])("refuses %s, never quoting a secret", (_, text) => {
    let message = "";
    try {
      parseServiceClients(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe("");
    expect(message).not.toContain("hunter2xyz");
  });

  it("accepts only the configured secret of a known name", () => {
    const clients = new ServiceClients(new Map([["image-service", "s3cret"]]));
    expect(clients.verify("image-service", "s3cret")).toBe(true);
    expect(clients.verify("image-service", "s3cre")).toBe(false);
    expect(clients.verify("image-service", "s3cret ")).toBe(false);
    expect(clients.verify("unknown", "s3cret")).toBe(false);
  });
});
