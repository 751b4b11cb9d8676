/**
 * What can go wrong in the image library, in its own terms. The handlers turn these into status
 * codes (handlers/status.ts); the domain knows nothing of gRPC. Bad input is runtime's
 * InvalidInputError.
 */

/** No such image, or no such variant of it. */
export class ImageNotFoundError extends Error {
  override name = "ImageNotFoundError";
}

/** An upload, or a chunk of one, over its limit. */
export class ImageTooLargeError extends Error {
  override name = "ImageTooLargeError";
}

/** The caller is not signed in (no token): the rule needs to know who asks. */
export class NotSignedInError extends Error {
  override name = "NotSignedInError";
}

/** The caller is known but may not do this (another user's image, a service without the grant). */
export class AccessDeniedError extends Error {
  override name = "AccessDeniedError";
}
