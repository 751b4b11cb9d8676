import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type User, UserSchema } from "@switchboard/proto/switchboard/user/v1/user_pb.js";

/** A row of the users table as the database returns it. */
export type UserRow = {
  id: string;
  name: string;
  email: string;
  avatar_image_id: string;
  create_time: Date;
  update_time: Date;
  /** bigint columns come back as strings. */
  version: string;
};

export const USER_COLUMNS = "id, name, email, avatar_image_id, create_time, update_time, version";

export function userFromRow(row: UserRow): User {
  return create(UserSchema, {
    id: row.id,
    name: row.name,
    email: row.email,
    avatarImageId: row.avatar_image_id,
    createTime: timestampFromDate(new Date(row.create_time)),
    updateTime: timestampFromDate(new Date(row.update_time)),
    version: BigInt(row.version),
  });
}
