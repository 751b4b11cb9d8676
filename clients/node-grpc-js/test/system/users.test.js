// UserService from the stock client against the running user-service: every call kind, as a user
// and as the admin.
import { describe, expect, it } from "vitest";
import { run } from "../../examples/users.js";
import { admin, clients, title, up } from "./running-system.js";

describe.skipIf(!up.users)(title("UserService from a stock grpc-js client", "users"), () => {
  it("runs the example: sign-up, login, unary CRUD, ImportUsers, ListUsers and a UserSession", async () => {
    const lines = await run(clients, admin);
    const created = /^CreateUser: (\S+) v1 \(retry gave \1\)$/.exec(
      lines.find((l) => l.startsWith("CreateUser:")),
    );
    expect(created).not.toBeNull();
    expect(lines).toContain(`Login: ${created[1]}`);
    expect(lines).toContain("ImportUsers: received=4 created=3 rejected=1");
    expect(lines.filter((l) => l.startsWith("ListUsers:"))).toHaveLength(4); // Ana and the 3 imported rows
    expect(lines.filter((l) => l.startsWith("UserSession:"))).toEqual([
      "UserSession: #1 watching",
      "UserSession: #2 user",
      "UserSession: #3 error",
    ]);
  });
});
