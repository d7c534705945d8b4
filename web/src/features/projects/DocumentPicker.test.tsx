import { cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "antd";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/client";
import { I18nProvider } from "../../i18n";
import { DocumentSource, type LoadedDocument } from "./DocumentPicker";
import { chapterField, initialSelection, type DocumentInfo, type Selection } from "./documents";

type Answer = { status: number; body: unknown };
const answers: Answer[] = [];
const sent: { path: string; file: File }[] = [];

// The API client with its transport replaced: each POST gets the next answer, in order.
vi.mock("../../api/client", async (importActual) => {
  const actual = await importActual<typeof import("../../api/client")>();
  const POST = async (path: string, init: { body: FormData }) => {
    sent.push({ path, file: init.body.get("file") as File });
    const { status, body } = answers.shift()!;
    const response = new Response(JSON.stringify(body), { status });
    return response.ok ? { data: body, response } : { error: body, response };
  };
  return { ...actual, api: { POST } };
});

const KEEPER: DocumentInfo = {
  kind: "epub",
  title: "The Keeper",
  characters: 260,
  max_story_chars: 100_000,
  fits_whole: true,
  chapters: [
    { number: 1, title: "The Storm", characters: 120, preview: "Mara lit the lamp as the storm rolled in." },
    { number: 2, title: "The Boat", characters: 140, preview: "At dawn a small boat drifted toward the rocks." },
  ],
};

const refusal = (status: number, message: string, details: Record<string, unknown> | null = null, errors: { field: string; message: string }[] = []) => ({
  status,
  body: { code: status, message, request_id: "r1", errors, details },
});

/** The drop zone as the page holds it: the document and the choice in state. */
function Harness({ uploadError, checked, condense }: { uploadError?: unknown; checked?: boolean; condense?: boolean }) {
  const [doc, setDoc] = useState<LoadedDocument | null>(null);
  const [selection, setSelection] = useState<Selection>(null);
  return (
    <>
      <DocumentSource
        doc={doc}
        selection={selection}
        onSelection={setSelection}
        onLoad={(loaded) => {
          setDoc(loaded);
          setSelection(initialSelection(loaded.info));
        }}
        onRemove={() => {
          setDoc(null);
          setSelection(null);
        }}
        uploadError={doc ? uploadError : undefined}
        checked={checked}
        condense={condense}
      />
      <output data-testid="chapter-field">{doc ? String(chapterField(doc.info, selection)) : "none"}</output>
    </>
  );
}

function show(lang: "en" | "zh", props: { uploadError?: unknown; checked?: boolean; condense?: boolean } = {}) {
  localStorage.setItem("storyreel.lang", lang);
  return render(
    <I18nProvider>
      <App>
        <Harness {...props} />
      </App>
    </I18nProvider>,
  );
}

async function drop(container: HTMLElement, name: string) {
  const input = container.querySelector<HTMLInputElement>('input[type="file"]')!;
  const user = userEvent.setup({ applyAccept: false });
  await user.upload(input, new File(["bytes"], name));
  return user;
}

describe("DocumentSource", () => {
  beforeEach(() => {
    answers.length = 0;
    sent.length = 0;
  });
  afterEach(() => cleanup());

  it("shows a dropped document's title and chapters, and picks one by keyboard", async () => {
    answers.push({ status: 200, body: KEEPER });
    const { container } = show("en");
    const user = await drop(container, "keeper.epub");

    expect(await screen.findByTestId("document-title")).toHaveTextContent("The Keeper");
    expect(sent).toEqual([{ path: "/api/v1/documents/inspect", file: expect.objectContaining({ name: "keeper.epub" }) }]);
    expect(screen.getByTestId("document-picker")).toHaveTextContent("keeper.epub · EPUB · 260 characters · 2 chapters");
    const chapters = screen.getAllByTestId("document-chapter");
    expect(chapters).toHaveLength(2);
    expect(chapters[1]).toHaveTextContent("Chapter 2The Boat140 characters");
    expect(chapters[1]).toHaveTextContent("At dawn a small boat drifted toward the rocks.");

    // The whole document fits: it is chosen at first, and no chapter is sent.
    const whole = screen.getByRole("checkbox", { name: /the whole document/i });
    expect(whole).toBeChecked();
    expect(screen.getByTestId("chapter-field")).toHaveTextContent("null");
    expect(screen.getByTestId("document-choice")).toHaveTextContent("Chosen: the whole document, about 260 characters");

    // Untick chapter 1 with the keyboard: chapter 2 alone is left.
    const first = screen.getByRole("checkbox", { name: /chapter 1/i });
    first.focus();
    await user.keyboard(" ");
    expect(first).not.toBeChecked();
    expect(screen.getByRole("checkbox", { name: /chapter 2/i })).toBeChecked();
    expect(whole).not.toBeChecked();
    expect(screen.getByTestId("chapter-field")).toHaveTextContent("2");
    expect(screen.getByTestId("document-choice")).toHaveTextContent("Chosen: chapter 2");
    // Each chapter's opening describes its tick.
    const second = screen.getByRole("checkbox", { name: /chapter 2/i });
    expect(second).toHaveAccessibleDescription("At dawn a small boat drifted toward the rocks.");

    // Back to typing.
    await user.click(screen.getByRole("button", { name: /remove keeper\.epub/i }));
    expect(screen.queryByTestId("document-picker")).toBeNull();
  });

  it("offers chapters, not the whole document, when the whole is past the story limit", async () => {
    answers.push({
      status: 200,
      body: {
        ...KEEPER,
        title: null,
        characters: 150_000,
        max_story_chars: 100_000,
        fits_whole: false,
        chapters: [
          { number: 1, title: "", characters: 120_000, preview: "A very long opening." },
          { number: 2, title: "第二章 船", characters: 20_000, preview: "天亮时，一条小船漂向礁石。" },
          { number: 3, title: "第三章 灯", characters: 10_000, preview: "灯又亮了。" },
        ],
      },
    });
    const { container } = show("zh");
    const user = await drop(container, "长篇.txt");

    expect(await screen.findByTestId("document-title")).toHaveTextContent("无标题文档");
    expect(screen.getByRole("checkbox", { name: /整个文档/ })).toBeDisabled();
    expect(screen.getByTestId("document-picker")).toHaveTextContent("整个文档有 150,000 字，超过了单个故事的上限 100,000 字：请选择章节。");
    // Chapter 1 alone is too long: it cannot be ticked; the first that fits is chosen.
    const [opening, second, third] = screen.getAllByRole("checkbox").slice(1);
    expect(opening).toBeDisabled();
    expect(screen.getAllByTestId("document-chapter")[0]).toHaveTextContent("开头（第一个标题之前）");
    expect(second).toBeChecked();
    await user.click(third);
    expect(screen.getByTestId("chapter-field")).toHaveTextContent("2-3");
    expect(screen.getByTestId("document-choice")).toHaveTextContent("已选：第 2–3 章");
  });

  it("lets any chapters, or the whole document, be chosen when the choice is condensed", async () => {
    const long = {
      ...KEEPER,
      characters: 150_000,
      fits_whole: false,
      chapters: [
        { number: 1, title: "The Storm", characters: 120_000, preview: "A very long opening." },
        { number: 2, title: "The Boat", characters: 30_000, preview: "At dawn a small boat drifted toward the rocks." },
      ],
    };
    answers.push({ status: 200, body: long });
    const { container } = show("en", { condense: true });
    const user = await drop(container, "long.epub");

    const whole = await screen.findByRole("checkbox", { name: /the whole document/i });
    expect(whole).toBeEnabled();
    expect(screen.getByTestId("document-picker")).toHaveTextContent("The whole document is 150,000 characters, more than a story's 100,000: it is condensed to fit.");
    expect(screen.queryByText("Too long for one story")).toBeNull();
    await user.click(whole);
    expect(screen.getByTestId("chapter-field")).toHaveTextContent("null");
    expect(screen.getByTestId("document-choice")).toHaveTextContent("Chosen: the whole document, about 150,000 characters · condensed to fit");
    expect(screen.getByTestId("document-choice")).not.toHaveAttribute("role", "alert");
  });

  it("says why a file was refused, in plain English, beside the drop zone", async () => {
    answers.push(
      refusal(415, "photo.epub is a PNG image, not a document; send plain text (.txt), Markdown (.md), Word (.docx), PDF (.pdf), EPUB (.epub) or HTML", {
        accepted: [".txt", ".md", ".docx", ".pdf", ".epub", ".html"],
      }),
    );
    const { container } = show("en");
    await drop(container, "photo.epub");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveAttribute("data-testid", "document-error");
    expect(alert).toHaveTextContent(
      "photo.epub is not a document storyreel can read. Send plain text (.txt), Markdown (.md), Word (.docx), PDF, EPUB or HTML.",
    );
    expect(alert).toHaveTextContent("Details: photo.epub is a PNG image, not a document");
    // It sits in the drop zone's block, right after it.
    expect(within(screen.getByTestId("document-source")).getByTestId("document-error")).toBe(alert);
    expect(screen.queryByTestId("document-picker")).toBeNull();
  });

  it("says why a file was refused in Chinese, and clears it when another file is read", async () => {
    answers.push(refusal(422, "scan.pdf has no text layer (a scan?); run OCR on it or paste the text", { reason: "NoTextLayer" }), {
      status: 200,
      body: KEEPER,
    });
    const { container } = show("zh");
    await drop(container, "scan.pdf");
    expect(await screen.findByRole("alert")).toHaveTextContent("scan.pdf 里没有可读取的文字，像是扫描件。请先做文字识别 (OCR)，或直接粘贴文字。");
    expect(screen.getByRole("alert")).toHaveTextContent("详细说明：scan.pdf has no text layer");

    await drop(container, "keeper.epub");
    expect(await screen.findByTestId("document-picker")).toBeInTheDocument();
    expect(screen.queryByTestId("document-error")).toBeNull();
  });

  it("shows a too-large file's limit and an upload's refused chapter by the picker", async () => {
    answers.push(refusal(413, "the upload is larger than the limit of 20.0 MB (STORYREEL_UPLOAD_MAX_BYTES)", { limit_bytes: 20 * 1024 * 1024 }));
    const first = show("en");
    await drop(first.container, "huge.pdf");
    expect(await screen.findByRole("alert")).toHaveTextContent("huge.pdf is larger than 20 MB. Send a smaller file, or only the chapter you want.");
    cleanup();

    const message = "there is no chapter 3: the document has 2 chapters; choose from 1 to 2";
    const uploadError = new ApiError(422, { code: 422, message, request_id: "r2", errors: [{ field: "chapter", message }] }, "422");
    answers.push({ status: 200, body: KEEPER });
    const { container } = show("en", { uploadError });
    await drop(container, "keeper.epub");
    const alert = await screen.findByTestId("document-error");
    expect(alert).toHaveTextContent("That choice of chapters in keeper.epub was not accepted.");
    expect(alert).toHaveTextContent(`Details: ${message}`);
  });

  it("asks for a chapter when none is ticked and the person tries to go on", async () => {
    answers.push({ status: 200, body: KEEPER });
    const { container } = show("en", { checked: true });
    const user = await drop(container, "keeper.epub");
    await user.click(await screen.findByRole("checkbox", { name: /the whole document/i }));
    expect(screen.getByRole("alert")).toHaveTextContent("Choose a chapter to make the video of.");
  });
});
