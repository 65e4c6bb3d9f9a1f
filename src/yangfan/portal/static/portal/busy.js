/* Long requests say so: a form with data-busy="正在检查…" shows that text, and the seconds that pass, once it
   has been waiting for more than a second, and its buttons are disabled so it is not sent twice.
   No inline script or style (the site's CSP): the note is an element with the class "busy-note". */
(function () {
  "use strict";

  function start(form) {
    var text = form.getAttribute("data-busy");
    var note = document.createElement("p");
    note.className = "busy-note";
    note.setAttribute("role", "status");
    note.setAttribute("aria-live", "polite");
    note.hidden = true;
    form.appendChild(note);
    var began = Date.now();
    window.setInterval(function () {
      var seconds = Math.floor((Date.now() - began) / 1000);
      if (seconds >= 1) {
        note.hidden = false;
        note.textContent = text + " " + seconds + " s";
      }
    }, 250);
    window.setTimeout(function () {  // after the browser has taken the submitter's name and value
      form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-busy") && !event.defaultPrevented) {
      start(form);
    }
  });
})();
