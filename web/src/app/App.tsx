import { onlineManager, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, theme } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { lazy, Suspense, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { ApiError } from "../api/client";
import { session } from "../auth/session";
import { useSignedIn } from "../auth/useSignedIn";
import { I18nProvider, useI18n } from "../i18n";
import { AppLayout } from "./AppLayout";
import { PageSkeleton } from "../components/PageSkeleton";
import { forgetCachedCatalogs } from "../pwa/cache";
import { connection } from "../pwa/connection";
import { ConnectionBanner } from "../pwa/ConnectionBanner";
import { UpdatePrompt } from "../pwa/UpdatePrompt";

const AuthPage = lazy(() => import("../features/auth/AuthPage"));
const ProjectsPage = lazy(() => import("../features/projects/ProjectsPage"));
const NewProjectPage = lazy(() => import("../features/projects/NewProjectPage"));
const StudioPage = lazy(() => import("../features/studio/StudioPage"));
const AssistantPage = lazy(() => import("../features/assistant/AssistantPage"));
const SettingsPage = lazy(() => import("../features/settings/SettingsPage"));
const AdminPage = lazy(() => import("../features/admin/AdminPage"));
const NotFoundPage = lazy(() => import("./NotFoundPage"));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not get better by asking again; a network blip might.
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      refetchOnWindowFocus: true,
    },
  },
});

session.subscribe((signedIn) => {
  if (!signedIn) {
    queryClient.clear();
    void forgetCachedCatalogs();
  }
});

// Queries and mutations wait while the server cannot be reached, and go on (queries are read
// again) once it answers, instead of failing one by one.
onlineManager.setEventListener((setOnline) => {
  setOnline(connection.state.offline === null);
  return connection.subscribe((state) => setOnline(state.offline === null));
});

function RequireAuth({ children }: { children: ReactNode }) {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <>{children}</>;
}

function Themed({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === "zh" ? zhCN : enUS}
      theme={{
        algorithm: theme.defaultAlgorithm,
        // antd's defaults for hint text (45 % black), links (#1677ff), error red and the
        // status greens/oranges fall below WCAG AA contrast (4.5:1) on white and on their own
        // tinted tag backgrounds; these shades pass (axe-core checks them in the e2e tests).
        token: {
          colorPrimary: "#5b3df5",
          // antd derives a lighter hover shade (#8769ff: 3.8:1 on white), and on a touch screen
          // a tapped button keeps its hover look; a darker one keeps text readable.
          colorPrimaryHover: "#4c2fe0",
          colorInfo: "#5b3df5",
          colorLink: "#4c2fe0",
          colorTextTertiary: "rgba(0, 0, 0, 0.6)",
          colorTextDescription: "rgba(0, 0, 0, 0.6)",
          colorError: "#cf1322",
          colorSuccess: "#2f7a0f",
          colorWarning: "#a35200",
          // The darker status colours would otherwise derive greyish tints for alerts and tags.
          colorSuccessBg: "#f6ffed",
          colorSuccessBorder: "#b7eb8f",
          colorWarningBg: "#fff7e6",
          colorWarningBorder: "#ffd591",
          borderRadius: 8,
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Helvetica Neue', Arial, sans-serif",
        },
      }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Themed>
        <ConnectionBanner />
        {/* The dev server has no service worker to register. */}
        {import.meta.env.PROD && <UpdatePrompt />}
        <QueryClientProvider client={queryClient}>
          <BrowserRouter>
            <Suspense fallback={<PageSkeleton />}>
              <Routes>
                <Route path="/login" element={<AuthPage mode="login" />} />
                <Route path="/signup" element={<AuthPage mode="signup" />} />
                <Route
                  element={
                    <RequireAuth>
                      <AppLayout />
                    </RequireAuth>
                  }
                >
                  <Route index element={<Navigate to="/projects" replace />} />
                  <Route path="/projects" element={<ProjectsPage />} />
                  <Route path="/projects/new" element={<NewProjectPage />} />
                  <Route path="/projects/:projectId" element={<StudioPage />} />
                  <Route path="/assistant/:conversationId?" element={<AssistantPage />} />
                  <Route path="/settings" element={<SettingsPage />} />
                  <Route path="/admin" element={<AdminPage />} />
                  <Route path="*" element={<NotFoundPage />} />
                </Route>
              </Routes>
            </Suspense>
          </BrowserRouter>
        </QueryClientProvider>
      </Themed>
    </I18nProvider>
  );
}
