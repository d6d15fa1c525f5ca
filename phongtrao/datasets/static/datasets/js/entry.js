// The entry grid (datasets/entry.html): ArrowUp / ArrowDown / Enter move to the same column of the row above or
// below, as in a spreadsheet; each cell is saved by htmx when it changes (hx-trigger="change" on its cell).
"use strict";

document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || !field.closest("table[data-entry-grid]")) return;
  if (!["ArrowUp", "ArrowDown", "Enter"].includes(event.key)) return;
  const cell = field.closest("td");
  const row = cell && cell.parentElement;
  if (!row) return;
  const index = Array.from(row.children).indexOf(cell);
  const rows = Array.from(row.closest("table").querySelectorAll("tbody tr"));
  const step = event.key === "ArrowUp" ? -1 : 1;
  for (let i = rows.indexOf(row) + step; i >= 0 && i < rows.length; i += step) {
    const target = rows[i].children[index] && rows[i].children[index].querySelector("input:not([type=hidden]), select");
    if (target) {
      event.preventDefault();
      target.focus();
      if (target.select) target.select();
      return;
    }
  }
  if (event.key === "Enter") event.preventDefault();  // the last row: stay (the cell is saved on change)
});
