// The unit form: fields that apply to some kinds only (data-kinds="agency enterprise") are hidden
// and not sent for the other kinds.
"use strict";

(() => {
  const kind = document.getElementById("id_kind");
  if (!kind) return;
  const sync = () => {
    document.querySelectorAll("[data-kinds]").forEach((input) => {
      const on = input.dataset.kinds.split(" ").includes(kind.value);
      input.closest(".field-group").hidden = !on;
      input.disabled = !on;
    });
  };
  kind.addEventListener("change", sync);
  sync();
})();
