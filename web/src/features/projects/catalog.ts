/** What a project can be made with: style presets, voices (and a spoken sample of each) and
 * music moods, from the server's catalog endpoints. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";

export type StyleOption = Schemas["StyleOut"];
export type VoiceOption = Schemas["VoiceOut"];
export type VoiceCatalog = Schemas["VoiceCatalog"];
export type MusicMood = Schemas["MusicMoodOut"];

const CATALOG_STALE_MS = 10 * 60_000;

export function useStyles() {
  return useQuery({
    queryKey: queryKeys.catalog("styles"),
    queryFn: () => unwrap(api.GET("/api/v1/styles")),
    staleTime: CATALOG_STALE_MS,
  });
}

export function useVoices() {
  return useQuery({
    queryKey: queryKeys.catalog("voices"),
    queryFn: () => unwrap(api.GET("/api/v1/voices")),
    staleTime: CATALOG_STALE_MS,
  });
}

export function useMusicMoods() {
  return useQuery({
    queryKey: queryKeys.catalog("music-moods"),
    queryFn: () => unwrap(api.GET("/api/v1/music-moods")),
    staleTime: CATALOG_STALE_MS,
  });
}

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
