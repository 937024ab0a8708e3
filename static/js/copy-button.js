// Copy buttons: <button data-copy="ID-of-input" data-copied="label"> copies that input's
// value. Without JavaScript the buttons stay hidden and the read-only field can be
// selected and copied by hand. Loaded as a file (the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", () => {
  const status = document.querySelector("[data-copy-status]");
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    button.hidden = false;
    const label = button.textContent;
    field.addEventListener("focus", () => field.select());
    button.addEventListener("click", async () => {
      field.select();
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch (error) {
        copied = document.execCommand && document.execCommand("copy");
      }
      if (copied) {
        button.textContent = button.dataset.copied || label;
        if (status) status.textContent = button.dataset.copied || "";
        setTimeout(() => { button.textContent = label; }, 2000);
      }
    });
  });
});
