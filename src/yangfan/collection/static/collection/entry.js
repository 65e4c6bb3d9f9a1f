/* 数据填报: the entry grid, keyboard first, as in Excel.
 *
 * Tab / Shift+Tab move along a row (and on to the next row), Enter / Shift+Enter down / up a column (Enter on
 * the last row goes on to the top of the next column); the arrow keys move between cells, left and right when
 * the cell was just entered (its text all selected) or the caret is at the edge of the text. Pasting a block
 * copied from Excel (tab-separated lines) fills the cells to the right and below the one pasted into. Changed
 * cells are marked; leaving the page with unsaved changes asks first. No inline script
 * (Content-Security-Policy): texts come from a json_script element. */
(function () {
  "use strict";

  function texts() {
    var node = document.getElementById("entry-texts");
    try {
      return node ? JSON.parse(node.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  function init() {
    var table = document.querySelector("[data-entry-grid]");
    var form = document.querySelector("[data-entry-form]");
    if (!table || !form) return;
    var words = texts();
    var counter = form.querySelector("[data-dirty-count]");
    var inputs = Array.prototype.slice.call(table.querySelectorAll("input[data-row][data-col]"));
    var cells = [];  // cells[row][col]
    var rows = 0, cols = 0;
    inputs.forEach(function (input) {
      var r = Number(input.dataset.row), c = Number(input.dataset.col);
      (cells[r] = cells[r] || [])[c] = input;
      rows = Math.max(rows, r + 1);
      cols = Math.max(cols, c + 1);
    });
    var submitting = false;
    var note = "";

    function at(r, c) {
      return cells[r] && cells[r][c] ? cells[r][c] : null;
    }

    function go(r, c) {
      var target = at(r, c);
      if (!target) return false;
      target.focus();
      target.select();
      return true;
    }

    function mark(input) {
      var changed = input.value.trim() !== (input.dataset.initial || "");
      input.classList.toggle("changed", changed);
    }

    function dirty() {
      return inputs.filter(function (input) { return input.classList.contains("changed"); }).length;
    }

    function report() {
      if (!counter) return;
      var n = dirty();
      var parts = [];
      if (n && words.changed) parts.push(words.changed.replace("{n}", n));
      if (note) parts.push(note);
      counter.textContent = parts.join(" ");
    }

    function position(input) {
      return [Number(input.dataset.row), Number(input.dataset.col)];
    }

    table.addEventListener("keydown", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-row]")) return;
      var rc = position(input), r = rc[0], c = rc[1];
      var moved = false;
      var length = input.value.length;
      var all = input.selectionStart === 0 && input.selectionEnd === length;  // just arrived: the cell as a whole
      var atStart = all || (input.selectionStart === 0 && input.selectionEnd === 0);
      var atEnd = all || (input.selectionStart === length && input.selectionEnd === length);
      switch (event.key) {
        case "Tab":
          if (event.shiftKey) moved = go(r, c - 1) || go(r - 1, cols - 1);
          else moved = go(r, c + 1) || go(r + 1, 0);
          break;  // at the first or last cell Tab leaves the grid as usual
        case "Enter":
          if (event.shiftKey) moved = go(r - 1, c) || go(rows - 1, c - 1);
          else moved = go(r + 1, c) || go(0, c + 1);
          if (!moved) moved = true;  // never submit the form by Enter: saving is a deliberate click
          break;
        case "ArrowDown":
          moved = go(r + 1, c);
          break;
        case "ArrowUp":
          moved = go(r - 1, c);
          break;
        case "ArrowLeft":
          if (atStart) moved = go(r, c - 1);
          break;
        case "ArrowRight":
          if (atEnd) moved = go(r, c + 1);
          break;
        default:
          return;
      }
      if (moved) event.preventDefault();
    });

    table.addEventListener("paste", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-row]")) return;
      var data = event.clipboardData || window.clipboardData;
      var text = data ? data.getData("text/plain") || data.getData("Text") : "";
      if (!text || !/[\t\r\n]/.test(text)) return;  // one value: the browser pastes it as usual
      event.preventDefault();
      var lines = text.replace(/\r\n?/g, "\n").split("\n");
      while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();  // Excel ends with a newline
      var rc = position(input), ignored = 0, last = input;
      lines.forEach(function (line, i) {
        line.split("\t").forEach(function (value, j) {
          var target = at(rc[0] + i, rc[1] + j);
          if (!target) {
            ignored += 1;
            return;
          }
          target.value = value.trim();
          mark(target);
          last = target;
        });
      });
      note = ignored && words.ignored ? words.ignored.replace("{n}", ignored) : "";
      report();
      last.focus();
    });

    table.addEventListener("input", function (event) {
      if (event.target.matches && event.target.matches("input[data-row]")) {
        mark(event.target);
        note = "";
        report();
      }
    });

    table.addEventListener("focusin", function (event) {
      if (event.target.matches && event.target.matches("input[data-row]")) event.target.select();
    });

    form.addEventListener("submit", function () {
      submitting = true;
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || !dirty()) return;
      event.preventDefault();
      event.returnValue = "";
    });

    inputs.forEach(mark);  // values sent back with errors are changes not yet saved
    report();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
