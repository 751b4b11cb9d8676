import { openApiDocument, type Route } from "@switchboard/http-transcoding";
import type { FastifyInstance } from "fastify";

type Operation = Record<string, unknown>;
const STATUS = { $ref: "#/components/schemas/google.rpc.Status" };
const errors = {
  default: {
    description: "An error: google.rpc.Status",
    content: { "application/json": { schema: STATUS } },
  },
};

/** The routes served specially, described as served: the upload, the download, the SSE stream, the list page. */
function special(route: Route, generated: Operation): Operation {
  switch (route.method.name) {
    case "UploadImage":
      return {
        ...generated,
        parameters: [],
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["file"],
                properties: {
                  ownerId: {
                    type: "string",
                    description: "Empty or absent: the caller. Another user's id: admins and services only.",
                  },
                  filename: { type: "string" },
                  sha256: { type: "string", pattern: "^([0-9a-f]{64})?$" },
                  file: { type: "string", contentMediaType: "application/octet-stream" },
                },
              },
              encoding: { file: { contentType: "image/*" } },
            },
            "image/*": { schema: { type: "string", contentMediaType: "image/*" } },
          },
        },
        responses: {
          "201": {
            description: "Stored",
            content: {
              "application/json": {
                schema: { $ref: "#/components/schemas/switchboard.image.v1.UploadImageResponse" },
              },
            },
          },
          ...errors,
        },
      };
    case "DownloadImage":
      return {
        ...generated,
        responses: {
          "200": {
            description: "The bytes",
            content: { "image/*": { schema: { type: "string", contentMediaType: "image/*" } } },
          },
          "206": { description: "A byte range", content: { "image/*": { schema: { type: "string" } } } },
          "304": { description: "Not modified (If-None-Match matched the ETag)" },
          "412": {
            description: "If-Match did not match the ETag (google.rpc.Status, code FAILED_PRECONDITION)",
            content: { "application/json": { schema: STATUS } },
          },
          ...errors,
        },
      };
    case "Subscribe":
      return {
        ...generated,
        responses: {
          "200": {
            description:
              "Server-sent events: `event: notification`, `id:` the notification id, `data:` a Notification as JSON",
            content: { "text/event-stream": { schema: { type: "string" } } },
          },
          ...errors,
        },
      };
    case "ListUsers":
      return {
        ...generated,
        responses: {
          "200": {
            description: "One page",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: {
                    users: {
                      type: "array",
                      items: { $ref: "#/components/schemas/switchboard.user.v1.User" },
                    },
                    nextPageToken: { type: "string" },
                  },
                },
              },
            },
          },
          ...errors,
        },
      };
    default:
      return generated;
  }
}

/** /openapi.json from the same route table the gateway serves. */
export function openApiRoutes(app: FastifyInstance, routes: Route[]): Record<string, unknown> {
  const document = openApiDocument(routes, {
    title: "Switchboard REST API",
    version: "v1",
    description: "Generated from the services' google.api.http annotations (proto3 JSON).",
    operation: special,
  });
  app.get("/openapi.json", async () => document);
  return document;
}
