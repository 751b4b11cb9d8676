import { describe, expect, it } from "vitest";
import { topicMatches } from "./mqtt-topic.js";

describe("topicMatches", () => {
  it("matches exact topics and the + and # wildcards", () => {
    expect(topicMatches("a/b", "a/b")).toBe(true);
    expect(topicMatches("a/+/c", "a/x/c")).toBe(true);
    expect(topicMatches("a/#", "a/x/y")).toBe(true);
    expect(topicMatches("switchboard/users/+/notifications", "switchboard/users/42/notifications")).toBe(
      true,
    );
  });

  it("does not match other levels or lengths", () => {
    expect(topicMatches("a/b", "a/c")).toBe(false);
    expect(topicMatches("a/+", "a/b/c")).toBe(false);
    expect(topicMatches("a/b/c", "a/b")).toBe(false);
  });
});
