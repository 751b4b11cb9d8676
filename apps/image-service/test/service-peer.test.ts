/**
 * Under mutual TLS, user-service's client certificate (URI SAN spiffe://switchboard/user-service)
 * admits it without a token to exactly the rpcs its grants name (SERVICE_PEERS, from the access
 * policy): it uploads and downloads for the seed contract, and nothing else.
 */
import { ConnectError } from "@connectrpc/connect";
import { ImageService } from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { clientTlsFromFiles, createServiceClient, serverTlsFromFiles } from "@switchboard/runtime";
import { collect, devCertificates } from "@switchboard/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_PEERS } from "../src/app.js";
import {
  type ImageServiceUnderTest,
  makeImage,
  OWNER,
  startImageService,
  uploadMessages,
} from "./harness.js";

let certs: ReturnType<typeof devCertificates>;
let service: ImageServiceUnderTest;
const file = (name: string) => certs.file(name);

beforeAll(async () => {
  certs = devCertificates("image-service-certs-");
  service = await startImageService({
    tls: serverTlsFromFiles({
      TLS_CERT_FILE: file("server.pem"),
      TLS_KEY_FILE: file("server-key.pem"),
      TLS_CA_FILE: file("ca.pem"),
    }),
  });
}, 60_000);
afterAll(async () => {
  await service?.close();
  certs?.remove();
});

/** A client presenting `certificate` (e.g. "user-service-client") and no token. */
function clientAs(certificate: string) {
  const tls = clientTlsFromFiles({
    TLS_CA_FILE: file("ca.pem"),
    TLS_CLIENT_CERT_FILE: file(`${certificate}.pem`),
    TLS_CLIENT_KEY_FILE: file(`${certificate}-key.pem`),
  });
  return createServiceClient(ImageService, {
    baseUrl: `https://localhost:${service.port}`,
    tls: tls!,
    maxAttempts: 1,
  });
}

const codeOf = (call: Promise<unknown>) =>
  call.then(
    () => "OK",
    (error: unknown) => ConnectError.from(error).code,
  );

describe("image-service's service peers under mutual TLS", () => {
  it("are the rpcs of the policy's grants: user-service may upload and download", () => {
    expect(SERVICE_PEERS).toEqual({
      "user-service": [
        "switchboard.image.v1.ImageService/UploadImage",
        "switchboard.image.v1.ImageService/DownloadImage",
      ],
    });
  });

  it("admit user-service's certificate without a token to upload for a named user and download, and to nothing else", async () => {
    const userService = clientAs("user-service-client");
    const { image } = await userService.uploadImage(
      uploadMessages(await makeImage("png"), { ownerId: OWNER }),
    );
    expect(image?.ownerId).toBe(OWNER);
    const chunks = await collect(userService.downloadImage({ imageId: image?.id ?? "" }));
    expect(chunks.length).toBeGreaterThan(1);
    // Not listed for it: a token would be needed.
    expect(await codeOf(userService.getImage({ imageId: image?.id ?? "" }))).toBe(16);
    expect(await codeOf(userService.listImages({ ownerId: OWNER }))).toBe(16);
    expect(await codeOf(userService.deleteImage({ imageId: image?.id ?? "" }))).toBe(16);
  });

  it("admit no one else by certificate: a client certificate naming no service needs a token", async () => {
    const tool = clientAs("client");
    const before = await service.rows();
    const upload = tool.uploadImage(uploadMessages(await makeImage("png"), { ownerId: OWNER }));
    expect(await codeOf(upload)).toBe(16);
    expect(await service.rows()).toEqual(before);
  });
});
