import { ExclamationCircleOutlined, SearchOutlined, SyncOutlined, VideoCameraAddOutlined } from "@ant-design/icons";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  App,
  Button,
  Card,
  Col,
  Empty,
  Flex,
  Grid,
  Input,
  Pagination,
  Row,
  Segmented,
  Skeleton,
  Typography,
} from "antd";
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { api, errorMessage, unwrap, type Schemas } from "../../api/client";
import { queryKeys, useMe, useStyles } from "../../api/queries";
import { QueryError } from "../../components/QueryError";
import { useI18n } from "../../i18n";
import { POLL_MS } from "../../live/hooks";
import type { StyleOption } from "./api";
import { formatNumber, useNow } from "../../lib/format";
import { NewProjectButton } from "./NewProjectButton";
import { ProjectCard } from "./ProjectCard";
import { STATUSES, type ProjectItem, type ProjectStatus } from "./types";
import { UsageSummary } from "./UsageSummary";
import "./projects.css";

const PAGE_SIZE = 12;
const SEARCH_DEBOUNCE_MS = 300;
const GRID = { xs: 24, sm: 12, lg: 8, xl: 6 } as const;

type Page = Schemas["Page_ProjectSummary_"];

function isStatus(value: string | null): value is ProjectStatus {
  return STATUSES.includes(value as ProjectStatus);
}

function SkeletonCards() {
  return (
    <Row gutter={[16, 16]} aria-busy="true" data-testid="projects-loading">
      {Array.from({ length: 8 }, (_, i) => (
        <Col key={i} {...GRID}>
          <Card
            cover={<div className="projects-shimmer" style={{ aspectRatio: "16 / 9", borderRadius: "8px 8px 0 0" }} />}
            styles={{ body: { padding: 16 } }}
          >
            <Skeleton active title={{ width: "70%" }} paragraph={{ rows: 2, width: ["45%", "60%"] }} />
          </Card>
        </Col>
      ))}
    </Row>
  );
}

/** The empty list's heading and what to do about it. */
function EmptyText({ title, text, maxWidth, children }: { title: string; text: string; maxWidth: number; children?: ReactNode }) {
  return (
    <Flex vertical align="center" gap={8} style={{ maxWidth, margin: "0 auto" }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>
        {title}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {text}
      </Typography.Paragraph>
      {children}
    </Flex>
  );
}

function EmptyAccount({ canCreate }: { canCreate: boolean }) {
  const { t } = useI18n();
  if (!canCreate) {
    return (
      <Card data-testid="projects-empty">
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={<EmptyText title={t("projects.viewerEmptyTitle")} text={t("projects.viewerEmptyText")} maxWidth={560} />}
        />
      </Card>
    );
  }
  const steps = [t("projects.emptyStep1"), t("projects.emptyStep2"), t("projects.emptyStep3")];
  return (
    <Card data-testid="projects-empty">
      <Empty
        image={
          <span aria-hidden="true" className="projects-disc" style={{ width: 72, height: 72, background: "#efeafe", color: "#5b3df5", fontSize: 32 }}>
            <VideoCameraAddOutlined />
          </span>
        }
        styles={{ image: { height: 72, marginBottom: 16 } }}
        description={
          <EmptyText title={t("projects.emptyTitle")} text={t("projects.emptyText")} maxWidth={640}>
            <ol
              style={{
                maxWidth: "100%",
                listStyle: "none",
                padding: 0,
                margin: "8px 0",
                display: "flex",
                flexWrap: "wrap",
                justifyContent: "center",
                gap: "8px 20px",
              }}
            >
              {steps.map((step, i) => (
                <li key={step} style={{ display: "flex", alignItems: "center", gap: 8, color: "#1d1b2f" }}>
                  <span
                    aria-hidden="true"
                    className="projects-disc"
                    style={{ width: 22, height: 22, background: "#5b3df5", color: "#fff", fontSize: 12, fontWeight: 600 }}
                  >
                    {i + 1}
                  </span>
                  {step}
                </li>
              ))}
            </ol>
          </EmptyText>
        }
      >
        <NewProjectButton />
      </Empty>
    </Card>
  );
}

/** The project list: search, status filter, a grid of cards, pages, and today's quota use. */
function Projects() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const screens = Grid.useBreakpoint();
  const phone = !screens.sm;
  const now = useNow();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const rawStatus = params.get("status");
  const status = isStatus(rawStatus) ? rawStatus : undefined;
  const page = Math.max(1, Math.floor(Number(params.get("page"))) || 1);
  const [search, setSearch] = useState(q);
  const me = useMe();
  // Viewers only read what is shared with them (while the account loads, assume a creator).
  const canCreate = me.data?.role !== "viewer";

  const update = (changes: Record<string, string | null>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null || value === "") next.delete(key);
          else next.set(key, value);
        }
        return next;
      },
      { replace: true },
    );

  // Typing searches after a short pause; each new search starts on the first page.
  useEffect(() => {
    const words = search.trim();
    if (words === q) return;
    const timer = setTimeout(() => update({ q: words, page: null }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `update` is recreated each render
  }, [search, q]);

  const listParams = { page, page_size: PAGE_SIZE, q: q || undefined, status };
  const list = useQuery({
    queryKey: queryKeys.projectList(listParams),
    queryFn: () => unwrap(api.GET("/api/v1/projects", { params: { query: listParams } })),
    placeholderData: keepPreviousData,
    // Keep the list fresh while something is being made.
    refetchInterval: (query) => (query.state.data?.items.some((p) => p.status === "running") ? POLL_MS : false),
  });
  const data = list.data;
  const running = data?.items.some((p) => p.status === "running") ?? false;

  // Work in flight uses the quota: refresh the summary with each poll.
  useEffect(() => {
    if (running) void client.invalidateQueries({ queryKey: queryKeys.usage() });
  }, [client, running, list.dataUpdatedAt]);

  // A page emptied by deletions (or an old link) falls back to the last page with projects.
  useEffect(() => {
    if (data && data.items.length === 0 && data.total > 0 && page > 1) {
      update({ page: String(Math.max(1, Math.ceil(data.total / PAGE_SIZE))) });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `update` is recreated each render
  }, [data, page]);

  const styles = useStyles();
  const styleById = useMemo(() => {
    const map = new Map<string, StyleOption>();
    for (const s of styles.data ?? []) map.set(s.id, s);
    return map;
  }, [styles.data]);

  const duplicate = useMutation({
    mutationFn: (project: ProjectItem) =>
      unwrap(api.POST("/api/v1/projects/{project_id}/duplicate", { params: { path: { project_id: project.id } } })),
    onSuccess: (copy) => {
      void client.invalidateQueries({ queryKey: queryKeys.projects() });
      message.success(t("projects.duplicated", { title: copy.title }));
      navigate(`/projects/${copy.id}`);
    },
    onError: (error) => message.error(errorMessage(error)),
  });

  const remove = useMutation({
    mutationFn: (project: ProjectItem) =>
      unwrap(api.DELETE("/api/v1/projects/{project_id}", { params: { path: { project_id: project.id } } })),
    onSuccess: (_, project) => {
      client.setQueriesData<Page>({ queryKey: queryKeys.projectLists() }, (old) =>
        old && old.items.some((p) => p.id === project.id)
          ? { ...old, items: old.items.filter((p) => p.id !== project.id), total: Math.max(0, old.total - 1) }
          : old,
      );
      void client.invalidateQueries({ queryKey: queryKeys.projects() });
      void client.invalidateQueries({ queryKey: queryKeys.project(project.id) });
      message.success(t("projects.deleted", { title: project.title }));
    },
    onError: (error) => message.error(errorMessage(error)),
  });

  const filtered = Boolean(q || status);
  const emptyAccount = data !== undefined && data.total === 0 && !filtered && !list.isPlaceholderData;
  const statusOptions = [
    { value: "all", label: t("projects.filterAll") },
    ...STATUSES.map((s) => ({ value: s, label: t(`projects.status.${s}`) })),
  ];
  const count = data
    ? data.total === 1
      ? t("projects.totalOne")
      : t("projects.total", { n: formatNumber(data.total, lang) })
    : "";

  let content;
  if (!data && list.isPending) {
    content = <SkeletonCards />;
  } else if (!data) {
    content = (
      <QueryError error={list.error} title={t("projects.loadError")} onRetry={() => void list.refetch()} retrying={list.isFetching} />
    );
  } else if (emptyAccount) {
    content = <EmptyAccount canCreate={canCreate} />;
  } else if (data.items.length === 0) {
    content = (
      <Card>
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={
            <Flex vertical gap={4}>
              <Typography.Text strong>{t("projects.noMatches")}</Typography.Text>
              <Typography.Text type="secondary">{t("projects.noMatchesText")}</Typography.Text>
            </Flex>
          }
        >
          <Button
            onClick={() => {
              setSearch("");
              update({ q: null, status: null, page: null });
            }}
          >
            {t("projects.clearFilters")}
          </Button>
        </Empty>
      </Card>
    );
  } else {
    content = (
      <Flex vertical gap={16}>
        <Row gutter={[16, 16]} data-testid="project-grid" style={{ opacity: list.isPlaceholderData ? 0.6 : 1, transition: "opacity .2s" }}>
          {data.items.map((project) => (
            <Col key={project.id} {...GRID}>
              <ProjectCard
                project={project}
                style={styleById.get(project.style)}
                now={now}
                canCreate={canCreate}
                duplicating={duplicate.isPending && duplicate.variables?.id === project.id}
                onDuplicate={(p) => duplicate.mutate(p)}
                onDelete={(p) => remove.mutateAsync(p).catch(() => undefined)}
              />
            </Col>
          ))}
        </Row>
        {data.total > PAGE_SIZE && (
          <nav aria-label={t("projects.pagination")}>
            <Pagination
              align="center"
              current={page}
              pageSize={PAGE_SIZE}
              total={data.total}
              showSizeChanger={false}
              simple={phone}
              onChange={(next) => {
                update({ page: next === 1 ? null : String(next) });
                window.scrollTo({ top: 0, behavior: "smooth" });
              }}
            />
          </nav>
        )}
      </Flex>
    );
  }

  return (
    <Flex vertical gap={20}>
      <Flex justify="space-between" align="flex-start" wrap gap={12}>
        <div style={{ minWidth: 0 }}>
          <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }}>
            {t("projects.title")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("projects.subtitle")}</Typography.Text>
        </div>
        {!emptyAccount && canCreate && <NewProjectButton />}
      </Flex>

      <UsageSummary now={now} />

      {!emptyAccount && (
        <Flex wrap gap={12} align="center" justify="space-between">
          <Input
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder={t("projects.searchPlaceholder")}
            aria-label={t("projects.searchLabel")}
            prefix={<SearchOutlined aria-hidden="true" />}
            allowClear
            maxLength={200}
            data-testid="project-search"
            style={{ width: phone ? "100%" : 320 }}
          />
          <Segmented
            aria-label={t("projects.filterLabel")}
            data-testid="status-filter"
            value={status ?? "all"}
            options={statusOptions}
            style={{ maxWidth: "100%", overflowX: "auto" }}
            onChange={(value) => update({ status: value === "all" ? null : String(value), page: null })}
          />
        </Flex>
      )}

      {data && !emptyAccount && (
        <Flex wrap gap={12} align="center" style={{ marginBottom: -8 }}>
          <Typography.Text type="secondary" aria-live="polite" data-testid="project-count">
            {count}
          </Typography.Text>
          {running && (
            <Typography.Text type="secondary">
              <SyncOutlined spin aria-hidden="true" /> {t("projects.runningHint")}
            </Typography.Text>
          )}
          {list.isError && (
            <Typography.Text type="danger" role="alert">
              <ExclamationCircleOutlined aria-hidden="true" /> {errorMessage(list.error)}
            </Typography.Text>
          )}
        </Flex>
      )}

      {content}
    </Flex>
  );
}

export default function ProjectsPage() {
  return (
    <>
      <Projects />
    </>
  );
}
