import { type DescMessage, ScalarType } from "@bufbuild/protobuf";

/**
 * The paths of string fields (and map keys) in `message` that hold U+0000. Protobuf allows it;
 * PostgreSQL text, MQTT strings and XML do not, so a NUL that got past the edge would fail deep
 * inside as a server fault. The validation interceptor refuses it up front as the client's error.
 */
export function nulStringFields(schema: DescMessage, message: unknown, prefix = ""): string[] {
  const found: string[] = [];
  const record = message as Record<string, unknown>;
  for (const field of schema.fields) {
    const value = field.oneof
      ? oneofValue(record[field.oneof.localName], field.localName)
      : record[field.localName];
    if (value === undefined || value === null) continue;
    const path = prefix + field.name;
    const isString = "scalar" in field && field.scalar === ScalarType.STRING;
    switch (field.fieldKind) {
      case "scalar":
        if (isString && hasNul(value)) found.push(path);
        break;
      case "message":
        found.push(...nulStringFields(field.message, value, `${path}.`));
        break;
      case "list":
        (value as unknown[]).forEach((item, index) => {
          if (field.listKind === "scalar" && isString && hasNul(item)) found.push(`${path}[${index}]`);
          if (field.listKind === "message")
            found.push(...nulStringFields(field.message, item, `${path}[${index}].`));
        });
        break;
      case "map":
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
          if (hasNul(key) || (field.mapKind === "scalar" && isString && hasNul(item))) {
            found.push(`${path}[${JSON.stringify(key)}]`);
          }
          if (field.mapKind === "message")
            found.push(...nulStringFields(field.message, item, `${path}[${JSON.stringify(key)}].`));
        }
        break;
    }
  }
  return found;
}

function oneofValue(oneof: unknown, member: string): unknown {
  const selected = oneof as { case?: string; value?: unknown } | undefined;
  return selected?.case === member ? selected.value : undefined;
}

const hasNul = (value: unknown): boolean => typeof value === "string" && value.includes("\u0000");
