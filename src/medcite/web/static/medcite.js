// medcite: a little progressive enhancement. Everything works without it.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function closeAll(except) {
    document.querySelectorAll(".citewrap.open").forEach(function (wrap) {
      if (wrap !== except) {
        wrap.classList.remove("open");
        wrap.querySelector("button.cite").setAttribute("aria-expanded", "false");
      }
    });
  }

  // Citations: a tap (click) pins the quote open; Escape or a tap elsewhere closes it.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.cite");
    if (!button) {
      if (!event.target.closest(".pop")) closeAll(null);
      return;
    }
    var wrap = button.closest(".citewrap");
    var open = !wrap.classList.contains("open");
    closeAll(wrap);
    wrap.classList.toggle("open", open);
    wrap.classList.remove("closed");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var wrap = event.target.closest && event.target.closest(".citewrap");
    closeAll(null);
    if (wrap) {
      wrap.classList.add("closed"); // hides a popover shown by focus until focus moves on
      wrap.querySelector("button.cite").focus();
    }
  });

  document.addEventListener("focusout", function (event) {
    var wrap = event.target.closest && event.target.closest(".citewrap");
    if (wrap && !wrap.contains(event.relatedTarget)) wrap.classList.remove("closed");
  });

  // Answering takes a moment: say so, and stop double submissions.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = true;
        b.textContent = "Answering…";
      });
      form.setAttribute("aria-busy", "true");
    });
  });

  // Opening a link to an earlier answer unfolds it.
  if (location.hash) {
    var target = document.getElementById(location.hash.slice(1));
    var details = target && target.closest("details");
    if (details) details.open = true;
  }
})();
