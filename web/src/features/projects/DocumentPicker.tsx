/** The new-project page's document source: a drop zone for a .txt, .md, .docx, .pdf, .epub or
 * .html file, which the server reads (`inspectDocument`); the document's title and chapters
 * as a picker (the whole document when it fits a story, else one chapter or a run of them;
 * anything, when the choice is condensed to fit); and any refusal, in plain words, right under
 * the drop zone. */
import { FileTextOutlined, InboxOutlined, LoadingOutlined } from "@ant-design/icons";
import { Alert, Button, Checkbox, Flex, Tag, Typography, Upload } from "antd";
import { useId, useRef, useState } from "react";
import { useI18n } from "../../i18n";
import type { MessageKey } from "../../i18n/catalog";
import { formatNumber } from "../../lib/format";
import {
  chapterFits,
  DOCUMENT_ACCEPT,
  documentProblem,
  fits,
  inspectDocument,
  inspectProblem,
  isWhole,
  overLimit,
  selectionChars,
  toggleChapter,
  toggleWhole,
  type DocumentInfo,
  type DocumentProblem,
  type Selection,
} from "./documents";

export interface LoadedDocument {
  file: File;
  info: DocumentInfo;
}

interface Props {
  doc: LoadedDocument | null;
  selection: Selection;
  onSelection: (selection: Selection) => void;
  /** A dropped file the server has read. */
  onLoad: (doc: LoadedDocument) => void;
  /** Back to typing or pasting the story. */
  onRemove: () => void;
  /** The upload's refusal: shown here when it is about the document or its chapters. */
  uploadError?: unknown;
  /** The person tried to create the project: an empty choice is an error now, not a hint. */
  checked?: boolean;
  /** The choice is condensed to fit: any chapters (or the whole document) may be chosen. */
  condense?: boolean;
  disabled?: boolean;
}

const KINDS: Record<string, MessageKey> = {
  text: "projects.doc.kind.text",
  markdown: "projects.doc.kind.markdown",
  docx: "projects.doc.kind.docx",
  pdf: "projects.doc.kind.pdf",
  epub: "projects.doc.kind.epub",
  html: "projects.doc.kind.html",
};

export function DocumentSource({ doc, selection, onSelection, onLoad, onRemove, uploadError, checked, condense, disabled }: Props) {
  const { t } = useI18n();
  const [reading, setReading] = useState<string | null>(null);
  const [inspectError, setInspectError] = useState<DocumentProblem | null>(null);
  // Only the last file dropped counts (an earlier one may be answered later).
  const latest = useRef(0);

  const read = async (file: File) => {
    const attempt = ++latest.current;
    setInspectError(null);
    setReading(file.name);
    try {
      const info = await inspectDocument(file);
      if (attempt !== latest.current) return;
      onLoad({ file, info });
    } catch (error) {
      if (attempt !== latest.current) return;
      setInspectError(inspectProblem(error, file.name));
    } finally {
      if (attempt === latest.current) setReading(null);
    }
  };

  const problem = inspectError ?? (doc && uploadError ? documentProblem(uploadError, doc.file.name) : null);

  return (
    <Flex vertical gap={12} style={{ marginBottom: 16 }} data-testid="document-source">
      {doc && (
        <DocumentChapters
          doc={doc}
          selection={selection}
          onSelection={onSelection}
          onRemove={() => {
            setInspectError(null);
            onRemove();
          }}
          checked={checked}
          condense={condense}
          disabled={disabled || reading !== null}
        />
      )}
      <Upload.Dragger
        accept={DOCUMENT_ACCEPT}
        multiple={false}
        showUploadList={false}
        disabled={disabled || reading !== null}
        beforeUpload={(file) => {
          void read(file);
          return Upload.LIST_IGNORE;
        }}
        data-testid="story-file"
        style={{ padding: "4px 8px" }}
      >
        <Flex align="center" justify="center" gap={12} wrap>
          {reading ? (
            <LoadingOutlined style={{ fontSize: 28, color: "#5b3df5" }} aria-hidden="true" />
          ) : (
            <InboxOutlined style={{ fontSize: 28, color: "#5b3df5" }} aria-hidden="true" />
          )}
          <Flex vertical style={{ textAlign: "left", minWidth: 0, flex: "1 1 220px" }}>
            <Typography.Text strong>{t(doc ? "projects.new.dropAnother" : "projects.new.dropTitle")}</Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
              {t("projects.new.dropHint")}
            </Typography.Text>
          </Flex>
        </Flex>
      </Upload.Dragger>
      <div aria-live="polite" className="projects-doc-status">
        {reading && (
          <Typography.Text type="secondary" data-testid="document-reading">
            {t("projects.doc.reading", { name: reading })}
          </Typography.Text>
        )}
      </div>
      {problem && (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="document-error"
          data-problem={problem.key}
          title={t(problem.key, problem.vars)}
          description={problem.detail ? t("projects.doc.details", { detail: problem.detail }) : undefined}
        />
      )}
    </Flex>
  );
}

interface ChaptersProps {
  doc: LoadedDocument;
  selection: Selection;
  onSelection: (selection: Selection) => void;
  onRemove: () => void;
  checked?: boolean;
  condense?: boolean;
  disabled?: boolean;
}

/** The document's title and what it holds, and its chapters as ticks. */
export function DocumentChapters({ doc, selection, onSelection, onRemove, checked, condense = false, disabled }: ChaptersProps) {
  const { t, lang } = useI18n();
  const id = useId();
  const { info, file } = doc;
  const n = (value: number) => formatNumber(value, lang);
  const count = info.chapters.length;
  const whole = isWhole(info, selection);
  const partial = selection !== null && !whole;
  const ok = fits(info, selection, condense);
  const chars = selectionChars(info, selection);
  const kind = KINDS[info.kind];

  let summary: string;
  if (selection === null) summary = t("projects.doc.noneChosen");
  else if (!ok) summary = t("projects.doc.overLimit", { n: n(chars), max: n(info.max_story_chars) });
  else if (whole) summary = t("projects.doc.chosenWhole", { n: n(whole && !info.fits_whole ? info.characters : chars) });
  else if (selection.from === selection.to) summary = t("projects.doc.chosenOne", { from: selection.from, n: n(chars) });
  else summary = t("projects.doc.chosenRange", { from: selection.from, to: selection.to, n: n(chars) });
  // Past the limit, but condensed: say so beside the choice.
  if (ok && overLimit(info, selection)) summary = `${summary} · ${t("projects.doc.toCondense")}`;
  const bad = selection === null ? Boolean(checked) : !ok;

  return (
    <section className="projects-doc" aria-labelledby={`${id}-title`} data-testid="document-picker">
      <Flex align="flex-start" justify="space-between" gap={12} wrap>
        <Flex gap={10} align="flex-start" style={{ minWidth: 0, flex: "1 1 240px" }}>
          <FileTextOutlined style={{ fontSize: 22, color: "#5b3df5", marginTop: 3 }} aria-hidden="true" />
          <div style={{ minWidth: 0 }}>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t("projects.doc.from")}
            </Typography.Text>
            <Typography.Title level={3} id={`${id}-title`} className="projects-doc-title" data-testid="document-title">
              {info.title?.trim() || t("projects.doc.untitled")}
            </Typography.Title>
            <Typography.Text type="secondary" style={{ fontSize: 13 }} className="projects-doc-meta">
              {file.name} · {kind ? t(kind) : info.kind} · {t("projects.doc.chars", { n: n(info.characters) })} ·{" "}
              {count === 1 ? t("projects.doc.chaptersOne") : t("projects.doc.chapters", { n: count })}
            </Typography.Text>
          </div>
        </Flex>
        <Button onClick={onRemove} disabled={disabled} aria-label={t("projects.doc.removeAria", { name: file.name })} data-testid="document-remove">
          {t("projects.doc.remove")}
        </Button>
      </Flex>

      <fieldset className="projects-doc-fieldset" aria-describedby={`${id}-summary`} disabled={disabled}>
        <legend className="projects-doc-legend">
          {t("projects.doc.legend")}
          {count > 1 && <span className="projects-doc-hint"> {t("projects.doc.pickHint")}</span>}
        </legend>
        <Checkbox
          checked={whole}
          indeterminate={partial}
          disabled={disabled || !(info.fits_whole || condense)}
          onChange={() => onSelection(toggleWhole(info, selection))}
          data-testid="document-whole"
        >
          {t("projects.doc.whole")} <span className="projects-doc-len">· {t("projects.doc.chars", { n: n(info.characters) })}</span>
        </Checkbox>
        {!info.fits_whole && (
          <Typography.Paragraph type="secondary" style={{ fontSize: 13, margin: "2px 0 0 24px" }}>
            {t(condense ? "projects.doc.wholeCondensed" : "projects.doc.wholeTooLong", { n: n(info.characters), max: n(info.max_story_chars) })}
          </Typography.Paragraph>
        )}
        {count > 1 && (
          <ol className="projects-doc-list" data-testid="document-chapters">
            {info.chapters.map((c) => {
              const chosen = selection !== null && c.number >= selection.from && c.number <= selection.to;
              const allowed = chapterFits(info, c.number, condense);
              return (
                <li
                  key={c.number}
                  className={chosen ? "projects-doc-chapter is-chosen" : "projects-doc-chapter"}
                  data-testid="document-chapter"
                  data-number={c.number}
                  data-chosen={chosen}
                >
                  <Checkbox
                    checked={chosen}
                    disabled={disabled || !allowed}
                    onChange={() => onSelection(toggleChapter(selection, c.number))}
                    aria-describedby={`${id}-preview-${c.number}`}
                  >
                    <span className="projects-doc-num">{t("projects.doc.chapterName", { n: c.number })}</span>
                    <span className="projects-doc-name">{c.title || t("projects.doc.untitledChapter")}</span>
                    <span className="projects-doc-len">{t("projects.doc.chars", { n: n(c.characters) })}</span>
                    {!allowed && (
                      <Tag color="warning" style={{ marginInlineStart: 6 }}>
                        {t("projects.doc.chapterTooLong")}
                      </Tag>
                    )}
                  </Checkbox>
                  <p className="projects-doc-preview" id={`${id}-preview-${c.number}`}>
                    {c.preview}
                  </p>
                </li>
              );
            })}
          </ol>
        )}
        {count === 1 && info.chapters[0].preview && (
          <p className="projects-doc-preview" style={{ marginInlineStart: 24 }}>
            {info.chapters[0].preview}
          </p>
        )}
        <div
          id={`${id}-summary`}
          className={bad ? "projects-doc-summary is-bad" : "projects-doc-summary"}
          role={bad ? "alert" : undefined}
          aria-live="polite"
          data-testid="document-choice"
          data-chapter={selection === null ? "" : whole ? "all" : selection.from === selection.to ? String(selection.from) : `${selection.from}-${selection.to}`}
        >
          {summary}
        </div>
      </fieldset>
    </section>
  );
}
