import type { Translations } from "../../i18n/types";

export const en = {
  "auth.tagline": "Turn a story into a narrated video.",
  "auth.loginTitle": "Sign in",
  "auth.signupTitle": "Create your account",
  "auth.name": "Name (optional)",
  "auth.email": "Email",
  "auth.emailInvalid": "Enter an email address like ada@example.com",
  "auth.password": "Password",
  "auth.passwordRequired": "Enter your password",
  "auth.passwordShort": "Use at least {n} characters",
  "auth.passwordHint": "At least {n} characters; a short sentence is easy to remember.",
  "auth.loginButton": "Sign in",
  "auth.signupButton": "Create account",
  "auth.haveAccount": "Already have an account?",
  "auth.noAccount": "New to storyreel?",
  "auth.loginLink": "Sign in",
  "auth.signupLink": "Create an account",
} as const;

export const zh: Translations<typeof en> = {
  "auth.tagline": "把一个故事变成有旁白的视频。",
  "auth.loginTitle": "登录",
  "auth.signupTitle": "创建账户",
  "auth.name": "昵称（可选）",
  "auth.email": "邮箱",
  "auth.emailInvalid": "请输入邮箱地址，例如 ada@example.com",
  "auth.password": "密码",
  "auth.passwordRequired": "请输入密码",
  "auth.passwordShort": "至少 {n} 个字符",
  "auth.passwordHint": "至少 {n} 个字符；一句短话更好记。",
  "auth.loginButton": "登录",
  "auth.signupButton": "创建账户",
  "auth.haveAccount": "已有账户？",
  "auth.noAccount": "第一次使用 storyreel？",
  "auth.loginLink": "登录",
  "auth.signupLink": "创建账户",
} as const;
