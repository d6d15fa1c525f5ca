// Behaviours of every page, declared in the templates by data attributes, so that no page needs an
// inline script or an inline event handler (a Content-Security-Policy without 'unsafe-inline' works):
//
//   <select data-autosubmit>            submits its form when changed (language, filters)
//   <input data-select-on-click>        selects its whole text when clicked (a key to copy)
//   <button data-history-back>          goes back one page (home when there is no page to go back to)
//   <div hx-get=… data-swap-404>        htmx swaps a 404 answer in too (it carries the "nothing here" text)
"use strict";

document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) field.form.submit();
});

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const copy = target && target.closest("[data-select-on-click]");
  if (copy) copy.select();
  const back = target && target.closest("[data-history-back]");
  if (back) {
    event.preventDefault();
    if (window.history.length > 1) window.history.back();
    else window.location.assign("/");
  }
});

document.addEventListener("htmx:beforeSwap", (event) => {
  const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (event.detail.xhr.status === 404 && elt && elt.closest("[data-swap-404]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Tables marked .table-stack become cards on a phone: each cell gets its column's heading as data-label
// (on load and after every htmx swap, e.g. the ANTT grid after a save).
const labelStackedTables = (root) => {
  root.querySelectorAll("table.table-stack").forEach((table) => {
    const headings = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((row) => {
      Array.from(row.children).forEach((cell, index) => {
        if (headings[index] && !cell.hasAttribute("colspan")) cell.dataset.label = headings[index];
      });
    });
  });
};
labelStackedTables(document);
document.addEventListener("htmx:load", (event) => labelStackedTables(event.detail.elt.parentElement || document));
