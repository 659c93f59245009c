#!/usr/bin/env node
/**
 * Post-build check: fails the build when the first load is too heavy, and writes a gzip copy
 * of every text asset (served by backend/interlude/web.py to clients that accept gzip).
 *
 *   first-load JS   = the entry script and its modulepreloads named in dist/index.html
 *   total transfer  = every file a first visit downloads: the page, its scripts and styles,
 *                     the manifest and icons, sw.js, and everything the service worker
 *                     precaches (the lazily loaded screens included)
 *
 * Budgets (gzip): first-load JS <= 20 KB, total <= 100 KB. Prints JSON figures on the last
 * line for docs/benchmarks.md.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const DIST = new URL("../dist/", import.meta.url).pathname;
const KB = 1024;
// Overridable only to prove the check works (e.g. BUDGET_FIRST_JS_KB=1 node scripts/check-budget.mjs).
const BUDGET_FIRST_JS = Number(process.env.BUDGET_FIRST_JS_KB ?? 20) * KB;
const BUDGET_TOTAL = Number(process.env.BUDGET_TOTAL_KB ?? 100) * KB;
const TEXT = /\.(js|css|html|webmanifest|json|svg|txt)$/;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === ".vite" ? [] : files(path);
    return name.endsWith(".gz") ? [] : [path];
  });
}

function gz(path) {
  const raw = readFileSync(path);
  if (!TEXT.test(path)) return { raw: raw.length, gzip: raw.length }; // PNGs are compressed
  const zipped = gzipSync(raw, { level: 9 });
  writeFileSync(`${path}.gz`, zipped);
  return { raw: raw.length, gzip: zipped.length };
}

const html = readFileSync(join(DIST, "index.html"), "utf8");
const firstJs = [
  ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
].map((m) => m[1]);
if (!firstJs.length) {
  console.error("check-budget: no entry script found in dist/index.html");
  process.exit(1);
}

const sizes = Object.fromEntries(files(DIST).map((p) => [relative(DIST, p), gz(p)]));
const sum = (names, key) => names.reduce((total, n) => total + (sizes[n]?.[key] ?? 0), 0);
const all = Object.keys(sizes);
const figures = {
  first_load_js_gzip: sum(firstJs, "gzip"),
  first_load_js_raw: sum(firstJs, "raw"),
  total_gzip: sum(all, "gzip"),
  total_raw: sum(all, "raw"),
  files: all.length,
};

const kb = (n) => `${(n / KB).toFixed(1)} KB`;
console.log("\nFile sizes (raw → gzip):");
for (const name of all.sort()) console.log(`  ${name.padEnd(48)} ${kb(sizes[name].raw).padStart(9)} → ${kb(sizes[name].gzip)}`);
console.log(`\nFirst-load JS: ${kb(figures.first_load_js_gzip)} gzip (budget ${kb(BUDGET_FIRST_JS)})`);
console.log(`Total transfer: ${kb(figures.total_gzip)} gzip (budget ${kb(BUDGET_TOTAL)})`);
writeFileSync(join(DIST, ".vite", "budget.json"), JSON.stringify(figures, null, 2));
console.log(JSON.stringify(figures));

let failed = false;
if (figures.first_load_js_gzip > BUDGET_FIRST_JS) {
  console.error(`BUDGET EXCEEDED: first-load JS is ${kb(figures.first_load_js_gzip)} > ${kb(BUDGET_FIRST_JS)}`);
  failed = true;
}
if (figures.total_gzip > BUDGET_TOTAL) {
  console.error(`BUDGET EXCEEDED: total transfer is ${kb(figures.total_gzip)} > ${kb(BUDGET_TOTAL)}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
