// Loaded as an ES module (see templates/base.html). Browsers too old for modules skip
// this file and get the plain, fully working HTML.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
