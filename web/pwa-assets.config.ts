/** The studio's app icons, drawn from `public/favicon.svg` by `npm run icons` (sharp, through
 * @vite-pwa/assets-generator) and committed to `public/`: the installable app's 192 and 512 px
 * icons, a maskable 512 px one (the mark inside the platform's safe zone on the brand purple, so
 * a round or squircle mask never cuts it) and the 180 px Apple touch icon. */
import { defineConfig, minimal2023Preset } from "@vite-pwa/assets-generator/config";

// The favicon's own background: a mask that crops the rounded corners shows more of the same.
const BRAND = "#5b3df5";

export default defineConfig({
  headLinkOptions: { preset: "2023" },
  preset: {
    ...minimal2023Preset,
    maskable: { sizes: [512], padding: 0.3, resizeOptions: { background: BRAND } },
    apple: { sizes: [180], padding: 0.3, resizeOptions: { background: BRAND } },
  },
  images: ["public/favicon.svg"],
});
