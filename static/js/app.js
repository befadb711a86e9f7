// Loaded as an ES module (see templates/base.html). Browsers too old for modules skip
// this file and get the plain, fully working HTML.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// The hub search's send bar: the number selected follows the ticks on this page (the
// households ticked on other pages are counted by the server, in data-elsewhere).
for (const count of document.querySelectorAll("[data-selection-count]")) {
  const form = count.closest("form");
  const elsewhere = Number(count.dataset.elsewhere || 0);
  form?.addEventListener("change", () => {
    const ticked = form.querySelectorAll('input[name="households"]:checked').length;
    count.textContent = String(elsewhere + ticked);
  });
}
