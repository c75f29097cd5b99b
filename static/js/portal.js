// Small behaviours htmx does not cover: one inline form at a time, Escape to cancel, unsent
// text kept in the tab, focus after swaps, the character counter, and times in the reader's
// own zone. The page works without this file.
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

  // Escape inside an inline reply or edit form cancels it (its text is kept: see drafts).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    if (event.target.closest && event.target.closest(".discard-prompt")) return;
    var form = event.target.closest &&
      event.target.closest(".comment-form--reply, .comment-form--edit");
    if (!form) return;
    var cancel = form.querySelector("[data-cancel-reply], [data-cancel-edit]");
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
    refreshToken(doc, event.detail.elt);
    // The session ended: the form gives way to a login form that holds its text.
    var ended = doc.querySelector("[data-session-ended]");
    var sent = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    if (ended && sent) {
      var login = document.importNode(ended, true);
      sent.replaceWith(login);
      var heading2 = login.querySelector("h2");
      if (heading2) {
        heading2.setAttribute("tabindex", "-1");
        heading2.focus();
      }
      return;
    }
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

  // A refused form's answer carries a fresh CSRF token: sending the form again then works.
  function refreshToken(doc, elt) {
    var fresh = doc.querySelector("[data-csrf-token]");
    if (!fresh) return;
    var token = fresh.getAttribute("data-csrf-token");
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) meta.setAttribute("content", token);
    var form = elt && elt.closest ? elt.closest("form") : null;
    var input = form && form.querySelector('input[name="csrf_token"]');
    if (input) input.value = token;
  }

  function announce(words) {
    var live = document.getElementById("announcer");
    if (live) live.textContent = words;
  }

  // --- Drafts: what someone writes in a comment, reply, edit, report or answer form is kept
  // in this tab (sessionStorage: gone when the tab closes, which suits a shared computer)
  // until it is sent, so Cancel, Escape or opening another form never loses it.
  var DRAFT_PREFIX = "portal-draft:";

  function draftKey(area) {
    var form = area.form;
    if (!form || area.readOnly || !area.name) return null;
    var place = form.getAttribute("data-draft-key") ||
      (form.getAttribute("action") || location.pathname) + "#" + (form.id || "");
    return DRAFT_PREFIX + place + ":" + area.name;
  }

  function draftAreas(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var areas = Array.prototype.slice.call(scope.querySelectorAll(".comment-form textarea"));
    if (scope.matches && scope.matches(".comment-form textarea")) areas.push(scope);
    return areas;
  }

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {  // storage refused (privacy settings): drafts are simply not kept
      return null;
    }
  }

  function saveDraft(area) {
    var key = draftKey(area);
    var store = storage();
    if (!key || !store) return;
    try {
      if (area.value.trim() && area.value !== area.defaultValue) store.setItem(key, area.value);
      else store.removeItem(key);
    } catch (error) { /* full: the text is still in the form */ }
  }

  function forgetDrafts(form) {
    var store = storage();
    if (!store || !form) return;
    draftAreas(form).forEach(function (area) {
      var key = draftKey(area);
      if (key) store.removeItem(key);
    });
  }

  function restoreDrafts(root) {
    var store = storage();
    if (!store) return;
    draftAreas(root).forEach(function (area) {
      var key = draftKey(area);
      var draft = key && store.getItem(key);
      if (!draft || draft === area.value) return;
      // Text the server sent back (an error, a kept text) wins over a draft; an edit form
      // always opens with the comment's words, which its draft replaces.
      if (area.value.trim() && !area.form.matches(".comment-form--edit")) return;
      area.value = draft;
      updateCounter(area);
      offerDiscard(area);
      announce("Your unsent text is back in the form.");
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".comment-form textarea")) {
      saveDraft(event.target);
    }
  });

  // Sent and accepted (2xx): the draft has done its work. Cleared before the swap, so the
  // blank form that replaces a sent one does not bring it back.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr && event.detail.xhr.status;
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (status >= 200 && status < 300 && elt && elt.matches && elt.matches("form")) {
      forgetDrafts(elt);
    }
  });

  // Discarding asks first: a "Discard" button beside Cancel, shown once there is text.
  function offerDiscard(area) {
    var form = area.form;
    if (!form || form.querySelector("[data-discard]")) return;
    var actions = form.querySelector(".form-actions");
    if (!actions) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary";
    button.setAttribute("data-discard", "");
    button.textContent = form.matches(".comment-form--edit") ? "Discard changes" : "Discard";
    actions.appendChild(button);
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".comment-form textarea") &&
        event.target.value.trim()) {
      offerDiscard(event.target);
    }
  });

  function discardPrompt(form) {
    var existing = form.querySelector(".discard-prompt");
    if (existing) return existing;
    var what = form.matches(".comment-form--edit") ? "your changes" : "your text";
    var box = document.createElement("div");
    box.className = "discard-prompt";
    box.setAttribute("role", "group");
    var question = document.createElement("p");
    question.id = (form.id || "form") + "-discard-question";
    question.textContent = "Discard " + what + "? It cannot be brought back.";
    box.setAttribute("aria-labelledby", question.id);
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button";
    keep.setAttribute("data-keep-writing", "");
    keep.textContent = "Keep writing";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button button--danger";
    discard.setAttribute("data-discard-now", "");
    discard.textContent = "Discard";
    box.append(question, keep, discard);
    var actions = form.querySelector(".form-actions");
    form.insertBefore(box, actions ? actions.nextSibling : null);
    return box;
  }

  function closePrompt(form, focusArea) {
    var box = form.querySelector(".discard-prompt");
    if (box) box.remove();
    var area = form.querySelector("textarea");
    if (focusArea && area) area.focus();
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("button");
    if (!target) return;
    var form = target.closest(".comment-form");
    if (!form) return;
    if (target.hasAttribute("data-discard")) {
      discardPrompt(form).querySelector("[data-keep-writing]").focus();
    } else if (target.hasAttribute("data-keep-writing")) {
      closePrompt(form, true);
    } else if (target.hasAttribute("data-discard-now")) {
      forgetDrafts(form);
      draftAreas(form).forEach(function (area) {
        area.value = form.matches(".comment-form--edit") ? area.defaultValue : "";
        updateCounter(area);
      });
      closePrompt(form, true);
      var offer = form.querySelector("[data-discard]");
      if (offer) offer.remove();
      announce("Discarded.");
    }
  });

  // Escape in the prompt means "keep writing".
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var box = event.target.closest(".discard-prompt");
    if (!box) return;
    event.preventDefault();
    closePrompt(box.closest(".comment-form"), true);
  });

  // Closing a form with text in it (Cancel, Escape, another Reply) keeps it: say so.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var trigger = event.detail.elt;
    if (!trigger || !trigger.matches || !trigger.matches("[data-cancel-reply], [data-cancel-edit]")) {
      return;
    }
    var form = trigger.closest(".comment-form");
    var area = form && form.querySelector("textarea");
    if (area && area.value.trim() && area.value !== area.defaultValue) {
      saveDraft(area);
      announce("Your text is kept. It comes back when you open this form again.");
    }
  });

  // --- Times in the reader's own zone. <time datetime> is the truth; the server wrote the
  // text in the site's zone ("30 November 2026, 14:05 GMT" or "30 November 2026").
  var WITH_TIME = /^\d{1,2} \S+ \d{4}, \d{2}:\d{2}/;
  var DATE_ONLY = /^\d{1,2} \S+ \d{4}$/;
  var RECENT_MS = 24 * 60 * 60 * 1000;

  function partsOf(date, options) {
    var found = {};
    new Intl.DateTimeFormat("en-GB", options).formatToParts(date).forEach(function (part) {
      found[part.type] = part.value;
    });
    return found;
  }

  function fullDateTime(date) {
    var p = partsOf(date, {
      day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
      hourCycle: "h23", timeZoneName: "short"
    });
    return p.day + " " + p.month + " " + p.year + ", " + p.hour + ":" + p.minute + " " +
      p.timeZoneName;
  }

  function fullDate(date) {
    var p = partsOf(date, { day: "numeric", month: "long", year: "numeric" });
    return p.day + " " + p.month + " " + p.year;
  }

  function relative(date, now) {
    var seconds = Math.round((date.getTime() - now) / 1000);
    var words = new Intl.RelativeTimeFormat("en-GB", { numeric: "auto" });
    if (Math.abs(seconds) < 60) return "just now";
    var minutes = Math.round(seconds / 60);
    if (Math.abs(minutes) < 60) return words.format(minutes, "minute");
    return words.format(Math.round(minutes / 60), "hour");
  }

  function localiseTime(element, now) {
    var original = element.getAttribute("data-site-text") || element.textContent.trim();
    var withTime = WITH_TIME.test(original);
    if (!withTime && !DATE_ONLY.test(original)) return;
    var date = new Date(element.getAttribute("datetime"));
    if (isNaN(date.getTime())) return;
    if (!element.hasAttribute("data-site-text")) element.setAttribute("data-site-text", original);
    if (!withTime) {
      element.textContent = fullDate(date);
      return;
    }
    var full = fullDateTime(date);
    var age = now - date.getTime();
    if (age >= 0 && age < RECENT_MS) {
      element.textContent = relative(date, now);
      element.setAttribute("title", full);
    } else {
      element.textContent = full;
      element.removeAttribute("title");
    }
  }

  function localiseTimes(root) {
    if (typeof Intl === "undefined" || !Intl.DateTimeFormat) return;
    var scope = root && root.querySelectorAll ? root : document;
    var now = Date.now();
    scope.querySelectorAll("time[datetime]").forEach(function (element) {
      try {
        localiseTime(element, now);
      } catch (error) { /* an old browser: the site's zone stays, which is still right */ }
    });
  }

  document.addEventListener("htmx:load", function (event) {
    localiseTimes(event.detail.elt);
    restoreDrafts(event.detail.elt);
  });

  function start() {
    localiseTimes(document);
    restoreDrafts(document);
    // "3 minutes ago" stays true while the page is open.
    setInterval(function () { localiseTimes(document); }, 60 * 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
