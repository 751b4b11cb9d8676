import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Fit, OperationSchema } from "@switchboard/proto/switchboard/image/v1/image_pb.js";
import { InvalidInputError } from "@switchboard/runtime";
import { describe, expect, it } from "vitest";
import { planOperations } from "./plan-operations.js";

const op = (kind: MessageInitShape<typeof OperationSchema>["kind"]) => create(OperationSchema, { kind });
const rgb7000 = { width: 7000, height: 7000, channels: 3, bytesPerSample: 1 };

describe("planOperations", () => {
  it("works out each step's size from the header", () => {
    const plan = planOperations(
      { ...rgb7000, width: 4000, height: 2000 },
      [
        op({ case: "rotate", value: { degrees: 90 } }),
        op({ case: "resize", value: { width: 500, height: 0, fit: Fit.INSIDE } }),
        op({ case: "thumbnail", value: { size: 100 } }),
      ],
      50_000_000,
    );
    expect(plan.size).toEqual({ width: 50, height: 100 });
  });

  it("refuses a step over the pixel limit before anything is decoded", () => {
    const error = (() => {
      try {
        planOperations(
          rgb7000,
          [op({ case: "resize", value: { width: 8192, height: 8192, fit: Fit.FILL } })],
          50_000_000,
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).violations[0]?.field).toMatch(/^operations/);
  });

  it("counts the memory a quarter turn holds: its whole input, with fewer channels after grayscale", () => {
    const rotate = op({ case: "rotate", value: { degrees: 90 } });
    expect(planOperations(rgb7000, [rotate], 50_000_000).heldBytes).toBe(7000 * 7000 * 3);
    expect(
      planOperations(rgb7000, [op({ case: "grayscale", value: {} }), rotate], 50_000_000).heldBytes,
    ).toBe(7000 * 7000);
    expect(planOperations(rgb7000, [op({ case: "grayscale", value: {} })], 50_000_000).heldBytes).toBe(0);
  });
});
