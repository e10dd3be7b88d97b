// Copy buttons: shown only where the browser can copy; the text stays selectable without.
document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var text = document.getElementById(button.dataset.copy).textContent.trim();
    navigator.clipboard.writeText(text).then(function () {
      button.setAttribute("aria-live", "polite");
      button.dataset.label = button.dataset.label || button.textContent;
      button.textContent = "✓ " + button.dataset.label;
    });
  });
});
