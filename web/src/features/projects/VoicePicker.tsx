import { LoadingOutlined, PauseCircleOutlined, SoundOutlined } from "@ant-design/icons";
import { App, Button, Flex, Select, Tag } from "antd";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { errorMessage } from "../../api/client";
import { QueryError } from "../../components/QueryError";
import { useT } from "../../i18n";
import { useVoices } from "../../api/queries";
import { fetchVoiceSample, type VoiceOption } from "./api";

interface Props {
  id?: string;
  value?: string;
  onChange?: (value: string) => void;
  /** The project language `auto` resolves against (zh or en). */
  language: "zh" | "en";
  rate: number;
}

type Playing = "idle" | "loading" | "playing";

interface Option {
  value: string;
  "data-testid": string;
  "data-value": string;
  label: ReactNode;
  search: string;
}

/** The narrator voice: a searchable list (recommended voices first) and a Listen button that
 * plays a short sample of the chosen voice. */
export function VoicePicker({ id, value = "auto", onChange, language, rate }: Props) {
  const t = useT();
  const { message } = App.useApp();
  const voices = useVoices();
  const [state, setState] = useState<Playing>("idle");
  const audio = useRef<HTMLAudioElement | null>(null);
  const samples = useRef(new Map<string, string>());
  const attempt = useRef(0);

  const stop = () => {
    attempt.current += 1;
    audio.current?.pause();
    audio.current = null;
    setState("idle");
  };

  // A new voice or speed: the old sample stops.
  useEffect(
    () => () => {
      attempt.current += 1;
      audio.current?.pause();
      audio.current = null;
      setState("idle");
    },
    [value, rate],
  );
  useEffect(() => {
    const cache = samples.current;
    return () => {
      audio.current?.pause();
      cache.forEach((url) => URL.revokeObjectURL(url));
      cache.clear();
    };
  }, []);

  const defaults = voices.data?.defaults;
  const voice = value === "auto" ? (defaults?.[language] ?? null) : value;

  const listen = async () => {
    if (state !== "idle") {
      stop();
      return;
    }
    if (!voice) return;
    const mine = ++attempt.current;
    setState("loading");
    try {
      const key = `${voice}@${rate}`;
      let url = samples.current.get(key);
      if (!url) {
        url = URL.createObjectURL(await fetchVoiceSample(voice, rate));
        samples.current.set(key, url);
      }
      if (mine !== attempt.current) return;
      const player = new Audio(url);
      audio.current = player;
      player.onended = () => {
        if (audio.current === player) setState("idle");
      };
      await player.play();
      if (mine === attempt.current) setState("playing");
    } catch (error) {
      if (mine !== attempt.current) return;
      setState("idle");
      message.error(t("projects.new.listenError", { message: errorMessage(error) }));
    }
  };

  const options = useMemo(() => {
    const describe = (v: VoiceOption): Option => {
      const tags = [
        ...(v.default_for.includes("zh") ? [t("projects.new.voiceDefaultZh")] : []),
        ...(v.default_for.includes("en") ? [t("projects.new.voiceDefaultEn")] : []),
      ];
      const gender = v.gender === "female" ? t("projects.new.voiceFemale") : v.gender === "male" ? t("projects.new.voiceMale") : "";
      return {
        value: v.id,
        "data-testid": "voice-option",
        "data-value": v.id,
        search: `${v.label} ${v.id} ${v.language} ${tags.join(" ")}`.toLowerCase(),
        label: (
          <Flex gap={6} align="center" wrap={false} style={{ minWidth: 0 }}>
            <span style={{ overflow: "hidden", textOverflow: "ellipsis" }}>{v.label}</span>
            {gender && <span style={{ color: "rgba(0,0,0,0.45)", fontSize: 12 }}>{gender}</span>}
            {tags.map((tag) => (
              <Tag key={tag} color="purple" style={{ marginInlineEnd: 0, fontSize: 11, lineHeight: "16px" }}>
                {tag}
              </Tag>
            ))}
          </Flex>
        ),
      };
    };
    const list = voices.data?.voices ?? [];
    const recommended = list.filter((v) => v.default_for.length > 0);
    const rest = list.filter((v) => v.default_for.length === 0);
    return [
      { value: "auto", "data-testid": "voice-option", "data-value": "auto", label: t("projects.new.voiceAuto"), search: t("projects.new.voiceAuto").toLowerCase() },
      ...(recommended.length ? [{ label: t("projects.new.voiceRecommended"), title: "recommended", options: recommended.map(describe) }] : []),
      ...(rest.length ? [{ label: t("projects.new.voiceAll"), title: "all", options: rest.map(describe) }] : []),
    ];
  }, [voices.data, t]);

  const playing = state === "playing";
  return (
    <Flex vertical gap={8}>
      <Flex gap={8}>
        <Select
          id={id}
          value={value}
          onChange={onChange}
          options={options}
          loading={voices.isPending}
          showSearch={{
            filterOption: (input, option) => ((option as Option | undefined)?.search ?? "").includes(input.trim().toLowerCase()),
          }}
          data-testid="voice-select"
          style={{ flex: 1, minWidth: 0 }}
          popupMatchSelectWidth={false}
          listHeight={320}
        />
        <Button
          onClick={() => void listen()}
          disabled={!voice}
          icon={state === "loading" ? <LoadingOutlined /> : playing ? <PauseCircleOutlined /> : <SoundOutlined />}
          aria-label={playing ? t("projects.new.stopAria") : t("projects.new.listenAria")}
          aria-busy={state === "loading"}
          data-testid="voice-listen"
          data-state={state}
        >
          {playing ? t("projects.new.stop") : t("projects.new.listen")}
        </Button>
      </Flex>
      {voices.isError && (
        <QueryError
          type="warning"
          error={voices.error}
          title={t("projects.new.voicesError", { message: errorMessage(voices.error) })}
          description={null}
          onRetry={() => void voices.refetch()}
          retrying={voices.isFetching}
        />
      )}
    </Flex>
  );
}
