// A background job's page (a template upload, a report): poll its progress once a second and reload the page
// when it has finished, which then shows the outcome. No inline script (CSP): the URL to poll is the data-poll
// attribute of #job-progress; the answer is JSON {finished, done, total, label}.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("job-progress");
  if (!box) return;
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-text]");
  bar.removeAttribute("value"); // indeterminate until the job says how many values it writes

  async function poll() {
    try {
      const response = await fetch(box.dataset.poll, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const state = await response.json();
        if (state.finished) {
          window.location.reload();
          return;
        }
        if (state.total > 0) {
          bar.max = state.total;
          bar.value = state.done;
        }
        text.textContent = state.label;
      }
    } catch (error) {
      // a dropped connection: try again at the next tick
    }
    window.setTimeout(poll, 1000);
  }

  window.setTimeout(poll, 500);
});
