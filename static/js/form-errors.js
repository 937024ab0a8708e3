// After a refused form: focus the first field in error (the page no longer opens at the
// top with the problem out of sight), mark fields in error for assistive technology, and
// make the summary's links move focus to their field. What was typed is kept by the
// server. Without JavaScript the summary (role="alert") and its links still work.
document.addEventListener("DOMContentLoaded", () => {
  const summaries = document.querySelectorAll("[data-error-summary]");
  if (!summaries.length) return;
  const fieldFor = (id) => {
    const target = document.getElementById(id);
    if (!target) return null;
    if (target.matches("input, select, textarea, button")) return target;
    return target.querySelector("input, select, textarea");
  };
  document.querySelectorAll("[data-field-error]").forEach((wrapper) => {
    wrapper.querySelectorAll("input, select, textarea").forEach((input) => {
      input.setAttribute("aria-invalid", "true");
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      wrapper.querySelectorAll(".error[id]").forEach((error) => {
        if (!described.includes(error.id)) described.push(error.id);
      });
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    });
  });
  summaries.forEach((summary) => {
    summary.querySelectorAll("a[data-error-field]").forEach((link) => {
      link.addEventListener("click", (event) => {
        const field = fieldFor(link.dataset.errorField);
        if (!field) return;
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      });
    });
  });
  const first = summaries[0];
  const firstLink = first.querySelector("a[data-error-field]");
  const field = firstLink ? fieldFor(firstLink.dataset.errorField) : null;
  if (field) {
    field.focus();
    field.scrollIntoView({ block: "center" });
  } else {
    first.focus();
  }
});
