// Forms marked data-submit-once send once: a second click (or Enter) while the page is leaving does nothing.
// The server makes the same promise with an idempotency key; this only spares the user a second wait.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once") || event.defaultPrevented) return;
    if (form.dataset.submitted === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "1";
    var submitter = event.submitter;
    if (submitter && submitter.name) {
      // A disabled button is not sent: carry the clicked one's choice in a hidden field.
      var carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.appendChild(carried);
    }
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
    });
    if (submitter && submitter.dataset.busyLabel) submitter.textContent = submitter.dataset.busyLabel;
  });
  // Back/forward cache: a page restored after submitting must be usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
      });
    });
  });
})();
