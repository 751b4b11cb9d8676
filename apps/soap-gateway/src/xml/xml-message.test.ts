/** XML ⇄ protobuf through the descriptors: values keep their exact meaning both ways. */
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { UploadImageRequestSchema } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { SendNotificationRequestSchema } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserSchema } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import {
  DeleteUserRequestSchema,
  UpdateUserRequestSchema,
} from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { describe, expect, it } from "vitest";
import { parseXml } from "../../test/xml-tree.js";
import { messageToXml } from "./from-message.js";
import { elementToMessage } from "./to-message.js";
import { XmlRejected } from "./xml-tree.js";

const USER = "urn:switchboard.user.v1";
const read = (xml: string) => parseXml(xml);

describe("XML ⇄ protobuf", () => {
  it("keeps every digit of an int64 past 2^53 (9007199254740993) both ways", () => {
    const xml = `<u:DeleteUser xmlns:u="${USER}"><u:id>x</u:id><u:expectedVersion>9007199254740993</u:expectedVersion></u:DeleteUser>`;
    const message = elementToMessage(read(xml), DeleteUserRequestSchema, USER);
    expect(message).toMatchObject({ expectedVersion: 9007199254740993n });
    const back = messageToXml("DeleteUser", message, DeleteUserRequestSchema, "u", USER);
    expect(back).toContain("<u:expectedVersion>9007199254740993</u:expectedVersion>");
  });

  it("reads a FieldMask as its camelCase string and a nested message", () => {
    const xml = `<u:UpdateUser xmlns:u="${USER}"><u:user><u:id>i</u:id><u:avatarImageId>a</u:avatarImageId></u:user><u:updateMask>name,avatarImageId</u:updateMask></u:UpdateUser>`;
    const message = elementToMessage(read(xml), UpdateUserRequestSchema, USER);
    expect(message.updateMask?.paths).toEqual(["name", "avatar_image_id"]);
    expect(message.user?.avatarImageId).toBe("a");
  });

  it("writes a Timestamp as an xsd:dateTime and escapes text", () => {
    const user = create(UserSchema, {
      name: `<Ana & "Bo">`,
      createTime: timestampFromDate(new Date("2026-01-02T03:04:05.678Z")),
    });
    const xml = messageToXml("user", user, UserSchema, "u", USER);
    expect(xml).toContain("<u:createTime>2026-01-02T03:04:05.678Z</u:createTime>");
    expect(xml).toContain("<u:name>&lt;Ana &amp; &quot;Bo&quot;&gt;</u:name>");
    expect(elementToMessage(read(xml), UserSchema, USER).name).toBe(`<Ana & "Bo">`);
  });

  it("reads bytes from base64 with line breaks, and a oneof member", () => {
    const ns = "urn:switchboard.image.v1";
    const xml = `<i:UploadImage xmlns:i="${ns}"><i:chunk>aGVs\n bG8=</i:chunk></i:UploadImage>`;
    const message = elementToMessage(read(xml), UploadImageRequestSchema, ns);
    expect(message.data.case).toBe("chunk");
    expect(Buffer.from(message.data.value as Uint8Array).toString()).toBe("hello");
  });

  it("refuses two members of one oneof", () => {
    const ns = "urn:switchboard.image.v1";
    const xml = `<i:UploadImage xmlns:i="${ns}"><i:chunk>aGk=</i:chunk><i:metadata/></i:UploadImage>`;
    expect(() => elementToMessage(read(xml), UploadImageRequestSchema, ns)).toThrow(
      /only one of chunk and metadata/,
    );
  });

  it("round-trips a map as key/value entries", () => {
    const ns = "urn:switchboard.notification.v1";
    const message = create(SendNotificationRequestSchema, {
      userId: "u",
      title: "t",
      data: { a: "1", b: "2" },
    });
    const xml = messageToXml("SendNotification", message, SendNotificationRequestSchema, "n", ns);
    expect(xml).toContain("<n:data><n:key>a</n:key><n:value>1</n:value></n:data>");
    expect(elementToMessage(read(xml), SendNotificationRequestSchema, ns).data).toEqual({ a: "1", b: "2" });
  });

  it("refuses a value out of its type's range, an element in another namespace, and a repeated singular field", () => {
    const bad = [
      `<u:DeleteUser xmlns:u="${USER}"><u:expectedVersion>9223372036854775808</u:expectedVersion></u:DeleteUser>`,
      `<u:DeleteUser xmlns:u="${USER}"><id xmlns="urn:other">x</id></u:DeleteUser>`,
      `<u:DeleteUser xmlns:u="${USER}"><u:id>a</u:id><u:id>b</u:id></u:DeleteUser>`,
    ];
    for (const xml of bad)
      expect(() => elementToMessage(read(xml), DeleteUserRequestSchema, USER)).toThrow(XmlRejected);
  });
});
