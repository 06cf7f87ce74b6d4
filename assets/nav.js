/* Make every sidebar toggle work (issue: navigation did not open on a phone).
   pydata-sphinx-theme 0.17 and sphinx-book-theme 1.3 both bind their handlers to the FIRST ".primary-toggle" and
   ".secondary-toggle" in the page, which under sphinx-book-theme is the theme's own navbar button, hidden; the
   buttons a reader sees are the second ones. Each visible toggle therefore forwards its activation (click, tap,
   Enter or Space: all arrive as a click on a button) to the first, where both themes' handlers live: at 992 px and
   wider the book theme collapses or expands the sidebar; narrower, the pydata theme opens it as a modal dialog. */
(function () {
  "use strict";
  function forward(selector) {
    var toggles = document.querySelectorAll(selector);
    if (toggles.length < 2) return;
    var target = toggles[0];
    Array.prototype.slice.call(toggles, 1).forEach(function (button) {
      button.setAttribute("aria-label", target.getAttribute("aria-label") || button.getAttribute("title") || "");
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopImmediatePropagation();
        var tip = window.bootstrap && window.bootstrap.Tooltip && window.bootstrap.Tooltip.getInstance(button);
        if (tip) tip.hide();
        button.blur();
        target.click();
      }, true);
    });
  }
  function init() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
