// Practice: send a role-play reply without reloading the page. Our own few lines, no library.
// Without JavaScript the form posts normally; here we post it with fetch, follow the redirect,
// and swap in the new page's <main>, so the chat grows in place.
(function () {
  "use strict";

  function bind(root) {
    var form = root.querySelector("form[data-practice-reply]");
    if (!form) return;
    var text = form.querySelector("textarea");
    var status = form.querySelector("[data-status]");
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.classList.contains("sending")) return;
      form.classList.add("sending");
      if (status) status.textContent = "The customer is reading your reply…";
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "text/html" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.text().then(function (html) {
            return { html: html, url: response.url };
          });
        })
        .then(function (result) {
          var doc = new DOMParser().parseFromString(result.html, "text/html");
          var fresh = doc.querySelector("main");
          var main = document.querySelector("main");
          if (!fresh || !main) {
            window.location.reload();
            return;
          }
          main.innerHTML = fresh.innerHTML;
          if (result.url && result.url.indexOf("/practice/sessions/") !== -1) {
            history.replaceState(null, "", result.url.split("#")[0]);
          }
          var next = main.querySelector("form[data-practice-reply] textarea");
          var target = main.querySelector("#debrief") || main.querySelector("#latest");
          if (target) target.scrollIntoView({ block: next ? "center" : "start" });
          if (next) next.focus();
          bind(main);
        })
        .catch(function () {
          form.classList.remove("sending");
          if (status) status.textContent = "Could not send: check your connection and try again.";
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    bind(document);
  });
})();
