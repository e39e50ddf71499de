// Dialbase console: the little behaviour the server-rendered pages need. Everything works
// through plain links and forms except the live refresh and the import's progress bar.
(function () {
  "use strict";

  // <div data-refresh="URL" data-every="5">: the server's fresh fragment every few seconds.
  document.querySelectorAll("[data-refresh]").forEach(function (el) {
    var every = (Number(el.dataset.every) || 5) * 1000;
    setInterval(function () {
      fetch(el.dataset.refresh, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { el.innerHTML = html; })
        .catch(function () {});
    }, every);
  });

  // <form data-confirm="Question?">: ask before a destructive action.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // The CSV import: create the import, stream the file to it, and show the progress the
  // server reports (bytes it has read and records it has stored) until it is done.
  var form = document.getElementById("import-form");
  if (!form) return;
  var bar = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  var result = document.getElementById("import-result");
  function plural(count, noun) {
    return count + " " + noun + (count === 1 ? "" : "s");
  }
  function show(percent, text) {
    bar.value = percent;
    bar.textContent = percent + "%";
    status.textContent = text;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) { status.textContent = "Choose a CSV file first."; return; }
    var csrf = form.elements.csrf.value;
    var button = form.querySelector("button");
    button.disabled = true;
    result.innerHTML = "";
    show(0, "Starting the upload of " + file.name + "…");
    var body = new URLSearchParams({ csrf: csrf, size: String(file.size), name: file.name });
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : r.text().then(function (t) { throw new Error(t); }); })
      .then(function (job) {
        var finished = false;
        function poll() {
          fetch(job.progress, { credentials: "same-origin" })
            .then(function (r) { return r.json(); })
            .then(function (p) {
              show(p.percent, p.percent + "% — " + plural(p.stored, "record") + " stored, " + plural(p.rejected, "line") + " rejected");
              if (p.outcome) {
                finished = true;
                button.disabled = false;
                var link = document.createElement("a");
                link.href = job.report;
                link.id = "import-report-link";
                link.textContent = p.outcome === "done" ? "See the import report" : "The import failed: see why";
                result.appendChild(link);
                link.focus();
              }
            })
            .catch(function () {})
            .then(function () { if (!finished) setTimeout(poll, 400); });
        }
        var upload = new XMLHttpRequest();
        upload.open("PUT", job.upload);
        upload.setRequestHeader("X-CSRF-Token", csrf);
        upload.setRequestHeader("Content-Type", "text/csv");
        upload.onerror = function () { status.textContent = "The upload was cut off."; button.disabled = false; };
        upload.send(file);
        setTimeout(poll, 200);
      })
      .catch(function (e) { status.textContent = "Refused: " + e.message; button.disabled = false; });
  });
})();
