/* Excerpts for offline search. Opened from disk (file://), Sphinx cannot fetch the hit pages to show the usual
   excerpt under each result (the browser refuses), so it shows titles only. The build writes the text of every page
   into _static/search-texts.js (window.BOOK_PAGE_TEXTS, loaded on the search page only); this script adds, under each
   result, the passage around the first search term, as Sphinx itself would. */
(function () {
  "use strict";
  if (location.protocol !== "file:" || !window.BOOK_PAGE_TEXTS) return;
  var terms = (new URLSearchParams(location.search).get("q") || "")
    .toLowerCase().split(/\s+/).filter(function (t) { return t.length > 1; });
  if (!terms.length) return;
  var root = document.documentElement.dataset.content_root || "";

  function excerpt(item) {
    if (item.querySelector("p.context")) return;
    var link = item.querySelector("a");
    if (!link) return;
    var doc = decodeURIComponent(link.getAttribute("href").split("#")[0]).replace(/\.html$/, "");
    if (root && doc.indexOf(root) === 0) doc = doc.slice(root.length);
    var text = window.BOOK_PAGE_TEXTS[doc];
    if (!text) return;
    var lower = text.toLowerCase();
    var at = terms.map(function (t) { return lower.indexOf(t); }).filter(function (i) { return i > -1; });
    var start = at.length ? Math.max(Math.min.apply(null, at) - 100, 0) : 0;
    var p = document.createElement("p");
    p.className = "context";
    p.textContent = (start ? "… " : "") + text.substr(start, 240).trim() + (start + 240 < text.length ? " …" : "");
    item.appendChild(p);
  }

  function watch() {
    var list = document.querySelector("#search-results");
    if (!list) return;
    list.querySelectorAll("li").forEach(excerpt);
    new MutationObserver(function () { list.querySelectorAll("li").forEach(excerpt); })
      .observe(list, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
