// Small behaviours htmx does not cover: one inline form at a time, Escape to cancel,
// focus after swaps, and the character counter. The page works without this file.
(function () {
  "use strict";

  function closeReplySlots(except) {
    document.querySelectorAll(".reply-slot").forEach(function (slot) {
      if (slot !== except && slot.firstElementChild) {
        slot.replaceChildren();
      }
    });
  }

  // Opening a reply form closes any other one first.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var trigger = event.detail.elt;
    if (trigger && trigger.hasAttribute("data-reply-link")) {
      var target = event.detail.target;
      closeReplySlots(target);
    }
  });

  // Cancelling a reply returns focus to the Reply link that opened it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && trigger.hasAttribute && trigger.hasAttribute("data-cancel-reply")) {
      var item = event.detail.target.closest(".thread-item");
      var link = item && item.querySelector("[data-reply-link]");
      if (link) link.focus();
    }
  });

  // Escape inside an inline reply form cancels it.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest(".comment-form--reply");
    if (!form) return;
    var cancel = form.querySelector("[data-cancel-reply]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });

  // Live character counter for textareas that declare a limit.
  function updateCounter(area) {
    var limit = parseInt(area.getAttribute("data-maxlength"), 10);
    var counter = document.getElementById(area.id + "-counter");
    if (!limit || !counter) return;
    var left = limit - area.value.length;
    counter.textContent = left >= 0
      ? left.toLocaleString() + " characters left"
      : (-left).toLocaleString() + " characters too many";
    counter.classList.toggle("counter--over", left < 0);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-maxlength]")) {
      updateCounter(event.target);
    }
  });
})();
