import { Metadata } from "@grpc/grpc-js";

/** gRPC metadata as fetch Headers, the form connect's handler context uses (binary values in base64). */
export function headersFromMetadata(metadata: Metadata): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(metadata.getMap())) {
    const value = typeof values === "string" ? values : Buffer.from(values).toString("base64");
    headers.append(key, value);
  }
  return headers;
}

/** Headers as gRPC metadata; `-bin` keys carry base64 and become bytes. `skip` names keys grpc-js sets itself. */
export function metadataFromHeaders(headers: Headers, skip: readonly string[] = []): Metadata {
  const metadata = new Metadata();
  headers.forEach((value, key) => {
    if (skip.includes(key)) return;
    if (key.endsWith("-bin")) metadata.add(key, Buffer.from(value, "base64"));
    else metadata.add(key, value);
  });
  return metadata;
}
