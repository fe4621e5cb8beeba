// Opens a rendered report in headless Chromium, runs axe-core's WCAG 2.2 A and AA rules at a
// desktop and a tablet size, takes a screenshot of the first screen at each, and prints one JSON
// object on stdout. tests/test_accessibility.py runs it and reads the JSON.
//
//   node check_page.mjs REPORT.html SCREENSHOT_FOLDER
//
// The browser is Debian's chromium (/usr/bin/chromium, or $CHROMIUM) with a fresh profile; every
// request that is not for a file:// or data: address is blocked and listed in the output, so a
// page that tries to fetch anything from elsewhere is caught.

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "tablet", width: 768, height: 1024 },
];
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const [page_path, shots] = process.argv.slice(2);
if (!page_path || !shots) {
  console.error("usage: node check_page.mjs REPORT.html SCREENSHOT_FOLDER");
  process.exit(2);
}
const url = pathToFileURL(resolve(page_path)).href;
const profile = mkdtempSync(join(tmpdir(), "compendium-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ARGS,
  viewport: VIEWPORTS[0],
});
const blocked = [];
await context.route("**/*", (route) => {
  const address = route.request().url();
  if (address.startsWith("file:") || address.startsWith("data:")) return route.continue();
  blocked.push(address);
  return route.abort();
});

// Where the key messages heading and the H1 sit on the first screen, from the DOM.
function firstScreen() {
  const box = (element) => {
    if (!element) return null;
    const r = element.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
  };
  const heading = [...document.querySelectorAll("h2")].find(
    (h) => h.textContent.trim() === "Key messages",
  );
  return {
    viewport: { width: window.innerWidth, height: window.innerHeight },
    scroll_width: document.documentElement.scrollWidth,
    h1: box(document.querySelector("h1")),
    key_messages: box(heading),
  };
}

// The first Tab stop: the skip link, shown with its focus style; Enter moves focus to <main>.
async function skipLink(page, shots) {
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const element = document.activeElement;
    const r = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {
      text: element.textContent.trim(),
      href: element.getAttribute("href"),
      box: { top: r.top, bottom: r.bottom, left: r.left, right: r.right },
      outline: `${style.outlineStyle} ${style.outlineWidth}`,
      background: style.backgroundColor,
    };
  });
  const screenshot = join(shots, "skip-link-focused.png");
  await page.screenshot({ path: screenshot });
  await page.keyboard.press("Enter");
  const after = await page.evaluate(() => document.activeElement.id);
  return { ...focused, screenshot, focus_after_enter: after };
}

const results = { url, blocked, viewports: [] };
try {
  const page = await context.newPage();
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.goto(url, { waitUntil: "load" });
    const screenshot = join(shots, `first-screen-${viewport.name}.png`);
    await page.screenshot({ path: screenshot });
    const screen = await page.evaluate(firstScreen);
    if (viewport.name === "desktop") results.skip_link = await skipLink(page, shots);
    await page.addScriptTag({ path: AXE });
    const axe = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
      TAGS,
    );
    results.viewports.push({
      ...viewport,
      screenshot,
      first_screen: screen,
      axe_version: axe.testEngine.version,
      passes: axe.passes.length,
      incomplete: axe.incomplete.map((rule) => ({
        id: rule.id,
        nodes: rule.nodes.map((node) => ({ target: node.target, summary: node.failureSummary })),
      })),
      violations: axe.violations.map((rule) => ({
        id: rule.id,
        impact: rule.impact,
        help: rule.help,
        nodes: rule.nodes.map((node) => ({ target: node.target, summary: node.failureSummary })),
      })),
    });
  }
  // On paper: every table folded under a chart (a closed <details>) is printed all the same.
  await page.emulateMedia({ media: "print" });
  results.print = await page.evaluate(() => {
    const folded = [...document.querySelectorAll("details:not([open]) table")];
    return { folded_tables: folded.length, printed: folded.filter((t) => t.checkVisibility()).length };
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(results, null, 2) + "\n");
