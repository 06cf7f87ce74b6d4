// "Run in the browser" opens a chapter in the JupyterLite app (lite/, built by `make lite`). Browsers refuse to start
// that app from a file opened on disk, so when the site is read from file:// the button leads instead to the section
// of "Running the book live" that says how to serve the folder (one command).
document.addEventListener("DOMContentLoaded", () => {
  if (location.protocol !== "file:") return;
  for (const link of document.querySelectorAll('a[href*="lite/lab/index.html"]')) {
    link.href = link.href.replace(/lite\/lab\/index\.html.*$/, "back/running_live.html#in-the-browser-jupyterlite");
    link.title = "Opened from disk: this page says how to run the chapters in the browser (needs a local server)";
  }
});
