// All page behaviour lives here: the CSP forbids inline script. Candidate-supplied text is only
// ever inserted with textContent, never innerHTML.
"use strict";

function $(sel, root) { return (root || document).querySelector(sel); }

function setupUpload(main) {
  var form = $("#upload-form");
  if (!form) return;
  var input = $("#file", form);
  var zone = $("#dropzone", form);
  var bar = $("#progress", form);
  var errorBox = $("#upload-error");
  var button = $("#upload-button", form);

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }
  ["dragenter", "dragover"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
  });

  form.addEventListener("submit", function (e) {
    if (!window.FormData || !input.files.length) return; // plain form post as a fallback
    e.preventDefault();
    errorBox.hidden = true;
    var data = new FormData();
    data.append("hours", form.elements["hours"].value);
    data.append("file", input.files[0]);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", main.dataset.uploadUrl);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", form.elements["csrf_token"].value);
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) bar.value = Math.round(100 * ev.loaded / ev.total);
    });
    xhr.addEventListener("load", function () {
      button.disabled = false;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
      if (xhr.status === 202 && body && body.id) {
        window.location.assign(main.dataset.statusBase + encodeURIComponent(body.id));
        return;
      }
      var detail = body && body.detail;
      if (Array.isArray(detail)) detail = detail.map(function (d) { return d.msg; }).join("; ");
      showError(detail || ("The upload failed (HTTP " + xhr.status + ")."));
      bar.hidden = true;
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      showError("The upload was interrupted. Check your connection and try again.");
    });
    xhr.send(data);
  });
}

var FINISHED = ["graded", "rejected", "error"];

function setupStatus(main) {
  var url = main.dataset.statusUrl;
  var statusEl = $("#status");
  var messageEl = $("#message");
  function apply(data) {
    statusEl.textContent = data.status;
    statusEl.className = "badge s-" + data.status;
    messageEl.textContent = data.message || "";
    document.querySelectorAll("#stages li").forEach(function (li) {
      var st = data.stages[li.dataset.stage];
      var label = $(".stage-state", li);
      if (st) {
        li.className = st.state + (st.verdict ? " v-" + st.verdict : "");
        label.textContent = st.verdict || st.state;
      } else if (FINISHED.indexOf(data.status) >= 0) {
        label.textContent = "not run";
      }
    });
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) apply(data);
        if (!data || FINISHED.indexOf(data.status) < 0) setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (FINISHED.indexOf(statusEl.textContent.trim()) < 0) setTimeout(poll, 1000);
}

function setupCopy() {
  document.querySelectorAll("input.copy").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  var main = $("#main");
  if (!main) return;
  if (main.dataset.page === "task") setupUpload(main);
  if (main.dataset.page === "status") setupStatus(main);
  setupCopy();
});
