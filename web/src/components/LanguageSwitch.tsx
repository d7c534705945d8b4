import { Select } from "antd";
import { GlobalOutlined } from "@ant-design/icons";
import { LANGS } from "../i18n/catalog";
import { useI18n } from "../i18n";

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <Select
      aria-label={t("common.language")}
      data-testid="language-switch"
      value={lang}
      onChange={setLang}
      options={LANGS}
      variant="borderless"
      prefix={<GlobalOutlined aria-hidden />}
      style={{ minWidth: 110 }}
      popupMatchSelectWidth={false}
    />
  );
}
