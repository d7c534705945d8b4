/** The assistant's server calls: what it can do here, its templates, your conversations (each
 * a brief refined over turns, with a script) and the project made from one. Every answer that
 * returns a conversation replaces the cached one, so the page shows it at once. */
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { api, ApiError, unwrap, type Schemas } from "../../api/client";
import { queryKeys } from "../../api/queries";

export type Conversation = Schemas["ConversationOut"];
export type ConversationSummary = Schemas["ConversationSummary"];
export type Brief = Schemas["Brief"];
export type Issue = Schemas["Issue"];
export type Turn = Schemas["Turn"];
export type Plan = Schemas["Plan"];
export type Template = Schemas["TemplateOut"];
export type ScriptWriting = Schemas["ScriptWriting"];

/** The longest message the server reads (MAX_MESSAGE_CHARS) and the longest script it keeps. */
export const MAX_MESSAGE = 2000;
export const MAX_SCRIPT = 20_000;
export const MAX_SCRIPT_TITLE = 200;
export const CONVERSATIONS_PAGE = 20;

export const assistantKeys = {
  all: () => ["assistant"] as const,
  capability: () => ["assistant", "capability"] as const,
  templates: () => ["assistant", "templates"] as const,
  lists: () => ["assistant", "list"] as const,
  list: (page: number) => ["assistant", "list", { page }] as const,
  conversation: (id: string) => ["assistant", "conversation", id] as const,
};

/** What the assistant can do here (scripts need an LLM; the rest works offline). */
export function useAssistant() {
  return useQuery({
    queryKey: assistantKeys.capability(),
    queryFn: () => unwrap(api.GET("/api/v1/assistant")),
    staleTime: 60_000,
  });
}

export function useTemplates(enabled = true) {
  return useQuery({
    queryKey: assistantKeys.templates(),
    queryFn: () => unwrap(api.GET("/api/v1/assistant/templates")),
    staleTime: 10 * 60_000,
    enabled,
  });
}

/** Your conversations, the latest first. */
export function useConversations(page: number, enabled = true) {
  return useQuery({
    queryKey: assistantKeys.list(page),
    queryFn: () =>
      unwrap(api.GET("/api/v1/assistant/conversations", { params: { query: { page, page_size: CONVERSATIONS_PAGE } } })),
    enabled,
  });
}

export function useConversation(id: string | undefined) {
  return useQuery({
    queryKey: assistantKeys.conversation(id ?? ""),
    queryFn: () => unwrap(api.GET("/api/v1/assistant/conversations/{conversation_id}", { params: { path: { conversation_id: id ?? "" } } })),
    enabled: Boolean(id),
  });
}

function keep(client: QueryClient, conversation: Conversation): void {
  client.setQueryData(assistantKeys.conversation(conversation.id), conversation);
  void client.invalidateQueries({ queryKey: assistantKeys.lists() });
}

function newKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/** An Idempotency-Key per attempt: the same request sent again after a network failure or a
 * server error keeps its key, so the server makes the thing once. */
function useRetryKey() {
  const last = useRef<{ request: string; key: string; retry: boolean } | null>(null);
  return {
    next(request: string): string {
      const previous = last.current;
      const key = previous && previous.request === request && previous.retry ? previous.key : newKey();
      last.current = { request, key, retry: false };
      return key;
    },
    failed(error: unknown): void {
      if (last.current) last.current.retry = error instanceof ApiError && (error.status === 0 || error.status >= 500);
    },
  };
}

/** Start a conversation from an idea ("a 60-second fable about a brave little fox…"). */
export function useStartConversation() {
  const client = useQueryClient();
  const keys = useRetryKey();
  return useMutation({
    mutationFn: (message: string) =>
      unwrap(
        api.POST("/api/v1/assistant/conversations", {
          body: { message },
          params: { header: { "Idempotency-Key": keys.next(message) } },
        }),
      ),
    onSuccess: (conversation) => keep(client, conversation),
    onError: (error) => keys.failed(error),
  });
}

/** Refine the brief ("make it darker", "add a cat", an answer to the question asked). */
export function useSendMessage(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (message: string) =>
      unwrap(
        api.POST("/api/v1/assistant/conversations/{conversation_id}/messages", {
          params: { path: { conversation_id: id } },
          body: { message },
        }),
      ),
    onSuccess: (conversation) => keep(client, conversation),
  });
}

/** Have the LLM write the script (409 naming the settings when none is configured). */
export function useWriteScript(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/assistant/conversations/{conversation_id}/script", { params: { path: { conversation_id: id } } })),
    onSuccess: (conversation) => keep(client, conversation),
  });
}

/** Your own script, or the LLM's as you edited it. */
export function useSaveScript(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["ScriptIn"]) =>
      unwrap(
        api.PUT("/api/v1/assistant/conversations/{conversation_id}/script", {
          params: { path: { conversation_id: id } },
          body,
        }),
      ),
    onSuccess: (conversation) => keep(client, conversation),
  });
}

/** A project from the conversation's script with the brief's settings; `auto` makes the whole
 * video. */
export function useMakeProject(id: string) {
  const client = useQueryClient();
  const keys = useRetryKey();
  return useMutation({
    mutationFn: (body: Schemas["MakeProjectIn"]) =>
      unwrap(
        api.POST("/api/v1/assistant/conversations/{conversation_id}/project", {
          params: { path: { conversation_id: id }, header: { "Idempotency-Key": keys.next(JSON.stringify(body)) } },
          body,
        }),
      ),
    onError: (error) => keys.failed(error),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: assistantKeys.conversation(id) });
      void client.invalidateQueries({ queryKey: assistantKeys.lists() });
      void client.invalidateQueries({ queryKey: queryKeys.projects() });
      void client.invalidateQueries({ queryKey: queryKeys.usage() });
    },
  });
}

export function useDeleteConversation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/v1/assistant/conversations/{conversation_id}", { params: { path: { conversation_id: id } } })),
    onSuccess: (_data, id) => {
      client.removeQueries({ queryKey: assistantKeys.conversation(id) });
      void client.invalidateQueries({ queryKey: assistantKeys.lists() });
    },
  });
}
