// The pledge form, as progressive enhancement (it works without): typing an amount picks
// "Other amount"; picking a preset empties the typed amount, so what is sent is what is seen.
(function () {
  var form = document.querySelector("form.pledge-form");
  if (!form) return;
  var typed = form.querySelector("input.amount");
  var other = form.querySelector('input[name="preset"][value="other"]');
  if (!typed || !other) return;
  typed.addEventListener("input", function () {
    if (typed.value.trim()) other.checked = true;
  });
  form.querySelectorAll('input[name="preset"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio !== other && radio.checked) typed.value = "";
      if (radio === other && radio.checked) typed.focus();
    });
  });
})();
