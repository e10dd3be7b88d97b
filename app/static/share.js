// Sharing, as progressive enhancement: the links work without JavaScript; where the
// browser can, a "Share…" button opens the phone's own share sheet (Web Share API) and
// "Copy the link" copies it. No inline script anywhere (the CSP forbids it).
(function () {
  document.querySelectorAll("button.copy-link[data-copy-input]").forEach(function (button) {
    if (!navigator.clipboard) return;
    var field = document.getElementById(button.dataset.copyInput);
    var done = button.parentElement.querySelector(".share-done");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "✓ " + button.textContent.replace(/^✓ /, "");
        if (done) done.textContent = button.dataset.doneText || "";
      });
    });
  });
  document.querySelectorAll(".share").forEach(function (box) {
    var button = box.querySelector("button.share-native");
    if (!button || !navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.share({
        title: box.dataset.shareTitle,
        text: box.dataset.shareText,
        url: box.dataset.shareUrl,
      }).catch(function () { /* the person closed the share sheet */ });
    });
  });
})();
