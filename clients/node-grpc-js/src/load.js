// Loads Switchboard's contracts straight from the .proto files at run time — the way a team
// without our TypeScript toolchain would — and returns grpc-js service constructors.
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const protoRoot = fileURLToPath(new URL("../../../proto/", import.meta.url));

const FILES = [
  "switchboard/auth/v1/auth_service.proto",
  "switchboard/user/v1/user_service.proto",
  "switchboard/image/v1/image_service.proto",
  "switchboard/notification/v1/notification_service.proto",
  "user/usuario.proto",
];

/** The loaded packages: `pkg.switchboard.user.v1.UserService`, `pkg.switchboard.auth.v1.AuthService`, `pkg.user.UsuarioServicio`, … */
export function loadContracts() {
  const definition = protoLoader.loadSync(FILES, {
    includeDirs: [protoRoot, `${protoRoot}vendor`],
    keepCase: false, // fields as lowerCamelCase, like proto3 JSON
    longs: String, // int64 as decimal strings: no precision loss
    enums: String,
    defaults: true,
    oneofs: true, // a virtual field names which member of a oneof is set
  });
  return grpc.loadPackageDefinition(definition);
}
