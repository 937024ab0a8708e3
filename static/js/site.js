// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.submit());
  }

  // A table wider than the screen scrolls sideways inside its wrapper. Keyboard users can
  // scroll it only if the wrapper takes focus, and screen readers announce it by name, so
  // a wrapper that overflows becomes a named, focusable region (and stops being one when
  // it fits again).
  const scrollers = document.querySelectorAll(".table-scroll");
  const tableName = (scroller) => {
    const caption = scroller.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    const heading = scroller.closest("section, article, main")?.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "";
  };
  const markScrollable = () => {
    scrollers.forEach((scroller) => {
      if (scroller.scrollWidth > scroller.clientWidth + 1) {
        scroller.setAttribute("tabindex", "0");
        scroller.setAttribute("role", "region");
        const name = tableName(scroller);
        if (name) scroller.setAttribute("aria-label", name);
      } else if (scroller.getAttribute("tabindex") === "0") {
        ["tabindex", "role", "aria-label"].forEach((name) => scroller.removeAttribute(name));
      }
    });
  };
  if (scrollers.length) {
    markScrollable();
    window.addEventListener("resize", markScrollable);
  }
});
