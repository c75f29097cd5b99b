// Small behaviours htmx does not cover: one inline form at a time, Escape to cancel,
// focus after swaps, and the character counter. The page works without this file.
(function () {
  "use strict";

  // Every htmx request carries the CSRF token from the page's <meta> tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) event.detail.headers["X-CSRFToken"] = meta.getAttribute("content");
  });

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

  // Cancelling a reply returns focus to the link that opened it (Reply, Report or Answer:
  // the one whose target is the slot just emptied).
  document.addEventListener("htmx:afterSwap", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (trigger && trigger.hasAttribute && trigger.hasAttribute("data-cancel-reply")) {
      var slot = event.detail.target;
      var item = slot.closest(".thread-item");
      if (!item) return;
      var link = (slot.id && item.querySelector('[data-reply-link][hx-target="#' + slot.id + '"]'))
        || item.querySelector("[data-reply-link]");
      if (link) link.focus();
    }
  });

  // The first comment in an empty discussion replaces the "No comments yet" line. (Done
  // here, not as an out-of-band delete, which htmx reports as an error when nothing matches.)
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "thread-list") {
      var empty = document.getElementById("empty-thread");
      if (empty) empty.remove();
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

  // A refused htmx request (too many attempts, too large, expired form) leaves the form as
  // it was, text included, and says what happened beside it.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var heading = doc.querySelector(".error-page h1");
    var detail = doc.querySelector(".error-page p");
    var text = heading ? heading.textContent + ". " + (detail ? detail.textContent : "")
                       : "That did not work. Please try again.";
    var elt = event.detail.elt;
    var form = elt && elt.closest ? elt.closest("form, article, li, section") : null;
    var box = form && form.querySelector ? form.querySelector(".request-error") : null;
    if (form && !box) {
      box = document.createElement("p");
      box.className = "form-errors request-error";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    if (box) box.textContent = text;
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
