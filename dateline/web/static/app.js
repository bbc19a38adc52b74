// Dateline article page: show the details of a highlighted span on click, Enter or Space.
// Loaded from /static (the CSP allows no inline script); the page works without it (title tooltips).
"use strict";
(function () {
  function show(span) {
    var body = document.getElementById("details-body");
    if (!body) { return; }
    var prev = document.querySelectorAll(".hl.selected");
    for (var i = 0; i < prev.length; i++) { prev[i].classList.remove("selected"); }
    span.classList.add("selected");
    // textContent, never innerHTML: the label comes from article text.
    body.textContent = "“" + span.textContent + "”\n" + (span.getAttribute("title") || "");
    body.classList.remove("muted");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var text = document.getElementById("text");
    if (!text) { return; }
    text.addEventListener("click", function (ev) {
      var span = ev.target.closest ? ev.target.closest(".hl") : null;
      if (span) { show(span); }
    });
    text.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" && ev.key !== " ") { return; }
      var span = ev.target.closest ? ev.target.closest(".hl") : null;
      if (span) { ev.preventDefault(); show(span); }
    });
    text.addEventListener("focusin", function (ev) {
      var span = ev.target.closest ? ev.target.closest(".hl") : null;
      if (span) { show(span); }
    });
  });
})();
