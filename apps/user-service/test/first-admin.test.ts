import { randomUUID } from "node:crypto";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { brokerUrls, ensureBrokers, memoryLogger } from "@switchboard/testing";
import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { UserStore } from "../src/store/user-store.js";
import { migratedDatabase, outboxEvents, startUserService } from "./harness.js";

const admin = () => ({ email: `Admin.${randomUUID()}@example.com`, password: "first-admin-pw" });

describe.each(["pglite", "postgres"] as const)("the first admin on %s", (engine) => {
  const fresh = async () => {
    if (engine === "postgres") await ensureBrokers("postgres");
    return migratedDatabase(engine === "postgres" ? brokerUrls.postgres : undefined);
  };

  it("is made when there is no admin (with its UserCreated event), can log in as admin, and is made once", async () => {
    const db = await fresh();
    const service = await startUserService(db);
    try {
      const first = admin();
      expect(await service.app.ensureFirstAdmin(first)).toBe("created");
      expect(await service.app.ensureFirstAdmin(first)).toBe("already-there");
      expect(await service.app.ensureFirstAdmin(admin())).toBe("already-there"); // another email: still one admin
      const { rows } = await db.query<{ id: string; roles: string[] }>("SELECT id, roles FROM users");
      expect(rows).toEqual([{ id: expect.any(String), roles: ["user", "admin"] }]);
      expect(await outboxEvents(db)).toEqual([
        { type: "switchboard.events.v1.UserCreated", key: rows[0]!.id },
      ]);
      const { tokens } = await service.client(AuthService, null).login(first);
      expect(decodeJwt(tokens!.accessToken)).toMatchObject({ sub: rows[0]!.id, roles: ["user", "admin"] });
      // The admin's token lists users.
      const listed = service.client(UserService, tokens!.accessToken).listUsers({});
      for await (const { user } of listed) expect(user?.id).toBe(rows[0]!.id);
    } finally {
      await service.close();
      await db.close();
    }
  });

  it("is made exactly once when several instances start at the same time", async () => {
    const db = await fresh();
    const wanted = admin();
    try {
      const apps = [1, 2, 3].map(() =>
        buildApp({ logger: memoryLogger().logger, store: new UserStore(db), outbox: { wake() {} } }),
      );
      const outcomes = await Promise.all(apps.map((app) => app.ensureFirstAdmin(wanted)));
      expect(outcomes).toContain("created");
      const { rows } = await db.query<{ roles: string[] }>("SELECT roles FROM users");
      expect(rows).toEqual([{ roles: ["user", "admin"] }]);
      expect((await outboxEvents(db)).length).toBe(1);
    } finally {
      await db.close();
    }
  });

  it("promotes the user who already has the admin email, with the configured password", async () => {
    const db = await fresh();
    const service = await startUserService(db);
    try {
      const wanted = admin();
      const { user } = await service
        .client(UserService, null)
        .createUser({ name: "Early", email: wanted.email.toLowerCase(), password: "their-own-pw" });
      expect(await service.app.ensureFirstAdmin(wanted)).toBe("created");
      const { rows } = await db.query<{ id: string; roles: string[] }>("SELECT id, roles FROM users");
      expect(rows).toEqual([{ id: user!.id, roles: ["user", "admin"] }]);
      const { tokens } = await service.client(AuthService, null).login(wanted);
      expect(tokens?.subject).toBe(user!.id);
    } finally {
      await service.close();
      await db.close();
    }
  });
});
