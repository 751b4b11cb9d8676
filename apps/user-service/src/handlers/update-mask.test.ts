import { create } from "@bufbuild/protobuf";
import { Code, type ConnectError } from "@connectrpc/connect";
import { UserSchema } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import { describe, expect, it } from "vitest";
import { fieldsFromMask } from "./update-mask.js";

const user = create(UserSchema, { name: " Ana ", email: "ana@example.com", avatarImageId: "img-1" });

describe("fieldsFromMask", () => {
  it("takes only the masked fields", () => {
    expect(fieldsFromMask(user, ["name"])).toEqual({ name: "Ana" });
    expect(fieldsFromMask(user, ["email", "avatar_image_id"])).toEqual({
      email: "ana@example.com",
      avatarImageId: "img-1",
    });
  });

  it("rejects an empty mask, unknown paths and emptied required fields", () => {
    const failure = (u: typeof user, paths: string[]) => {
      try {
        fieldsFromMask(u, paths);
      } catch (error) {
        return error as ConnectError;
      }
      throw new Error("expected a failure");
    };
    expect(failure(user, []).code).toBe(Code.InvalidArgument);
    expect(failure(user, ["id"]).rawMessage).toMatch(/"id" is not one of/);
    expect(failure(create(UserSchema, {}), ["name", "email"]).rawMessage).toMatch(/user\.name.*user\.email/);
  });
});
