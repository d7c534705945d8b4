import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "../../api/client";
import { I18nProvider } from "../../i18n";
import NewProjectPage from "./NewProjectPage";

const sent: Schemas["ProjectIn"][] = [];
let header: string | null = null;

vi.mock("../../api/queries", async (importActual) => {
  const actual = await importActual<typeof import("../../api/queries")>();
  return {
    ...actual,
    useMe: () => ({ data: { role: "creator" } }),
    useUsage: () => ({ data: undefined }),
    useMusicMoods: () => ({ data: [{ id: "auto", label: "Automatic", label_zh: "自动", description: "", description_zh: "" }], isPending: false }),
  };
});
// The pickers that load catalogs: their fields keep the form's initial values.
vi.mock("./StyleGallery", () => ({ StyleGallery: () => null }));
vi.mock("./VoicePicker", () => ({ VoicePicker: () => null }));
vi.mock("./documents", async (importActual) => {
  const actual = await importActual<typeof import("./documents")>();
  return {
    ...actual,
    createProject: async (body: Schemas["ProjectIn"]) => {
      sent.push(body);
      return { project: { id: "p1", title: "The long night" }, condensed: header };
    },
  };
});

/** About 1,000 words: some seven minutes of narration, more than the default film holds. */
const LONG = Array.from({ length: 200 }, (_, i) => `Night ${i} fell on the quiet harbour town.`).join(" ");

function show() {
  localStorage.setItem("storyreel.lang", "en");
  return render(
    <QueryClientProvider client={new QueryClient()}>
      <I18nProvider>
        <App>
          <MemoryRouter initialEntries={["/projects/new"]}>
            <Routes>
              <Route path="/projects/new" element={<NewProjectPage />} />
              <Route path="/projects/:id" element={<p data-testid="studio">studio</p>} />
            </Routes>
          </MemoryRouter>
        </App>
      </I18nProvider>
    </QueryClientProvider>,
  );
}

describe("NewProjectPage: condense to fit", () => {
  beforeEach(() => {
    sent.length = 0;
    header = null;
  });
  afterEach(() => cleanup());

  it("is not offered for a story the video holds", async () => {
    show();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("story-input"));
    await user.paste("Mara lit the lamp. The boat turned into the harbour.");
    expect(screen.queryByTestId("condense-option")).toBeNull();
    await user.click(screen.getByTestId("storyboard-only"));
    expect(await screen.findByTestId("studio")).toBeInTheDocument();
    expect(sent[0]).toMatchObject({ condense: false, auto: false });
  });

  it("is offered for a long story, sent when ticked, and says what was done", async () => {
    header = "condensed 8,800 -> 1,950 characters (offline, extractive)";
    show();
    const user = userEvent.setup();
    await user.click(screen.getByTestId("story-input"));
    await user.paste(LONG);
    const option = await screen.findByTestId("condense-option");
    expect(option).toHaveAttribute("data-reason", "length");
    const box = screen.getByRole("checkbox", { name: "Condense to fit" });
    expect(box).toHaveAccessibleDescription(/much longer than the video/);
    await user.click(box);
    await user.click(screen.getByTestId("storyboard-only"));
    expect(await screen.findByTestId("studio")).toBeInTheDocument();
    expect(sent[0]).toMatchObject({ story: LONG, condense: true });
    expect(await screen.findByTestId("condensed-note")).toHaveTextContent(
      "The story was condensed from 8,800 to 1,950 characters, keeping its key sentences.",
    );
  });
});
