/** A stand-in for hls.js in component tests: records each player made, what it was asked to
 * load and attach, and lets a test send the events hls.js would (`emit`). Use it with
 * `vi.mock("hls.js", async () => ({ default: (await import("../../test/fakeHls")).FakeHls }))`. */
type Handler = (event: string, data: unknown) => void;

export class FakeHls {
  static supported = true;
  static instances: FakeHls[] = [];
  static isSupported = () => FakeHls.supported;
  static Events = { MANIFEST_PARSED: "hlsManifestParsed", LEVEL_LOADED: "hlsLevelLoaded", ERROR: "hlsError" } as const;
  static ErrorTypes = { NETWORK_ERROR: "networkError", MEDIA_ERROR: "mediaError", OTHER_ERROR: "otherError" } as const;

  /** Back to one supported browser and no players (call in `beforeEach`). */
  static reset(): void {
    FakeHls.supported = true;
    FakeHls.instances = [];
  }

  static get last(): FakeHls {
    const player = FakeHls.instances.at(-1);
    if (!player) throw new Error("no hls.js player was made");
    return player;
  }

  readonly handlers = new Map<string, Handler[]>();
  source: string | null = null;
  media: HTMLMediaElement | null = null;
  destroyed = false;
  mediaRecoveries = 0;

  constructor(readonly config: { startPosition?: number } = {}) {
    FakeHls.instances.push(this);
  }

  on(event: string, handler: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
  }

  loadSource(url: string): void {
    this.source = url;
  }

  attachMedia(media: HTMLMediaElement): void {
    this.media = media;
  }

  recoverMediaError(): void {
    this.mediaRecoveries += 1;
  }

  destroy(): void {
    this.destroyed = true;
    this.handlers.clear();
  }

  emit(event: string, data: unknown = {}): void {
    for (const handler of this.handlers.get(event) ?? []) handler(event, data);
  }

  /** The playlist as hls.js reads it again: `segments` long, ended or still growing. */
  playlist(segments: number, ended: boolean): void {
    this.emit(FakeHls.Events.LEVEL_LOADED, { details: { fragments: Array.from({ length: segments }, (_, i) => ({ sn: i })), live: !ended } });
  }
}
