import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { MemoryRouter, Route, Routes, useParams } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { I18nProvider } from "../../i18n";
import type { Conversation } from "./api";
import AssistantPage from "./AssistantPage";

interface Call {
  method: string;
  path: string;
  params?: { path?: Record<string, string>; query?: Record<string, unknown>; header?: Record<string, string> };
  body?: unknown;
}
type Reply = { status: number; body?: unknown };

/** A fake server behind the typed client: every call is recorded and answered by `handle`. */
const server = vi.hoisted(() => ({
  calls: [] as Call[],
  handle: (() => ({ status: 404 })) as (call: Call) => Reply,
}));

vi.mock("../../api/client", async (importActual) => {
  const actual = await importActual<typeof import("../../api/client")>();
  const method =
    (name: string) =>
    async (path: string, init: Omit<Call, "method" | "path"> = {}) => {
      const call = { method: name, path, ...init };
      server.calls.push(call);
      const { status, body } = server.handle(call);
      return {
        data: status < 400 ? body : undefined,
        error: status >= 400 ? body : undefined,
        response: new Response(null, { status }),
      };
    };
  return { ...actual, api: { GET: method("GET"), POST: method("POST"), PUT: method("PUT"), DELETE: method("DELETE"), PATCH: method("PATCH") } };
});

const IDEA = "a 60-second fable about a brave little fox who is afraid of the dark, for children";
const REASON =
  "writing a script from an idea needs an LLM: set STORYREEL_LLM__BASE_URL (an OpenAI-compatible API, e.g. https://api.openai.com/v1), STORYREEL_LLM__API_KEY and STORYREEL_LLM__MODEL";

/** The server's answer to IDEA, offline (as `storyreel serve` gives it). */
function fox(): Conversation {
  return {
    id: "c1",
    title: IDEA,
    has_script: false,
    project_id: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    brief: {
      task: "video",
      genre: "fairy_tale",
      language: "en",
      idea: IDEA,
      characters: [{ name: "the brave little fox", description: "", role: "lead", kind: "animal" }],
      setting: null,
      era: null,
      time_of_day: null,
      style: null,
      moods: [],
      audience: "children",
      length_s: 60,
      aspect: null,
      goal: null,
      notes: [],
      template: { id: "fairy_tale", version: 1, source: "builtin" },
    },
    issues: [
      { kind: "missing", field: "setting", message: "The story has no place yet.", question: "Where does it happen?" },
      { kind: "assumed", field: "style", message: "Pictures in the template's childrens_book style.", question: null },
    ],
    questions: ["Where does it happen?"],
    turns: [
      { speaker: "user", text: IDEA, changes: [] },
      {
        speaker: "assistant",
        text: "A 1-minute fairy tale or fable for children. With the brave little fox. To make it better: Where does it happen?",
        changes: [],
      },
    ],
    plan: {
      template: {
        id: "fairy_tale",
        version: 1,
        source: "builtin",
        tasks: ["video", "script", "storyboard"],
        genre: "fairy_tale",
        title: "Fairy tale or fable",
        title_zh: "童话寓言",
        default_length_s: 90,
        default_style: "childrens_book",
        default_moods: ["warm", "whimsical"],
        required: ["characters", "setting"],
        beats: ["Once upon a time: the lead and their home", "A wish, a fear or a mistake"],
        beats_zh: ["从前：主角和他的家", "一个愿望、一种害怕或一次犯错"],
      },
      length_s: 60,
      style: "childrens_book",
      aspect: "16:9",
      moods: ["warm", "whimsical"],
      music: "calm",
      beats: ["Once upon a time: the lead and their home", "A wish, a fear or a mistake"],
    },
    script: null,
    script_writing: { available: false, reason: REASON },
  };
}

let conversation: Conversation;

/** The assistant's endpoints as the server answers them offline. */
function offline(call: Call): Reply {
  const key = `${call.method} ${call.path}`;
  const body = call.body as Record<string, unknown> | undefined;
  switch (key) {
    case "GET /api/v1/auth/me":
      return { status: 200, body: { role: "creator", email: "a@example.com" } };
    case "GET /api/v1/styles":
      return { status: 200, body: [{ id: "childrens_book", label: "Children's book", label_zh: "童书绘本" }] };
    case "GET /api/v1/music-moods":
    case "GET /api/v1/assistant/templates":
      return { status: 200, body: [] };
    case "POST /api/v1/assistant/conversations":
      conversation = fox();
      return { status: 201, body: conversation };
    case "GET /api/v1/assistant/conversations/{conversation_id}":
      return { status: 200, body: conversation };
    case "POST /api/v1/assistant/conversations/{conversation_id}/messages": {
      const said = String(body?.message);
      conversation = {
        ...conversation,
        brief: { ...conversation.brief, length_s: 30 },
        plan: { ...conversation.plan, length_s: 30 },
        turns: [
          ...conversation.turns,
          { speaker: "user", text: said, changes: ["length: 30 seconds"] },
          { speaker: "assistant", text: "Changed: length: 30 seconds. A 30-second fairy tale or fable for children.", changes: [] },
        ],
      };
      return { status: 200, body: conversation };
    }
    case "POST /api/v1/assistant/conversations/{conversation_id}/script":
      return { status: 409, body: { code: 409, message: REASON, request_id: "r1", errors: [] } };
    case "PUT /api/v1/assistant/conversations/{conversation_id}/script":
      conversation = { ...conversation, has_script: true, script: { title: (body?.title as string | null) ?? null, text: String(body?.text) } };
      return { status: 200, body: conversation };
    case "POST /api/v1/assistant/conversations/{conversation_id}/project":
      conversation = { ...conversation, project_id: "p9" };
      return { status: 201, body: { id: "p9", title: "The brave little fox" } };
    default:
      return { status: 404, body: { code: 404, message: `no ${key}`, request_id: "r0", errors: [] } };
  }
}

function Studio() {
  const { projectId } = useParams();
  return <p data-testid="studio">studio {projectId}</p>;
}

function show(at: string) {
  localStorage.setItem("storyreel.lang", "en");
  return render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <I18nProvider>
        <App>
          <MemoryRouter initialEntries={[at]}>
            <Routes>
              <Route path="/assistant/:conversationId?" element={<AssistantPage />} />
              <Route path="/projects/:projectId" element={<Studio />} />
            </Routes>
          </MemoryRouter>
        </App>
      </I18nProvider>
    </QueryClientProvider>,
  );
}

const sent = (method: string, path: string) => server.calls.filter((c) => c.method === method && c.path === path);

describe("AssistantPage", () => {
  beforeEach(() => {
    server.calls.length = 0;
    server.handle = offline;
    conversation = fox();
  });
  afterEach(() => cleanup());

  it("sends an idea with Enter and shows the reply and the brief", async () => {
    show("/assistant");
    const user = userEvent.setup();
    // Example ideas to start with.
    expect(screen.getAllByTestId("assistant-example")).toHaveLength(2);
    const input = screen.getByRole("textbox", { name: "Your message" });
    // Shift+Enter is a new line, not a send.
    await user.type(input, "fox{Shift>}{Enter}{/Shift}");
    expect(input).toHaveValue("fox\n");
    expect(sent("POST", "/api/v1/assistant/conversations")).toHaveLength(0);
    await user.clear(input);
    await user.paste(IDEA);
    await user.keyboard("{Enter}");

    expect(await screen.findByText(/A 1-minute fairy tale or fable for children/)).toBeInTheDocument();
    const started = sent("POST", "/api/v1/assistant/conversations");
    expect(started).toHaveLength(1);
    expect(started[0].body).toEqual({ message: IDEA });
    expect(started[0].params?.header?.["Idempotency-Key"]).toBeTruthy();
    const brief = screen.getByTestId("assistant-brief");
    expect(within(brief).getByTestId("brief-genre")).toHaveTextContent("Fairy tale or fable");
    expect(within(brief).getByTestId("brief-length")).toHaveTextContent("1 min");
    // The style by its name in the catalog (read alongside).
    await waitFor(() => expect(within(brief).getByTestId("brief-style")).toHaveTextContent("Children's book (default)"));
    const lead = within(brief).getByTestId("brief-character");
    expect(lead).toHaveAttribute("data-role", "lead");
    expect(lead).toHaveTextContent("the brave little fox");
    expect(lead).toHaveTextContent("lead");
    const missing = within(brief).getAllByTestId("issue").find((i) => i.dataset.kind === "missing");
    expect(missing).toHaveTextContent("Where does it happen?");
    expect(within(brief).getByTestId("brief-beats").querySelectorAll("li")).toHaveLength(2);
    // After the first message: quick refinements, and the box is empty again.
    expect(screen.getAllByTestId("assistant-refine").map((b) => b.textContent)).toEqual(["Make it darker", "Shorter", "Vertical 9:16"]);
    expect(screen.getByRole("textbox", { name: "Your message" })).toHaveValue("");
  }, 15_000);

  it("sends a refinement and shows what it changed", async () => {
    show("/assistant/c1");
    const user = userEvent.setup();
    const box = await screen.findByRole("textbox", { name: "Your message" });
    await user.click(box);
    await user.paste("make it 30 seconds");
    await user.click(screen.getByTestId("assistant-send"));
    expect(await screen.findByTestId("turn-change")).toHaveTextContent("length: 30 seconds");
    const messages = () => sent("POST", "/api/v1/assistant/conversations/{conversation_id}/messages");
    expect(messages()[0]).toMatchObject({ params: { path: { conversation_id: "c1" } }, body: { message: "make it 30 seconds" } });
    expect(screen.getByTestId("brief-length")).toHaveTextContent("30 seconds");
    expect(screen.getAllByTestId("turn")).toHaveLength(4);
    expect(box).toHaveValue("");

    // A quick refinement sends its words.
    await user.click(screen.getByRole("button", { name: "Shorter" }));
    await waitFor(() => expect(messages()).toHaveLength(2));
    expect(messages()[1].body).toEqual({ message: "Shorter" });
  }, 15_000);

  it("disables Write the script offline and says why", async () => {
    show("/assistant/c1");
    const button = await screen.findByTestId("write-script");
    expect(button).toBeDisabled();
    const reason = screen.getByTestId("write-unavailable");
    expect(reason).toHaveTextContent("STORYREEL_LLM__BASE_URL");
    expect(button).toHaveAccessibleDescription(/needs an LLM/);
    // No script yet: nothing to make a video of.
    expect(screen.queryByTestId("make-video")).toBeNull();
  });

  it("saves the person's own script, then Make the video makes the project and opens its studio", async () => {
    show("/assistant/c1");
    const user = userEvent.setup();
    const script = await screen.findByTestId("script-input");
    const story =
      "A little fox named Pip is afraid of the dark. One night the moon goes out and his friends are lost. Pip lights a lantern and leads them home.";
    await user.click(script);
    await user.paste(story);
    await user.click(screen.getByTestId("save-script"));
    expect(await screen.findByTestId("make-video")).toBeInTheDocument();
    expect(sent("PUT", "/api/v1/assistant/conversations/{conversation_id}/script")[0]).toMatchObject({
      params: { path: { conversation_id: "c1" } },
      body: { title: null, text: story },
    });

    await user.click(screen.getByTestId("make-video"));
    expect(await screen.findByTestId("studio")).toHaveTextContent("studio p9");
    const made = sent("POST", "/api/v1/assistant/conversations/{conversation_id}/project");
    expect(made).toHaveLength(1);
    expect(made[0].body).toEqual({ auto: true });
    expect(made[0].params?.path).toEqual({ conversation_id: "c1" });
  });

  it("shows the server's refusal of an empty script under the field", async () => {
    server.handle = (call) =>
      call.method === "PUT"
        ? { status: 422, body: { code: 422, message: "the request is not valid: check text", request_id: "r2", errors: [{ field: "text", message: "the script is too short" }] } }
        : offline(call);
    show("/assistant/c1");
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("script-input"));
    await user.paste("Pip.");
    await user.click(screen.getByTestId("save-script"));
    expect(await screen.findByText("the script is too short")).toBeInTheDocument();
    expect(screen.queryByTestId("make-video")).toBeNull();
  });
});
