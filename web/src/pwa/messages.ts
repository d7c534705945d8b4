import type { Translations } from "../i18n/types";

export const en = {
  "pwa.offline.title": "Cannot reach the storyreel server",
  "pwa.offline.browser": "This device is offline.",
  "pwa.offline.server": "The server did not answer.",
  "pwa.offline.retrying": "The studio tries again every few seconds and carries on where you were once it is back.",
  "pwa.offline.checking": "Trying to reach the server…",
  "pwa.offline.retry": "Retry now",
  "pwa.update.title": "A new version of the studio is available",
  "pwa.update.text": "Reload to use it. Anything you are typing is kept only if it was saved.",
  "pwa.update.reload": "Reload",
  "pwa.update.later": "Later",
} as const;

export const zh: Translations<typeof en> = {
  "pwa.offline.title": "无法连接到 storyreel 服务器",
  "pwa.offline.browser": "此设备已离线。",
  "pwa.offline.server": "服务器没有响应。",
  "pwa.offline.retrying": "工作室每隔几秒会自动重试，连接恢复后从你离开的地方继续。",
  "pwa.offline.checking": "正在尝试连接服务器…",
  "pwa.offline.retry": "立即重试",
  "pwa.update.title": "工作室有新版本可用",
  "pwa.update.text": "重新加载即可使用新版本。正在输入但尚未保存的内容不会保留。",
  "pwa.update.reload": "重新加载",
  "pwa.update.later": "稍后",
} as const;
