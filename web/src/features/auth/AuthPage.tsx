import { LockOutlined, MailOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useRef } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";
import { errorMessage } from "../../api/client";
import { useSignedIn } from "../../auth/useSignedIn";
import { LanguageSwitch } from "../../components/LanguageSwitch";
import { Logo } from "../../components/Logo";
import { useT } from "../../i18n";
import { signIn, type Fields } from "./api";

const MIN_PASSWORD = 8;

/** Sign in and sign up: one card, two modes. */
export default function AuthPage({ mode }: { mode: "login" | "signup" }) {
  const t = useT();
  const signup = mode === "signup";
  const navigate = useNavigate();
  const location = useLocation();
  const signedIn = useSignedIn();
  const from = (location.state as { from?: string } | null)?.from ?? "/projects";
  const registered = useRef(new Set<string>());
  const submit = useMutation({
    mutationFn: (fields: Fields) => signIn(fields, signup, registered.current),
    onSuccess: () => navigate(from, { replace: true }),
  });
  if (signedIn && !submit.isPending) return <Navigate to={from} replace />;

  return (
    <div
      style={{
        minHeight: "100vh",
        display: "flex",
        flexDirection: "column",
        alignItems: "center",
        justifyContent: "center",
        padding: 16,
        background: "linear-gradient(160deg, #efeafe 0%, #f5f6fa 55%)",
      }}
    >
      <div style={{ position: "absolute", top: 12, right: 12 }}>
        <LanguageSwitch />
      </div>
      <main style={{ width: "100%", maxWidth: 400 }}>
        <div style={{ textAlign: "center", marginBottom: 24 }}>
          <Logo size={40} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
            {t("auth.tagline")}
          </Typography.Paragraph>
        </div>
        <Card>
          <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
            {signup ? t("auth.signupTitle") : t("auth.loginTitle")}
          </Typography.Title>
          {submit.error && (
            <Alert type="error" showIcon title={errorMessage(submit.error)} style={{ marginBottom: 16 }} role="alert" />
          )}
          <Form<Fields> layout="vertical" onFinish={(v) => submit.mutate(v)} requiredMark={false} disabled={submit.isPending}>
            {signup && (
              <Form.Item name="display_name" label={t("auth.name")}>
                <Input prefix={<UserOutlined />} autoComplete="name" maxLength={100} />
              </Form.Item>
            )}
            <Form.Item
              name="email"
              label={t("auth.email")}
              rules={[{ required: true, type: "email", message: t("auth.emailInvalid") }]}
            >
              <Input prefix={<MailOutlined />} autoComplete="email" inputMode="email" />
            </Form.Item>
            <Form.Item
              name="password"
              label={t("auth.password")}
              rules={[
                { required: true, message: t("auth.passwordRequired") },
                ...(signup ? [{ min: MIN_PASSWORD, message: t("auth.passwordShort", { n: MIN_PASSWORD }) }] : []),
              ]}
              extra={signup ? t("auth.passwordHint", { n: MIN_PASSWORD }) : undefined}
            >
              <Input.Password prefix={<LockOutlined />} autoComplete={signup ? "new-password" : "current-password"} />
            </Form.Item>
            <Button type="primary" htmlType="submit" block size="large" loading={submit.isPending}>
              {signup ? t("auth.signupButton") : t("auth.loginButton")}
            </Button>
          </Form>
          <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0, textAlign: "center" }}>
            {signup ? t("auth.haveAccount") : t("auth.noAccount")}{" "}
            <Link to={signup ? "/login" : "/signup"} state={location.state}>
              {signup ? t("auth.loginLink") : t("auth.signupLink")}
            </Link>
          </Typography.Paragraph>
        </Card>
      </main>
    </div>
  );
}
