import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { fieldErrors } from "./fieldErrors";

const refused = (errors: { field: string; message: string }[]) =>
  new ApiError(422, { code: 422, message: "the request is not valid", errors }, "422");

describe("fieldErrors", () => {
  it("puts each message under the longest known field its path starts with", () => {
    const error = refused([
      { field: "quotas.images_per_day", message: "too big" },
      { field: "events[0]", message: "unknown event" },
      { field: "events[1]", message: "unknown too" },
      { field: "query.page", message: "not a form field" },
    ]);
    expect(fieldErrors(error, ["quotas.images_per_day", "events"])).toEqual([
      { name: ["quotas", "images_per_day"], errors: ["too big"] },
      { name: ["events"], errors: ["unknown event", "unknown too"] },
    ]);
  });

  it("renames the server's fields to the form's", () => {
    const error = refused([{ field: "target_seconds", message: "over the limit" }]);
    expect(fieldErrors(error, ["length"], { target_seconds: "length" })).toEqual([{ name: ["length"], errors: ["over the limit"] }]);
  });

  it("renames a top-level field to a nested one", () => {
    const error = refused([
      { field: "voice.providers", message: "too few" },
      { field: "routing.image.providers", message: "unknown provider" },
    ]);
    expect(fieldErrors(error, ["routing.voice.providers", "routing.image.providers"], { voice: "routing.voice" })).toEqual([
      { name: ["routing", "voice", "providers"], errors: ["too few"] },
      { name: ["routing", "image", "providers"], errors: ["unknown provider"] },
    ]);
  });

  it("has nothing for other errors", () => {
    expect(fieldErrors(new Error("offline"), ["url"])).toEqual([]);
    expect(fieldErrors(refused([{ field: "body", message: "bad" }]), ["url"])).toEqual([]);
  });
});
