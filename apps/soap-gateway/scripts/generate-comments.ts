/**
 * Writes gen/comments.json: the doc comment of every message, field, enum, enum value, service and
 * method in proto/switchboard, by fully-qualified name. The generated TS descriptors carry no source
 * info, so the WSDL's xsd:documentation comes from here. Committed; `pnpm check:drift` fails on a diff.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AnyDesc, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { getComments } from "@bufbuild/protoplugin";

const here = dirname(fileURLToPath(import.meta.url));
const protoDir = join(here, "../../../proto");
const buf = join(dirname(createRequire(import.meta.url).resolve("@bufbuild/buf/package.json")), "bin/buf");

/** Every doc comment of proto/switchboard, by full name, sorted: what gen/comments.json holds. */
export function contractComments(): Record<string, string> {
  const image = execFileSync(buf, ["build", "--path", "switchboard", "-o", "-#format=binpb"], {
    cwd: protoDir,
    maxBuffer: 64 * 1024 * 1024,
  });
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, image));

  const comments: Record<string, string> = {};
  const note = (name: string, desc: Exclude<AnyDesc, { kind: "file" }>) => {
    const text = getComments(desc).leading?.trim();
    if (text) comments[name] = text.replace(/^ /gm, "");
  };
  for (const file of registry.files) {
    if (!file.name.startsWith("switchboard/")) continue;
    for (const type of [...file.messages, ...file.enums, ...file.services]) walk(type);
  }

  function walk(desc: Exclude<AnyDesc, { kind: "file" }>): void {
    switch (desc.kind) {
      case "message":
        note(desc.typeName, desc);
        for (const field of desc.fields) note(`${desc.typeName}.${field.name}`, field);
        for (const oneof of desc.oneofs) note(`${desc.typeName}.${oneof.name}`, oneof);
        for (const nested of [...desc.nestedMessages, ...desc.nestedEnums]) walk(nested);
        break;
      case "enum":
        note(desc.typeName, desc);
        for (const value of desc.values) note(`${desc.typeName}.${value.name}`, value);
        break;
      case "service":
        note(desc.typeName, desc);
        for (const method of desc.methods) note(`${desc.typeName}.${method.name}`, method);
        break;
    }
  }

  return Object.fromEntries(Object.entries(comments).sort(([a], [b]) => a.localeCompare(b)));
}

export const COMMENTS_FILE = join(here, "../gen/comments.json");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const comments = contractComments();
  writeFileSync(COMMENTS_FILE, `${JSON.stringify(comments, null, 2)}\n`);
  console.log(`gen/comments.json: ${Object.keys(comments).length} comments`);
}
