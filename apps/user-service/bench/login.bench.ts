/**
 * What a Login costs, and whether its time tells an unknown email from a wrong password: the
 * median of BENCH_ROUNDS logins of each kind (right password, wrong password, unknown email,
 * user without a password), interleaved so that machine noise hits all kinds alike. user-service
 * runs in this process on a real port (PGlite in memory); the throttle is set out of the way.
 */
import { randomUUID } from "node:crypto";
import { AuthService } from "@switchboard/proto/switchboard/auth/v1/auth_service_pb.js";
import { UserService } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";
import { migratedDatabase, startUserService } from "../test/harness.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);

const db = await migratedDatabase();
const service = await startUserService(db, {
  identity: { loginLimits: { perAccount: 1_000_000, perClient: 1_000_000, windowMs: 1_000 } },
});
const auth = service.client(AuthService, null);
const email = `bench.${randomUUID()}@example.com`;
await service.client(UserService, null).createUser({ name: "Bench", email, password: "bench-password" });
const noPassword = `nopw.${randomUUID()}@example.com`;
await service.client(UserService).createUser({ name: "No Password", email: noPassword });

const kinds = {
  "right password": { email, password: "bench-password" },
  "wrong password": { email, password: "wrong-password" },
  "unknown email": { email: `nobody.${randomUUID()}@example.com`, password: "bench-password" },
  "no password set": { email: noPassword, password: "bench-password" },
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, []]));
for (let round = -1; round < ROUNDS; round++) {
  for (const [kind, credentials] of Object.entries(kinds)) {
    const started = performance.now();
    await auth.login(credentials).catch(() => undefined);
    if (round >= 0) times[kind]!.push(performance.now() - started); // round -1 warms up
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`Login, median of ${ROUNDS} each (ms, client and server in one process):`);
for (const [kind, values] of Object.entries(times))
  console.log(`  ${kind.padEnd(16)} ${median(values).toFixed(1)}`);
await service.close();
await db.close();
