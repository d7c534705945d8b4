import { describe, expect, it } from "vitest";
import { asset, shot } from "./fixtures";
import { fileSize, keepAssetLinks, srtToVtt, stableUrl } from "./files";

describe("files and numbers", () => {
  it("keeps the links a read already had, so unchanged shots stay equal", () => {
    const before = { shots: [shot("a", { image: asset("i1", "/i1?expires=1000&sig=old") }), shot("b", { image: asset("i2", "/i2?expires=1000&sig=old") })] };
    const after = {
      shots: [
        shot("b", { image: asset("i2", "/i2?expires=2000&sig=new") }),
        shot("a", { image: asset("i9", "/i9?expires=2000&sig=new") }), // a new picture
      ],
    };
    const kept = keepAssetLinks(before, after, 500) as typeof after;
    expect(kept.shots[0].image?.url).toBe("/i2?expires=1000&sig=old");
    expect(kept.shots[0]).toEqual(before.shots[1]);
    expect(kept.shots[1].image?.url).toBe("/i9?expires=2000&sig=new");
    // Close to expiry the new link wins.
    const late = keepAssetLinks(before, after, 950) as typeof after;
    expect(late.shots[0].image?.url).toBe("/i2?expires=2000&sig=new");
    expect(keepAssetLinks(undefined, after, 0)).toBe(after);
  });

  it("keeps a signed link per asset until it is about to expire", () => {
    const cache = new Map<string, string>();
    const first = stableUrl(cache, asset("a", "/x?expires=1000&sig=1"), 500);
    expect(stableUrl(cache, asset("a", "/x?expires=1100&sig=2"), 600)).toBe(first);
    expect(stableUrl(cache, asset("a", "/x?expires=1200&sig=3"), 950)).toBe("/x?expires=1200&sig=3");
    expect(stableUrl(cache, asset("b", "/y?sig=9"), 950)).toBe("/y?sig=9");
  });

  it("formats sizes", () => {
    expect(fileSize(3_256_238)).toBe("3.1 MB");
    expect(fileSize(2048)).toBe("2 KB");
  });

  it("turns SRT into WebVTT", () => {
    const vtt = srtToVtt("\uFEFF1\r\n00:00:00,000 --> 00:00:02,500\r\nHello\r\n");
    expect(vtt).toBe("WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.500\nHello\n");
  });
});
