/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";
import { VitePWA } from "vite-plugin-pwa";
import { CATALOG_CACHE, CATALOG_URL, SERVER_PATHS } from "./src/pwa/cache.ts";
import pkg from "./package.json" with { type: "json" };

// `npm run dev` proxies the API (and its WebSocket) and the health check the offline banner asks
// to a `storyreel serve` on port 8000.
const api = process.env.STORYREEL_API ?? "http://127.0.0.1:8000";
// The version the build says it is (index.html's `storyreel-version` meta); the e2e test of the
// update prompt builds a second version with STORYREEL_BUILD set.
const version = process.env.STORYREEL_BUILD || pkg.version;
const BRAND = "#5b3df5";

export default defineConfig({
  plugins: [
    react(),
    {
      name: "storyreel-version",
      transformIndexHtml: () => [{ tag: "meta", attrs: { name: "storyreel-version", content: version }, injectTo: "head" }],
    },
    // The installable studio: a web manifest and a Workbox service worker that precaches the
    // app shell (every bundle, so each page opens offline) and keeps the public catalogs. A new
    // worker waits until the person accepts the update prompt (src/pwa/UpdatePrompt.tsx).
    VitePWA({
      registerType: "prompt",
      injectRegister: false,
      manifest: {
        id: "/",
        name: "storyreel studio",
        short_name: "storyreel",
        description: "Turn a story into a narrated video: storyboard, pictures, voice and music.",
        lang: "en",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "any",
        theme_color: BRAND,
        background_color: "#f5f6fa", // the page's grey (global.css)
        categories: ["productivity", "photo", "entertainment"],
        // Made from public/favicon.svg by `npm run icons` (pwa-assets.config.ts).
        icons: [
          { src: "pwa-64x64.png", sizes: "64x64", type: "image/png" },
          { src: "pwa-192x192.png", sizes: "192x192", type: "image/png" },
          { src: "pwa-512x512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "maskable-icon-512x512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      // Precached with the shell, like the manifest's icons (which the plugin adds itself).
      includeAssets: ["favicon.ico", "favicon.svg", "apple-touch-icon-180x180.png"],
      workbox: {
        globPatterns: ["**/*.{js,css,html}"],
        // The Ant Design chunk is larger than Workbox's 2 MiB default; the shell needs it offline.
        maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        navigateFallback: "index.html",
        navigateFallbackDenylist: SERVER_PATHS,
        // No route for the rest of /api/, the live socket, assets or downloads: the worker does
        // not answer them, so they go to the network as if it were not there and are never kept.
        runtimeCaching: [
          {
            urlPattern: CATALOG_URL,
            method: "GET",
            handler: "StaleWhileRevalidate",
            options: {
              cacheName: CATALOG_CACHE,
              // A refusal (401 when signed out, 503 when a provider is down) is never kept.
              cacheableResponse: { statuses: [200] },
              expiration: { maxEntries: 16, maxAgeSeconds: 7 * 24 * 3600 },
            },
          },
        ],
      },
    }),
  ],
  server: {
    proxy: { "/api": { target: api, ws: true, changeOrigin: true }, "/healthz": { target: api, changeOrigin: true } },
  },
  build: {
    outDir: "dist",
    chunkSizeWarningLimit: 1600,
    rollupOptions: {
      output: {
        // Vendor code changes less often than ours: separate chunks stay cached across builds.
        manualChunks(id: string) {
          if (id.includes("node_modules/antd") || id.includes("node_modules/@ant-design") || id.includes("node_modules/rc-")) return "antd";
          // hls.js (~0.5 MB) is imported lazily by the live player: its own chunk, loaded only
          // when someone watches a render.
          if (id.includes("node_modules/hls.js")) return "hls";
          if (id.includes("node_modules")) return "vendor";
          return undefined;
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
