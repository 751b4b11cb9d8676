import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type EnumDescriptorProto,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import { afterAll, describe, expect, it } from "vitest";
import { file_user_usuario, GetUserRequestSchema, UsuarioServicio } from "../gen/user/usuario_pb.js";

const moduleDir = join(import.meta.dirname, "..");
const bin = join(moduleDir, "node_modules", ".bin");
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

/**
 * A scratch copy of the module's sources (no gen/, node_modules/), to change or regenerate. The
 * local comments plugin is linked, not copied: Node resolves its imports from where it really is.
 */
function copyModule(): string {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-proto-"));
  copies.push(dir);
  for (const entry of ["buf.yaml", "buf.gen.yaml", "switchboard", "user", "vendor"]) {
    cpSync(join(moduleDir, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(moduleDir, "plugin"), join(dir, "plugin"));
  return dir;
}

/** `buf breaking` of a module directory against the committed baseline image. */
function breaking(dir: string): { status: number; output: string } {
  const image = execFileSync("buf", ["build", "--exclude-source-info", "-o", "-#format=binpb"], {
    cwd: dir,
    env,
  });
  const result = spawnSync(
    "buf",
    ["breaking", "-#format=binpb", "--against", join(moduleDir, "baseline", "released.binpb")],
    { cwd: dir, env, input: image, encoding: "utf8" },
  );
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe("the contracts", () => {
  it("pass the breaking-change check against the released baseline as they are", () => {
    expect(breaking(copyModule())).toMatchObject({ status: 0 });
  });

  it("fail the breaking-change check when a field changes type", () => {
    const dir = copyModule();
    const path = join(dir, "switchboard", "user", "v1", "user.proto");
    writeFileSync(path, readFileSync(path, "utf8").replace("int64 version = 7;", "string version = 7;"));
    const result = breaking(dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/"version" on message "User" changed type from "int64" to "string"/);
  });

  it("fail the breaking-change check when a field is removed", () => {
    const dir = copyModule();
    const path = join(dir, "user", "usuario.proto");
    writeFileSync(
      path,
      readFileSync(path, "utf8").replace("  int32 pow = 2;\n  // An image", "  // An image"),
    );
    const result = breaking(dir);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/Previously present field "2" with name "pow" on message "GetUserRequest"/);
  });

  it("regenerate byte-identical to the committed proto/gen (no drift)", () => {
    const dir = copyModule();
    execFileSync("buf", ["generate"], { cwd: dir, env });
    const generated = files(join(dir, "gen"))
      .map((path) => relative(join(dir, "gen"), path))
      .sort();
    const committed = files(join(moduleDir, "gen"))
      .map((path) => relative(join(moduleDir, "gen"), path))
      .sort();
    expect(generated).toEqual(committed);
    for (const path of generated) {
      expect(readFileSync(join(dir, "gen", path), "utf8"), path).toBe(
        readFileSync(join(moduleDir, "gen", path), "utf8"),
      );
    }
  });

  it("carry a doc comment on every service, rpc, message, field and enum value of switchboard.*", () => {
    const image = execFileSync("buf", ["build", "--as-file-descriptor-set", "-o", "-#format=binpb"], {
      cwd: moduleDir,
      env,
    });
    const set = fromBinary(FileDescriptorSetSchema, image);
    const missing: string[] = [];
    for (const file of set.file.filter((f) => f.name.startsWith("switchboard/"))) {
      const documented = new Set(
        (file.sourceCodeInfo?.location ?? [])
          .filter((location) => location.leadingComments.trim() !== "")
          .map((location) => location.path.join(".")),
      );
      const check = (path: number[], what: string) => {
        if (!documented.has(path.join("."))) missing.push(`${file.name}: ${what}`);
      };
      // Descriptor paths: messages 4 (nested 3), their fields 2 and enums 4; top-level enums 5
      // (values 2); services 6 (methods 2).
      const enums = (list: EnumDescriptorProto[], at: number[]) =>
        list.forEach((enumType, e) => {
          check([...at, e], enumType.name);
          for (const [v, value] of enumType.value.entries())
            check([...at, e, 2, v], `${enumType.name}.${value.name}`);
        });
      const messages = (list: DescriptorProto[], at: number[]) =>
        list.forEach((message, m) => {
          if (message.options?.mapEntry) return; // synthesized for a map<,> field, no source
          check([...at, m], message.name);
          for (const [f, field] of message.field.entries())
            check([...at, m, 2, f], `${message.name}.${field.name}`);
          messages(message.nestedType, [...at, m, 3]);
          enums(message.enumType, [...at, m, 4]);
        });
      messages(file.messageType, [4]);
      enums(file.enumType, [5]);
      file.service.forEach((service, s) => {
        check([6, s], service.name);
        for (const [r, method] of service.method.entries())
          check([6, s, 2, r], `${service.name}.${method.name}`);
      });
    }
    expect(missing).toEqual([]);
  });
});

describe("the seed contract user.UsuarioServicio", () => {
  it("encodes GetUserRequest exactly as the original clients do", () => {
    const bytes = toBinary(
      GetUserRequestSchema,
      create(GetUserRequestSchema, { name: "ana", pow: 2, image: new Uint8Array([1, 2, 3]) }),
    );
    expect(Buffer.from(bytes).toString("hex")).toBe("0a03616e6110021a03010203");
  });

  it("keeps its package, service, method names, call kinds and file options", () => {
    expect(UsuarioServicio.typeName).toBe("user.UsuarioServicio");
    expect(file_user_usuario.proto.options).toMatchObject({
      javaMultipleFiles: true,
      javaPackage: "io.grpc.examples.helloworld",
      javaOuterClassname: "HelloWorldProto",
      objcClassPrefix: "HLW",
    });
    expect(
      UsuarioServicio.methods.map((m) => [m.name, m.methodKind, m.input.typeName, m.output.typeName]),
    ).toEqual([
      ["GetUser", "unary", "user.GetUserRequest", "user.GetUserReply"],
      ["ProcessImage", "unary", "user.GetUserRequest", "user.GetUserReply"],
      ["GetStreamImage", "client_streaming", "user.GetImage", "user.GetUserReply"],
      ["ImageStreamReply", "bidi_streaming", "user.GetImage", "user.GetImageReply"],
      ["GetUserBidiStream", "bidi_streaming", "user.GetUserRequest", "user.GetAllReply"],
    ]);
  });
});
