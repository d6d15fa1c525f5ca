// Forms that guide (loaded on every page; no inline scripts, for the Content-Security-Policy).
//  - date inputs (data-date-input): typing 15122024 gives 15/12/2024; only digits and "/" are kept;
//  - choice lists that depend on another field (data-depends-on="id_kind"): options carry
//    data-for="<value>" and only those of the chosen value are offered;
//  - rows with errors (data-row-error): the first one is scrolled into view and its first input
//    focused, after a full page load and after an htmx swap.
(() => {
  "use strict";

  const formatDate = (input, event) => {
    const raw = input.value;
    const iso = raw.trim().match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);  // pasted 2024-12-15
    let value = iso ? `${iso[3].padStart(2, "0")}/${iso[2].padStart(2, "0")}/${iso[1]}`
      : raw.replace(/[.-]/g, "/").replace(/[^\d/]/g, "");
    const inserting = !event.inputType || event.inputType.startsWith("insert");
    if (!iso && inserting && /^\d{3,8}$/.test(value)) {  // typed digits only: 15122024
      value = value.slice(0, 2) + "/" + value.slice(2, 4) + (value.length > 4 ? "/" + value.slice(4) : "");
    } else if (!iso && inserting && event.inputType === "insertText"
               && (/^\d{2}$/.test(value) || /^\d{1,2}\/\d{2}$/.test(value))) {
      value += "/";
    }
    value = value.replace(/\/{2,}/g, "/").slice(0, 10);
    if (value !== raw) input.value = value;
  };

  document.addEventListener("input", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.hasAttribute("data-date-input")) formatDate(input, event);
  });

  const syncDependent = (select) => {
    const source = document.getElementById(select.dataset.dependsOn);
    if (!source) return;
    let offered = 0;
    for (const option of select.options) {
      if (!option.dataset.for) continue;
      const on = option.dataset.for === source.value;
      option.hidden = !on;
      option.disabled = !on;
      if (on) offered += 1;
      if (!on && option.selected) select.value = "";
    }
    const group = select.closest(".field-group");
    if (group && !select.hasAttribute("data-kinds")) group.hidden = offered === 0;
  };

  const bindDependents = (root) => {
    root.querySelectorAll("select[data-depends-on]").forEach((select) => {
      const source = document.getElementById(select.dataset.dependsOn);
      if (!source || select.dataset.bound) return;
      select.dataset.bound = "1";
      source.addEventListener("change", () => syncDependent(select));
      syncDependent(select);
    });
  };

  const showFirstRowError = (root) => {
    const row = root.querySelector("[data-row-error]");
    if (!row) return;
    row.scrollIntoView({ block: "center" });
    const field = row.querySelector("input:not([type=hidden]), select");
    (field || row).focus({ preventScroll: true });
  };

  bindDependents(document);
  showFirstRowError(document);
  document.body.addEventListener("htmx:afterSettle", () => {
    bindDependents(document);
    showFirstRowError(document);
  });
})();
