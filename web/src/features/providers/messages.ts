import type { Translations } from "../../i18n/types";

/** What the account settings, a project's settings, the studio and the admin pages share about
 * AI providers: capabilities, strategies, prices and the route editor. */
export const en = {
  "providers.cap.storyboard": "Storyboard",
  "providers.cap.image": "Pictures",
  "providers.cap.voice": "Narration",
  "providers.cap.motion": "Moving clips",
  "providers.cap.music": "Music",

  "providers.strategy.ordered": "In the order listed",
  "providers.strategy.cost": "Cheapest first",
  "providers.strategy.quality": "Best quality first",
  "providers.strategy.speed": "Fastest first",
  "providers.strategy.balanced": "Balanced",

  "providers.follow.account": "Follow my account settings",
  "providers.follow.server": "Follow the server's settings",
  "providers.providersLabel": "{cap}: providers, in order",
  "providers.strategyLabel": "{cap}: how to choose",
  "providers.strategyDefault": "Default way to choose",
  "providers.inUse": "In use: {route}",
  "providers.accountUses": "Your account: {route}",
  "providers.route": "{providers} · {strategy}",
  "providers.orderHint":
    "Providers are tried in the order chosen; when one fails the next takes over. To change the order, remove a provider and add it again.",
  "providers.catalogFailed": "Could not load the list of providers",

  "providers.offline": "offline",
  "providers.notSetUp": "not set up on this server",
  "providers.notOnServer": "not on this server",
  "providers.free": "free",
  "providers.quality": "quality {n}/5",
  "providers.speed": "speed {n}/5",
  "providers.unit.images": "{price} per picture",
  "providers.unit.characters": "{price} per {per} characters",
  "providers.unit.input_tokens": "{price} per {per} input tokens",
  "providers.unit.output_tokens": "{price} per {per} output tokens",
  "providers.unit.video_seconds": "{price} per second of video",
  "providers.unit.audio_seconds": "{price} per second of audio",
  "providers.unit.other": "{price} per {per} {unit}",
  "providers.unit.each": "{price} per unit of {unit}",
} as const;

export const zh: Translations<typeof en> = {
  "providers.cap.storyboard": "分镜脚本",
  "providers.cap.image": "画面",
  "providers.cap.voice": "旁白配音",
  "providers.cap.motion": "动态片段",
  "providers.cap.music": "音乐",

  "providers.strategy.ordered": "按列出的顺序",
  "providers.strategy.cost": "最便宜优先",
  "providers.strategy.quality": "质量最好优先",
  "providers.strategy.speed": "最快优先",
  "providers.strategy.balanced": "均衡",

  "providers.follow.account": "沿用我的账户设置",
  "providers.follow.server": "沿用服务器的设置",
  "providers.providersLabel": "{cap}：服务商（按顺序）",
  "providers.strategyLabel": "{cap}：选择方式",
  "providers.strategyDefault": "默认选择方式",
  "providers.inUse": "当前使用：{route}",
  "providers.accountUses": "你的账户：{route}",
  "providers.route": "{providers} · {strategy}",
  "providers.orderHint": "按所选顺序依次尝试服务商，一个失败时由下一个接替。要调整顺序，请先移除某个服务商再重新添加。",
  "providers.catalogFailed": "无法加载服务商列表",

  "providers.offline": "离线",
  "providers.notSetUp": "服务器未配置",
  "providers.notOnServer": "服务器上没有",
  "providers.free": "免费",
  "providers.quality": "质量 {n}/5",
  "providers.speed": "速度 {n}/5",
  "providers.unit.images": "每张图片 {price}",
  "providers.unit.characters": "每 {per} 个字符 {price}",
  "providers.unit.input_tokens": "每 {per} 个输入 token {price}",
  "providers.unit.output_tokens": "每 {per} 个输出 token {price}",
  "providers.unit.video_seconds": "视频每秒 {price}",
  "providers.unit.audio_seconds": "音频每秒 {price}",
  "providers.unit.other": "每 {per} {unit} {price}",
  "providers.unit.each": "每单位 {unit} {price}",
};
