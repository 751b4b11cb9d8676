import type { Image } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import { type Caller, invalidInput, isAdmin } from "@switchboard/runtime";
import { AccessDeniedError, NotSignedInError } from "./errors.js";

/**
 * Who may do what with images: a user acts on its own images (its id is the owner), an admin on
 * anyone's, a service only as SERVICE_GRANTS allow (for any owner, which it must name).
 */
export type ImageAction = "upload" | "list" | "get" | "download" | "process" | "delete";

/**
 * What each service may do. user-service serves the seed contract (user.UsuarioServicio), which
 * stores and fetches images for the user it names: uploads and downloads, nothing else.
 */
export const SERVICE_GRANTS: Readonly<Record<string, readonly ImageAction[]>> = {
  "user-service": ["upload", "download"],
};

/** The rpc each action is (ProcessImageStream uploads and processes). */
export const RPCS_OF_ACTION: Readonly<Record<ImageAction, readonly string[]>> = {
  upload: ["UploadImage"],
  list: ["ListImages"],
  get: ["GetImage"],
  download: ["DownloadImage"],
  process: ["ProcessImage", "ProcessImageStream"],
  delete: ["DeleteImage"],
};

/**
 * The owner whose images an upload (or a ProcessImageStream, action "process") stores, or a
 * list reads: `requested`, or the caller itself when empty. A user may name only itself, an
 * admin anyone; a service must name the owner. `field` names the request field in errors.
 */
export function ownerFor(caller: Caller, action: ImageAction, requested: string, field: string): string {
  switch (caller.kind) {
    case "anonymous":
      throw new NotSignedInError(`${action} needs a signed-in caller`);
    case "service":
      mustBeGranted(caller.service, action);
      if (!requested) throw invalidInput([{ field, description: "a service must name the owner" }]);
      return requested;
    case "user":
      if (!requested || requested === caller.userId || isAdmin(caller)) return requested || caller.userId;
      throw new AccessDeniedError(`user ${caller.userId} may not ${action} images of ${requested}`);
  }
}

/** Allows `action` on a loaded image, or throws: the owner and admins may, services per SERVICE_GRANTS. */
export function authorizeImage(
  caller: Caller,
  action: ImageAction,
  image: Pick<Image, "id" | "ownerId">,
): void {
  switch (caller.kind) {
    case "anonymous":
      throw new NotSignedInError(`${action} needs a signed-in caller`);
    case "service":
      mustBeGranted(caller.service, action);
      return;
    case "user":
      if (image.ownerId === caller.userId || isAdmin(caller)) return;
      throw new AccessDeniedError(`image ${image.id} belongs to another user`);
  }
}

/** authorizeImage as the library takes it: a check run once the image is loaded. */
export const imageAuthorizer =
  (caller: Caller, action: ImageAction) =>
  (image: Pick<Image, "id" | "ownerId">): void =>
    authorizeImage(caller, action, image);

function mustBeGranted(service: string, action: ImageAction): void {
  if (!SERVICE_GRANTS[service]?.includes(action))
    throw new AccessDeniedError(`service ${service} may not ${action} images`);
}
