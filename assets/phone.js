/* The book on a phone. A long table (more than 15 rows) comes folded in a <details> that is open by default (desktop,
   print, no JavaScript); on a narrow screen it starts closed, one tap away under its caption, and it opens again
   for printing. */
(function () {
  "use strict";
  var narrow = window.matchMedia && window.matchMedia("screen and (max-width: 600px)");
  function fold() {
    if (!narrow || !narrow.matches) return;
    document.querySelectorAll("details.cf-long[open]").forEach(function (d) {
      d.removeAttribute("open");
    });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.cf-long").forEach(function (d) {
      d.setAttribute("open", "");
    });
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fold);
  else fold();
})();
