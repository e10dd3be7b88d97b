// Forms (issue 18). Everything here is an extra: every page works without it.
(function () {
  // GOV.UK's error summary takes focus, for browsers that ignore autofocus on a div.
  var summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) summary.focus();

  // A summary link moves focus to its field (and scrolls the field's label into view).
  document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var holder = target.closest(".field, fieldset") || target;
      holder.scrollIntoView();
      target.focus({ preventScroll: true });
    });
  });

  // Show a block only for some answers of a field: data-show-when="<field id>:<value>,<value>".
  // The server checks the same rule, so without JavaScript the block is simply always shown.
  document.querySelectorAll("[data-show-when]").forEach(function (block) {
    var rule = block.dataset.showWhen.split(":");
    var field = document.getElementById(rule[0]);
    var values = rule[1].split(",");
    if (!field) return;
    var update = function () { block.hidden = values.indexOf(field.value) === -1; };
    field.addEventListener("change", update);
    update();
  });
})();
