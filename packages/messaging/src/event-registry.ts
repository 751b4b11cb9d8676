import { createRegistry } from "@bufbuild/protobuf";
import { file_switchboard_events_v1_events } from "@switchboard/proto/switchboard/events/v1/events_pb.js";

/** Every Switchboard event type (switchboard.events.v1), to decode any event by its CloudEvents `type`. */
export const eventRegistry = createRegistry(file_switchboard_events_v1_events);
