/** What a project can be made with: style presets, voices (and a spoken sample of each) and
 * music moods, from the server's catalog endpoints (their queries are in `api/queries`). */
import { api, unwrap, type Schemas } from "../../api/client";

export type StyleOption = Schemas["StyleOut"];
export type VoiceOption = Schemas["VoiceOut"];
export type VoiceCatalog = Schemas["VoiceCatalog"];
export type MusicMood = Schemas["MusicMoodOut"];

/** A voice speaking a short sample in its language, as a WAV blob (fetched with the session's
 * token, so it cannot be a plain `<audio src>`). */
export async function fetchVoiceSample(voice: string, rate = 1): Promise<Blob> {
  return unwrap(
    api.GET("/api/v1/voices/{voice}/sample", {
      params: { path: { voice }, query: rate === 1 ? {} : { rate } },
      parseAs: "blob",
    }),
  );
}
