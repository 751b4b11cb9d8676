import type { User } from "@switchboard/proto/switchboard/user/v1/user_pb.js";
import { ChangeKind } from "@switchboard/proto/switchboard/user/v1/user_service_pb.js";

export { ChangeKind };

export interface UserChangeEvent {
  user: User;
  kind: ChangeKind;
}

/**
 * The in-process feed of committed changes that UserSession streams watch. Handlers publish after
 * their transaction commits, so a watcher never sees a change that was rolled back.
 */
export class UserChanges {
  readonly #listeners = new Set<(change: UserChangeEvent) => void>();

  publish(change: UserChangeEvent): void {
    for (const listener of this.#listeners) listener(change);
  }

  /** How many listeners (open UserSessions) there are. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** Calls `listener` for every change until the returned function is called. */
  listen(listener: (change: UserChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
