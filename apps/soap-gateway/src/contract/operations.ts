/**
 * What each SOAP service offers: every unary rpc as it is, ListUsers as one page, UploadImage as
 * one request carrying the whole image. Other streams have no faithful request/response form and
 * are left out (they are listed in `omitted`, and the WSDL test checks every rpc is accounted for).
 */
import {
  create,
  type DescMessage,
  type DescMethod,
  type DescService,
  type Message,
} from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import {
  ImageService,
  UploadImageRequestSchema,
  type UploadMetadata,
} from "@switchboard/proto/switchboard/image/v1/image_service_pb.js";
import { NotificationService } from "@switchboard/proto/switchboard/notification/v1/notification_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { gatewayTypes } from "./gateway-types.js";

export interface Backends {
  /** AuthService, served by user-service. */
  auth: Client<typeof AuthService>;
  users: Client<typeof UserService>;
  images: Client<typeof ImageService>;
  notifications: Client<typeof NotificationService>;
}

export interface CallOptions {
  signal: AbortSignal;
  headers?: Headers;
}

export interface Operation {
  name: string;
  input: DescMessage;
  output: DescMessage;
  /** The rpc behind it (a unary one, or the stream it is built on). */
  method: DescMethod;
  call(backends: Backends, request: Message, options: CallOptions): Promise<Message>;
}

export interface SoapService {
  service: DescService;
  operations: Operation[];
  /** Rpcs not offered over SOAP, and why. */
  omitted: Record<string, string>;
  grpcStatus: DescMessage;
  /** Documentation of the gateway's own types, by full name. */
  docs: Map<string, string>;
}

/** Largest image UploadImage accepts in one SOAP request. */
export const SOAP_UPLOAD_CHUNK = 64 * 1024;

function unary(service: DescService, pick: (b: Backends) => object, method: DescMethod): Operation {
  return {
    name: method.name,
    input: method.input,
    output: method.output,
    method,
    call: (backends, request, options) => {
      const client = pick(backends) as Record<string, (r: Message, o: CallOptions) => Promise<Message>>;
      const fn = client[method.localName];
      if (!fn) throw new Error(`${service.typeName} client has no ${method.localName}`);
      return fn.call(client, request, options);
    },
  };
}

function unaryOperations(service: DescService, pick: (b: Backends) => object): Operation[] {
  return service.methods.filter((m) => m.methodKind === "unary").map((m) => unary(service, pick, m));
}

function method(service: DescService, name: string): DescMethod {
  const found = service.methods.find((m) => m.name === name);
  if (!found) throw new Error(`${service.typeName} has no rpc ${name}`);
  return found;
}

function userService(): SoapService {
  const types = gatewayTypes(UserService, [
    {
      name: "ListUsersPage",
      doc: "One page of ListUsers: the users of the stream, and the token of the next page if more match.",
      fields: [
        {
          name: "users",
          jsonName: "users",
          type: { message: "User" },
          repeated: true,
          doc: "The page's users, by id.",
        },
        {
          name: "next_page_token",
          jsonName: "nextPageToken",
          type: "string",
          doc: "Pass as pageToken for the next page; empty when the matches ran out.",
        },
      ],
    },
  ]);
  const listUsers = method(UserService, "ListUsers");
  const page = types.message("ListUsersPage");
  return {
    service: UserService,
    grpcStatus: types.grpcStatus,
    docs: types.docs,
    operations: [
      ...unaryOperations(UserService, (b) => b.users),
      {
        name: "ListUsers",
        input: listUsers.input,
        output: page,
        method: listUsers,
        async call(backends, request, options) {
          const users: Message[] = [];
          let nextPageToken = "";
          // pageSize 0 would stream every user into one XML document: SOAP pages are capped.
          const asked = (request as unknown as { pageSize: number }).pageSize;
          const pageSize = asked > 0 ? asked : 100;
          for await (const item of backends.users.listUsers({ ...(request as object), pageSize }, options)) {
            if (item.user) users.push(item.user);
            nextPageToken = item.nextPageToken;
          }
          return create(page, { users, nextPageToken });
        },
      },
    ],
    omitted: {
      ImportUsers: "client stream: call CreateUser per row",
      UserSession: "bidirectional stream",
    },
  };
}

function imageService(): SoapService {
  const types = gatewayTypes(ImageService, [
    {
      name: "WholeImageUpload",
      doc: "UploadImage in one request: the metadata and every byte of the image.",
      fields: [
        {
          name: "metadata",
          jsonName: "metadata",
          type: { message: "UploadMetadata" },
          doc: "As in UploadImage's first message.",
        },
        {
          name: "data",
          jsonName: "data",
          type: "bytes",
          doc: "The whole image (size-capped by the gateway's body limit).",
        },
      ],
    },
  ]);
  const upload = method(ImageService, "UploadImage");
  return {
    service: ImageService,
    grpcStatus: types.grpcStatus,
    docs: types.docs,
    operations: [
      {
        name: "UploadImage",
        input: types.message("WholeImageUpload"),
        output: upload.output,
        method: upload,
        call(backends, request, options) {
          const { metadata, data } = request as unknown as { metadata?: UploadMetadata; data: Uint8Array };
          async function* messages() {
            yield create(UploadImageRequestSchema, { data: { case: "metadata", value: metadata ?? {} } });
            for (let at = 0; at < data.length; at += SOAP_UPLOAD_CHUNK) {
              yield create(UploadImageRequestSchema, {
                data: { case: "chunk", value: data.subarray(at, at + SOAP_UPLOAD_CHUNK) },
              });
            }
          }
          return backends.images.uploadImage(messages(), options);
        },
      },
      ...unaryOperations(ImageService, (b) => b.images),
    ],
    omitted: {
      DownloadImage: "server stream of chunks: GetImage gives the metadata; download over gRPC or REST",
      ProcessImageStream: "bidirectional stream: ProcessImage does the same in one call",
    },
  };
}

function notificationService(): SoapService {
  const types = gatewayTypes(NotificationService, []);
  return {
    service: NotificationService,
    grpcStatus: types.grpcStatus,
    docs: types.docs,
    operations: unaryOperations(NotificationService, (b) => b.notifications),
    omitted: { Subscribe: "server stream that never ends: use gRPC, MQTT or the REST gateway" },
  };
}

/** Login, tokens and keys: every rpc is unary, so all of them, as they are (Login for SOAP-only clients). */
function authService(): SoapService {
  const types = gatewayTypes(AuthService, []);
  return {
    service: AuthService,
    grpcStatus: types.grpcStatus,
    docs: types.docs,
    operations: unaryOperations(AuthService, (b) => b.auth),
    omitted: {},
  };
}

/** Every SOAP service, by the name in its URL (/ws/<name>). */
export function soapServices(): Map<string, SoapService> {
  return new Map(
    [authService(), userService(), imageService(), notificationService()].map((s) => [s.service.name, s]),
  );
}
