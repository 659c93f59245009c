import preact from "@preact/preset-vite";
import { VitePWA } from "vite-plugin-pwa";
import { defineConfig } from "vitest/config";

// Colours shared by the manifest, index.html and styles.css.
const THEME = "#0f5c57";
const BACKGROUND = "#f6f5f1";

export default defineConfig({
  plugins: [
    preact(),
    VitePWA({
      strategies: "injectManifest",
      srcDir: "src",
      filename: "sw.ts",
      // We register the worker ourselves (src/lib/sw-register.ts) to show an update prompt.
      injectRegister: false,
      registerType: "prompt",
      includeManifestIcons: false, // see injectManifest.globPatterns below
      manifest: {
        id: "/",
        name: "Interlude",
        short_name: "Interlude",
        description: "Protects the minutes between your client sessions.",
        start_url: "/",
        scope: "/",
        display: "standalone",
        orientation: "portrait",
        theme_color: THEME,
        background_color: BACKGROUND,
        lang: "en",
        categories: ["health", "productivity"],
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          {
            src: "/icons/maskable-192.png",
            sizes: "192x192",
            type: "image/png",
            purpose: "maskable",
          },
          {
            src: "/icons/maskable-512.png",
            sizes: "512x512",
            type: "image/png",
            purpose: "maskable",
          },
        ],
      },
      injectManifest: {
        // Icons are not precached: the page and the install prompt already fetch them (cached a
        // day by the server), and the worker's copy under a ?__WB_REVISION__ URL was a second
        // download of the same file (the audit's "icon fetched twice").
        globPatterns: ["**/*.{js,css,html,svg,webmanifest}"],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    manifest: true,
  },
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
  },
});
