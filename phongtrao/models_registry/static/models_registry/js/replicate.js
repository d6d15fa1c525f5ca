// The replication picker: a unit ticked in the search results moves to the chosen list, so that a new
// search keeps it; "Chọn cả N đơn vị" (data-pick-all) ticks and moves every unit of its commune.
"use strict";

(() => {
  const results = document.getElementById("picker-results");
  const chosen = document.getElementById("chosen");
  if (!results || !chosen) return;
  const choose = (box) => {
    box.checked = true;
    if (!chosen.querySelector(`input[value="${box.value}"]`)) chosen.appendChild(box.closest(".form-check"));
    else box.closest(".form-check").remove();
  };
  results.addEventListener("change", (event) => {
    const box = event.target;
    if (box.matches("input[type=checkbox]") && box.checked) choose(box);
  });
  results.addEventListener("click", (event) => {
    const button = event.target.closest("[data-pick-all]");
    if (!button) return;
    const group = button.closest("[data-picker-group]");
    group.querySelectorAll("input[type=checkbox]").forEach(choose);
    group.remove();
  });
})();
