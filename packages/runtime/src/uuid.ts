const UUID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/** Whether `text` is a UUID (any version, either case): what the stores compare ids as. */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}
