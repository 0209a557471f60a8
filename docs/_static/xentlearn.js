// The navigation's expand buttons (<summary> with only a chevron) get a name screen readers can say.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("details > summary").forEach((summary) => {
    if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
    const link = summary.parentElement.parentElement.querySelector("a");
    const name = link ? link.textContent.trim() : "this section";
    summary.setAttribute("aria-label", `Show the pages under ${name}`);
  });
});
