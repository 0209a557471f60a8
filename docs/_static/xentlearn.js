// The navigation's expand buttons (<summary> with only a chevron) get a name screen readers can say.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details > summary").forEach((summary) => {
    if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
    const link = summary.parentElement.parentElement.querySelector("a");
    const name = link ? link.textContent.trim() : "this section";
    summary.setAttribute("aria-label", `Show the pages under ${name}`);
  });

  // Notebooks, the course zip and the wheel are saved, not opened as text in the browser.
  document.querySelectorAll("a[href]").forEach((link) => {
    const path = link.getAttribute("href").split(/[?#]/)[0];
    if (/\.(ipynb|zip|whl)$/.test(path) && !/^[a-z]+:/.test(path)) {
      link.setAttribute("download", path.split("/").pop());
    }
  });

  // sphinx-copybutton's buttons (added all at once, when its clipboard script has loaded)
  // get a name screen readers can say.
  const nameCopyButtons = () => {
    const buttons = document.querySelectorAll("button.copybtn");
    buttons.forEach((button) => button.setAttribute("aria-label", "Copy the code"));
    return buttons.length > 0;
  };
  if (!nameCopyButtons()) {
    const observer = new MutationObserver(() => nameCopyButtons() && observer.disconnect());
    observer.observe(document.body, { childList: true, subtree: true });
  }
});
