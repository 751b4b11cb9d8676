/**
 * The access table over SOAP, against the real services (notification-service with real brokers):
 * anonymous, user A (the owner), user B and the admin, each calling every SOAP operation on A's
 * user record, A's image and A's notifications — and the Fault code each gets. The gateway only
 * carries the token (a JWT in wsse:Security); every "OK" or PERMISSION_DENIED here is the services'
 * decision. Deleting rows act on a fresh owner of their own, so the shared objects stay.
 */
import { pngOf } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeOf, type SignedUp, type SoapServiceName, signUp, soapCall, textOf } from "./soap-call.js";
import { type SystemUnderTest, startSystem } from "./system.js";

type Caller = "anonymous" | "owner" | "other" | "admin";
type Code = "OK" | "UNAUTHENTICATED" | "PERMISSION_DENIED";

/** A's objects: the user, one image, one notification sent to A. */
interface Objects {
  owner: SignedUp;
  imageId: string;
}

interface Row {
  service: SoapServiceName;
  operation: string;
  /** The request body's fields, for A's objects. */
  fields: (objects: Objects) => Record<string, string | number> | string;
  /** Deleting rows get a fresh owner (and image) per caller. */
  fresh?: boolean;
  expected: Record<Caller, Code>;
}

const ownerOnly = {
  anonymous: "UNAUTHENTICATED",
  owner: "OK",
  other: "PERMISSION_DENIED",
  admin: "OK",
} as const;
const adminOnly = {
  anonymous: "UNAUTHENTICATED",
  owner: "PERMISSION_DENIED",
  other: "PERMISSION_DENIED",
  admin: "OK",
} as const;
const PNG = Buffer.from(pngOf(8, 8, true));
const upload = (ownerId: string) =>
  `<t:metadata><t:filename>a.png</t:filename><t:contentType>image/png</t:contentType><t:sizeBytes>${PNG.length}</t:sizeBytes><t:ownerId>${ownerId}</t:ownerId></t:metadata><t:data>${PNG.toString("base64")}</t:data>`;

const TABLE: Row[] = [
  { service: "UserService", operation: "GetUser", fields: (o) => ({ id: o.owner.id }), expected: ownerOnly },
  {
    service: "UserService",
    operation: "UpdateUser",
    fields: (o) =>
      `<t:user><t:id>${o.owner.id}</t:id><t:name>Renamed</t:name></t:user><t:updateMask>name</t:updateMask>`,
    expected: ownerOnly,
  },
  {
    service: "UserService",
    operation: "DeleteUser",
    fields: (o) => ({ id: o.owner.id }),
    fresh: true,
    expected: ownerOnly,
  },
  { service: "UserService", operation: "ListUsers", fields: () => ({ pageSize: 1 }), expected: adminOnly },
  {
    service: "AuthService",
    operation: "ChangePassword",
    fields: (o) => ({ userId: o.owner.id, currentPassword: o.owner.password, newPassword: o.owner.password }),
    expected: ownerOnly,
  },
  {
    service: "ImageService",
    operation: "GetImage",
    fields: (o) => ({ imageId: o.imageId }),
    expected: ownerOnly,
  },
  {
    service: "ImageService",
    operation: "ListImages",
    fields: (o) => ({ ownerId: o.owner.id }),
    expected: ownerOnly,
  },
  {
    service: "ImageService",
    operation: "ProcessImage",
    fields: (o) => `<t:imageId>${o.imageId}</t:imageId><t:operations><t:grayscale/></t:operations>`,
    expected: ownerOnly,
  },
  {
    service: "ImageService",
    operation: "DeleteImage",
    fields: (o) => ({ imageId: o.imageId }),
    fresh: true,
    expected: ownerOnly,
  },
  {
    service: "ImageService",
    operation: "UploadImage",
    fields: (o) => upload(o.owner.id),
    expected: ownerOnly,
  },
  {
    service: "NotificationService",
    operation: "ListNotifications",
    fields: (o) => ({ userId: o.owner.id }),
    expected: ownerOnly,
  },
  {
    service: "NotificationService",
    operation: "SendNotification",
    fields: (o) => ({ userId: o.owner.id, title: "Hola" }),
    expected: adminOnly,
  },
];

let system: SystemUnderTest;
let shared: Objects;
let other: SignedUp;

async function objectsOf(owner: SignedUp): Promise<Objects> {
  const uploaded = await soapCall(system.url, "ImageService", "UploadImage", upload(owner.id), {
    security: owner.security,
  });
  return { owner, imageId: textOf(uploaded, "id") };
}

beforeAll(async () => {
  system = await startSystem({ notifications: true });
  shared = await objectsOf(await signUp(system.url, "Owner"));
  other = await signUp(system.url, "Other");
}, 90_000);
afterAll(() => system?.close());

describe("the access table over SOAP", () => {
  it("gives each caller the code the policies say, for every operation on A's objects", async () => {
    const seen: string[] = [];
    const wanted: string[] = [];
    for (const row of TABLE) {
      for (const caller of ["anonymous", "owner", "other", "admin"] as const) {
        const objects = row.fresh ? await objectsOf(await signUp(system.url, "Fresh")) : shared;
        const security = {
          anonymous: undefined,
          owner: objects.owner.security,
          other: other.security,
          admin: system.admin.security,
        }[caller];
        const answer = await soapCall(
          system.url,
          row.service,
          row.operation,
          row.fields(objects),
          security ? { security } : {},
        );
        const name = `${row.service}.${row.operation} as ${caller}`;
        seen.push(`${name} → ${codeOf(answer)}`);
        wanted.push(`${name} → ${row.expected[caller]}`);
      }
    }
    console.log(seen.join("\n"));
    expect(seen).toEqual(wanted);
  }, 120_000);

  it("keeps an unknown id NOT_FOUND for the admin, and another user's PERMISSION_DENIED before any lookup", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    const asAdmin = { security: system.admin.security };
    expect(codeOf(await soapCall(system.url, "UserService", "GetUser", { id: unknown }, asAdmin))).toBe(
      "NOT_FOUND",
    );
    expect(
      codeOf(await soapCall(system.url, "ImageService", "GetImage", { imageId: unknown }, asAdmin)),
    ).toBe("NOT_FOUND");
    const asOther = { security: other.security };
    expect(codeOf(await soapCall(system.url, "UserService", "GetUser", { id: unknown }, asOther))).toBe(
      "PERMISSION_DENIED",
    );
  });
});
