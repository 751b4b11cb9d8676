import type { User } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import { type FieldViolation, invalidArgument } from "@switchboard/runtime";
import type { UserFields } from "../domain/user-directory.js";

const UPDATABLE = ["name", "email", "avatar_image_id"] as const;

/**
 * The fields an UpdateUser changes, from its mask. Every path must be updatable; a masked name
 * or email must not be empty (the User message allows empty ones only so they can be left out).
 */
export function fieldsFromMask(user: User, paths: readonly string[]): UserFields {
  const violations: FieldViolation[] = [];
  if (paths.length === 0)
    violations.push({ field: "update_mask", description: "must name at least one field" });
  const fields: UserFields = {};
  for (const path of paths) {
    if (!UPDATABLE.includes(path as (typeof UPDATABLE)[number])) {
      violations.push({
        field: "update_mask",
        description: `"${path}" is not one of ${UPDATABLE.join(", ")}`,
      });
    } else if (path === "name") {
      if (user.name.trim() === "") violations.push({ field: "user.name", description: "must not be empty" });
      fields.name = user.name.trim();
    } else if (path === "email") {
      if (user.email === "") violations.push({ field: "user.email", description: "must not be empty" });
      fields.email = user.email;
    } else {
      fields.avatarImageId = user.avatarImageId;
    }
  }
  if (violations.length > 0) throw invalidArgument(violations);
  return fields;
}
