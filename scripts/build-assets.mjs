// Builds static/build/ from static/scss, static/js and node_modules. Plain Node, no network.
// Run with `npm run build` (the Makefile's `make assets`).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const out = join(root, "static", "build");

// Copy a file; keep its source map only if the map ships with it, otherwise drop the
// `sourceMappingURL` comment so that Django's manifest storage does not look for a missing file.
function copyScript(from, toDir) {
  const to = join(toDir, basename(from));
  const text = readFileSync(from, "utf8");
  const match = text.match(/\/\/# sourceMappingURL=(\S+)\s*$/);
  if (match && existsSync(join(dirname(from), match[1]))) {
    writeFileSync(to, text);
    copyFileSync(join(dirname(from), match[1]), join(toDir, match[1]));
  } else {
    writeFileSync(to, text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"));
  }
}

rmSync(out, { recursive: true, force: true });
for (const dir of ["css", "js", "images"]) mkdirSync(join(out, dir), { recursive: true });

// Sass → CSS: every entry point (not partials) in static/scss. GOV.UK Frontend's own
// deprecation notices are silenced (quietDeps); ours are not.
const scssDir = join(root, "static", "scss");
let mainCss = "";
for (const name of readdirSync(scssDir)) {
  if (!name.endsWith(".scss") || name.startsWith("_")) continue;
  const { css } = sass.compile(join(scssDir, name), { style: "compressed", loadPaths: [modules], quietDeps: true });
  writeFileSync(join(out, "css", name.replace(/\.scss$/, ".css")), css);
  if (name === "main.scss") mainCss = css;
}

// GOV.UK Frontend's images that the CSS refers to (Django's manifest storage needs every
// url() to exist). Not its other images, which are GOV.UK branding, nor its fonts
// (GDS Transport is licensed for GOV.UK only).
const govuk = join(modules, "govuk-frontend", "dist", "govuk");
for (const [, name] of mainCss.matchAll(/url\("?\.\.\/images\/([^")]+)"?\)/g)) {
  copyFileSync(join(govuk, "assets", "images", name), join(out, "images", name));
}

// Third-party scripts.
copyScript(join(govuk, "govuk-frontend.min.js"), join(out, "js"));
copyScript(join(modules, "chart.js", "dist", "chart.umd.min.js"), join(out, "js"));
copyScript(join(modules, "htmx.org", "dist", "htmx.min.js"), join(out, "js"));

// The project's own scripts.
const ownJs = join(root, "static", "js");
for (const name of readdirSync(ownJs)) {
  if (name.endsWith(".js") || name.endsWith(".mjs")) copyFileSync(join(ownJs, name), join(out, "js", name));
}

console.log(`Built ${out}`);
