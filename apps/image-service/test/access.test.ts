/**
 * Who may do what, over gRPC against the real server: every rpc × user A (the owner), user B,
 * an admin, no token, user-service's service token and a forged token → the status each gets.
 */
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Image } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import {
  type ImageService,
  ProcessImageStreamRequestSchema,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { collect, type connectClient, testTokens } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ImageServiceUnderTest, makeImage, startImageService, uploadMessages } from "./harness.js";

type Client = ReturnType<typeof connectClient<typeof ImageService>>;

const A = randomUUID();
const B = randomUUID();
let service: ImageServiceUnderTest;
let png: Buffer;
/** Each caller's client: its token on every call (none for "anonymous"). */
let callers: Record<Caller, Client>;
type Caller = "user A" | "user B" | "admin" | "anonymous" | "user-service" | "forged token";

beforeAll(async () => {
  service = await startImageService();
  png = await makeImage("png", 16, 16);
  const { tokens } = service;
  const forger = testTokens(); // a valid-looking token signed by a key the service does not trust
  callers = {
    "user A": service.client(await tokens.user(A)),
    "user B": service.client(await tokens.user(B)),
    admin: service.client(await tokens.admin()),
    anonymous: service.client(""),
    "user-service": service.client(await tokens.service("user-service")),
    // An admin's claims under the service's own key id, signed by another key.
    "forged token": service.client(
      await forger.sign({ sub: A, roles: ["user", "admin"] }, { kid: tokens.kid }),
    ),
  };
}, 60_000);
afterAll(() => service?.close());

/** A fresh image of A's (each row may delete or change its own). */
async function imageOfA(): Promise<Image> {
  const { image } = await service.client().uploadImage(uploadMessages(png, { ownerId: A }));
  if (!image) throw new Error("no image");
  return image;
}

const processStream = (client: Client, ownerId: string) =>
  collect(
    client.processImageStream(
      (async function* () {
        yield create(ProcessImageStreamRequestSchema, {
          data: {
            case: "start",
            value: {
              metadata: { filename: "s.png", ownerId },
              operations: [{ kind: { case: "grayscale", value: {} } }],
            },
          },
        });
        yield create(ProcessImageStreamRequestSchema, { data: { case: "chunk", value: png } });
      })(),
    ),
  );

/** Each rpc, called on a fresh image of A's (or for the owner it names). */
const RPCS: Record<string, (client: Client, image: Image) => Promise<unknown>> = {
  "UploadImage for A": (client) => client.uploadImage(uploadMessages(png, { ownerId: A })),
  "UploadImage for no one named": (client) => client.uploadImage(uploadMessages(png, { ownerId: "" })),
  "ListImages of A": (client) => client.listImages({ ownerId: A }),
  "GetImage of A's": (client, image) => client.getImage({ imageId: image.id }),
  "GetImage of an unknown id": (client) => client.getImage({ imageId: randomUUID() }),
  "DownloadImage of A's": (client, image) => collect(client.downloadImage({ imageId: image.id })),
  "ProcessImage of A's": (client, image) =>
    client.processImage({ imageId: image.id, operations: [{ kind: { case: "grayscale", value: {} } }] }),
  "ProcessImageStream for A": (client) => processStream(client, A),
  "DeleteImage of A's": (client, image) => client.deleteImage({ imageId: image.id }),
  "DeleteImage of an unknown id": (client) => client.deleteImage({ imageId: randomUUID() }),
};

const {
  OK,
  Unauthenticated: UNAUTH,
  PermissionDenied: DENIED,
  NotFound: NF,
  InvalidArgument: INVALID,
} = {
  ...Code,
  OK: "OK",
} as const;
type Outcome = Code | "OK";

// Columns: user A, user B, admin, anonymous, user-service, forged token.
const EXPECTED: Record<keyof typeof RPCS, Outcome[]> = {
  "UploadImage for A": [OK, DENIED, OK, UNAUTH, OK, UNAUTH],
  "UploadImage for no one named": [OK, OK, OK, UNAUTH, INVALID, UNAUTH],
  "ListImages of A": [OK, DENIED, OK, UNAUTH, DENIED, UNAUTH],
  "GetImage of A's": [OK, DENIED, OK, UNAUTH, DENIED, UNAUTH],
  "GetImage of an unknown id": [NF, NF, NF, UNAUTH, NF, UNAUTH],
  "DownloadImage of A's": [OK, DENIED, OK, UNAUTH, OK, UNAUTH],
  "ProcessImage of A's": [OK, DENIED, OK, UNAUTH, DENIED, UNAUTH],
  "ProcessImageStream for A": [OK, DENIED, OK, UNAUTH, DENIED, UNAUTH],
  "DeleteImage of A's": [OK, DENIED, OK, UNAUTH, DENIED, UNAUTH],
  "DeleteImage of an unknown id": [NF, NF, NF, UNAUTH, NF, UNAUTH],
};

const outcomeOf = (call: Promise<unknown>): Promise<Outcome> =>
  call.then(
    () => "OK" as const,
    (error: unknown) => ConnectError.from(error).code,
  );
const label = (outcome: Outcome) => (outcome === "OK" ? "OK" : Code[outcome]);

describe("image-service access, every rpc × caller", () => {
  it("gives each caller exactly the status the policy says", async () => {
    const names = Object.keys(callers) as Caller[];
    const table: Record<string, Record<string, string>> = {};
    for (const [rpc, call] of Object.entries(RPCS)) {
      table[rpc] = {};
      for (const name of names)
        table[rpc][name] = label(await outcomeOf(call(callers[name], await imageOfA())));
    }
    console.table(table);
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([rpc, row]) => [
        rpc,
        Object.fromEntries(names.map((name, column) => [name, label(row[column] as Outcome)])),
      ]),
    );
    expect(table).toEqual(expected);
  }, 120_000);

  it("a denied call changes nothing: another user's image keeps its bytes and gets no variant", async () => {
    const image = await imageOfA();
    const grayscale = [{ kind: { case: "grayscale" as const, value: {} } }];
    expect(await outcomeOf(callers["user B"].deleteImage({ imageId: image.id }))).toBe(DENIED);
    expect(
      await outcomeOf(callers["user B"].processImage({ imageId: image.id, operations: grayscale })),
    ).toBe(DENIED);
    const { image: after } = await callers["user A"].getImage({ imageId: image.id });
    expect(after?.variants).toEqual([]);
    expect((await collect(callers["user A"].downloadImage({ imageId: image.id }))).length).toBeGreaterThan(1);
  });
});
