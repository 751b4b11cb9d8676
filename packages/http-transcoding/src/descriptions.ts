import type { DescEnum, DescField, DescMessage, DescMethod, DescService } from "@bufbuild/protobuf";
import { comments as contractComments } from "@switchboard/proto/comments.js";
import type { Schema } from "./json-schema.js";

/** Doc comments by full name (`pkg.Message`, `pkg.Message.field`, `pkg.Enum.VALUE`, `pkg.Service.Rpc`). */
export type Comments = Readonly<Record<string, string>>;

/**
 * The contracts' doc comments as OpenAPI text. The descriptors carry no source info, so the text
 * comes from `@switchboard/proto/comments.js`, generated from proto/ and drift-checked with it.
 */
export class Descriptions {
  constructor(private readonly comments: Comments = contractComments) {}

  message(message: DescMessage): string | undefined {
    return this.comments[message.typeName];
  }

  field(field: DescField): string | undefined {
    return this.comments[`${field.parent.typeName}.${field.name}`];
  }

  service(service: DescService): string | undefined {
    return this.comments[service.typeName];
  }

  method(method: DescMethod): string | undefined {
    return this.comments[`${method.parent.typeName}.${method.name}`];
  }

  /**
   * The enum's comment and one line per documented value: JSON Schema has no place for a
   * description per `enum` entry, and a list in the text is what every renderer shows.
   */
  enumType(desc: DescEnum): string | undefined {
    const values = desc.values
      .map((value) => [value.name, this.comments[`${desc.typeName}.${value.name}`]] as const)
      .filter(([, text]) => text !== undefined)
      .map(([name, text]) => `- \`${name}\`: ${oneLine(text!)}`);
    const parts = [this.comments[desc.typeName], values.length > 0 ? values.join("\n") : undefined];
    return joined(parts);
  }
}

/** `schema` with `text` before the description it already has (a type's own note stays after). */
export function described(schema: Schema, text: string | undefined): Schema {
  const description = joined([text, schema.description as string | undefined]);
  return description === undefined ? schema : { ...schema, description };
}

/**
 * An operation's summary: the comment's first sentence (its first paragraph when it has no full
 * stop), on one line. The whole comment goes in the description.
 */
export function summaryOf(comment: string): string {
  const paragraph = oneLine(comment.split(/\n\s*\n/)[0]!);
  // A full stop ends the sentence, except in "e.g." and "i.e.".
  const end = paragraph.search(/(?<!\b(?:e\.g|i\.e))[.!?](?=\s|$)/);
  return end === -1 ? paragraph : paragraph.slice(0, end + 1);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function joined(parts: readonly (string | undefined)[]): string | undefined {
  const present = parts.filter((part): part is string => part !== undefined && part !== "");
  return present.length > 0 ? present.join("\n\n") : undefined;
}
