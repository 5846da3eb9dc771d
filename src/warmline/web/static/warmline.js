// Warmline's small client script (written for this project; no framework, no build step).
//
// Small enhancements of server-rendered pages, all optional (every page works without them):
// the import progress page polls its job, the import form refuses an oversized file before
// uploading it, and the draft checker re-checks the draft as the agent types. We write these few lines ourselves instead of shipping htmx or another library:
// the repository holds only our own code and the app must work offline, with no CDN.
"use strict";

(function () {
  // Text content only: nothing from the server or the user is parsed as HTML here, except
  // the draft checker's result, which the server renders from an autoescaped template.
  function setText(root, field, value) {
    var el = root.querySelector('[data-field="' + field + '"]');
    if (el) el.textContent = value;
  }

  function cell(row, value) {
    var td = document.createElement("td");
    td.textContent = value === null || value === undefined || value === "" ? "\u2014" : String(value);
    row.appendChild(td);
  }

  // ------------------------------------------------------------ import progress

  function showJob(root, job) {
    var total = job.total || 0;
    var pct = total ? (100 * job.done) / total : job.status === "done" ? 100 : 0;
    root.querySelector(".progress-fill").style.width = pct.toFixed(1) + "%";
    var bar = root.querySelector(".progress");
    bar.setAttribute("aria-valuemax", String(total || 1));
    bar.setAttribute("aria-valuenow", String(job.done));
    var pill = root.querySelector('[data-field="status"]');
    pill.textContent = job.status.charAt(0).toUpperCase() + job.status.slice(1);
    pill.className = "status-pill " + job.status;
    setText(root, "message", job.message);
    var counts = job.done + " of " + (total || "?") + " conversations analysed \u00b7 " +
      job.created + " new \u00b7 " + job.updated + " updated";
    if (job.failed) counts += " \u00b7 " + job.failed + " with errors";
    setText(root, "counts", counts);
    root.dataset.status = job.status;
    root.querySelector(".job-done").hidden = job.status !== "done";
    var failed = root.querySelector(".job-failed");
    failed.hidden = job.status !== "failed";
    if (job.status === "failed") {
      var body = failed.querySelector("tbody");
      body.textContent = "";
      ((job.errors && job.errors.items) || []).forEach(function (e) {
        var row = document.createElement("tr");
        [e.position, e.line, e.id, e.message].forEach(function (v) { cell(row, v); });
        body.appendChild(row);
      });
    }
  }

  function pollJob(root) {
    var url = root.dataset.url;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resp) {
          if (!resp.ok) throw new Error("HTTP " + resp.status);
          return resp.json();
        })
        .then(function (job) {
          showJob(root, job);
          if (job.status === "queued" || job.status === "running") setTimeout(tick, 500);
        })
        .catch(function (err) {
          setText(root, "message", "Could not read the progress (" + err.message + "); retrying\u2026");
          setTimeout(tick, 2000);
        });
    }
    if (root.dataset.status === "queued" || root.dataset.status === "running") tick();
  }

  // ------------------------------------------------------------ draft checker

  function composer(form) {
    var result = document.getElementById(form.dataset.result);
    var status = form.querySelector("[data-field=status]");
    var csrf = form.querySelector('input[name="csrf"]').value;
    var timer = null;
    var latest = 0;

    function check() {
      var draft = form.elements.draft.value;
      if (!draft.trim()) {
        status.textContent = "Type a draft reply to check it.";
        return;
      }
      var seq = ++latest;
      status.textContent = "Checking\u2026";
      form.classList.add("busy");
      fetch(form.dataset.checkUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({
          context: form.elements.context.value,
          customer_name: form.elements.customer_name.value,
          draft: draft,
        }),
      })
        .then(function (resp) {
          return resp.json().then(function (body) { return { ok: resp.ok, body: body }; });
        })
        .then(function (answer) {
          if (seq !== latest) return; // a newer check is on its way
          form.classList.remove("busy");
          if (answer.ok) {
            result.innerHTML = answer.body.html; // rendered by the server from _assist_result.html
            status.textContent = "Checked as you type.";
          } else {
            var message = (answer.body.error && answer.body.error.message) || "The check failed.";
            result.textContent = "";
            var p = document.createElement("p");
            p.className = "error";
            p.setAttribute("role", "alert");
            p.textContent = message;
            result.appendChild(p);
            status.textContent = "";
          }
        })
        .catch(function () {
          if (seq !== latest) return;
          form.classList.remove("busy");
          status.textContent = "Could not reach the server; use the Check button.";
        });
    }

    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    });
  }

  // ------------------------------------------------------------ import form

  // The server refuses an oversized upload with 413 after receiving it; saying so before the
  // upload starts spares the wait (and a raw error for bodies the server cuts off early).
  function limitUpload(form) {
    var max = Number(form.dataset.maxBytes);
    form.addEventListener("submit", function (event) {
      var file = form.elements.file.files[0];
      var warning = form.querySelector('[data-field="too-big"]');
      warning.hidden = true;
      if (file && max && file.size > max) {
        event.preventDefault();
        warning.textContent = file.name + " is " + (file.size / 1048576).toFixed(1) +
          " MB, over the upload limit of " + Math.round(max / 1048576) +
          " MB: split it into smaller files (nothing was imported).";
        warning.hidden = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-max-bytes]").forEach(limitUpload);
    document.querySelectorAll("[data-import-job]").forEach(pollJob);
    document.querySelectorAll("form[data-check-url]").forEach(composer);
  });
})();
