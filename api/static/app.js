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
    statusEl.textContent = data.status_label || data.status;
    statusEl.setAttribute("data-status", data.status);
    statusEl.className = "badge s-" + data.status + (data.complete === false ? " s-incomplete" : "");
    messageEl.textContent = data.message || "";
    var notCounted = $("#not-counted");
    if (notCounted) notCounted.hidden = data.counts !== false;
    var problems = $("#problems"), list = $("#problem-list");
    if (problems && list) {
      list.textContent = "";
      (data.problems || []).forEach(function (p) {
        var li = document.createElement("li");
        li.setAttribute("data-stage", p.stage);
        li.textContent = p.reason;
        list.appendChild(li);
      });
      problems.hidden = !(data.problems && data.problems.length);
    }
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
  if (FINISHED.indexOf(statusEl.getAttribute("data-status")) < 0) setTimeout(poll, 1000);
}

// --- The report page after a regrade: poll the status, reload when the new report is ready. ---
function setupReportRefresh(main) {
  var url = main.dataset.statusUrl;
  if (!url || FINISHED.indexOf(main.dataset.status) >= 0) return;
  var stageEl = $("#live-stage");
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && FINISHED.indexOf(data.status) >= 0) { window.location.reload(); return; }
        if (data && stageEl) stageEl.textContent = data.status + (data.stage ? " · " + data.stage : "");
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1500);
}

// --- Time zones: the server shows times in the zone of the "tz" cookie (UTC without it). ---
var TZ_NAME = /^[A-Za-z0-9_+\-\/]{1,64}$/;

function browserZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
}

function readCookie(name) {
  var found = "";
  document.cookie.split(";").forEach(function (part) {
    var kv = part.trim().split("=");
    if (kv[0] === name) found = kv.slice(1).join("=");
  });
  return found;
}

function pad2(n) { return (n < 10 ? "0" : "") + n; }

function offsetLabel(longOffset) {
  // "GMT+09:00" -> "UTC+9", "GMT-04:00" -> "UTC-4", "GMT+05:30" -> "UTC+5:30", "GMT" -> "UTC":
  // the same label as the server's (api/templating.py zone_label), whatever the zone.
  var m = /^GMT([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(longOffset || "");
  if (!m) return "UTC";
  var hours = parseInt(m[2], 10), minutes = m[3] ? parseInt(m[3], 10) : 0;
  if (!hours && !minutes) return "UTC";
  return "UTC" + m[1] + hours + (minutes ? ":" + pad2(minutes) : "");
}

function formatLocal(date, zone) {
  // The same shape as the server's: 2026-03-08 09:30 UTC-4.
  var parts = {};
  new Intl.DateTimeFormat("en-US", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "longOffset"
  }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
  return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" +
    parts.minute + " " + offsetLabel(parts.timeZoneName);
}

function setupTimeZone() {
  var zone = browserZone();
  if (!zone || !TZ_NAME.test(zone)) return;
  var field = $("#time-zone");
  if (field) field.value = zone;
  if (readCookie("tz") === zone) return;
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  // This page was rendered for another zone: show its times in the browser's zone now.
  document.querySelectorAll("time.local").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when.getTime())) el.textContent = formatLocal(when, zone);
  });
}

// --- The time box countdown. The server renders the same text, so it works without JS. ---
function formatRemaining(ms) {
  var s = Math.max(0, Math.floor(ms / 1000));
  var days = Math.floor(s / 86400);
  var h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (days) return days + " d " + pad2(h) + ":" + pad2(m) + ":" + pad2(sec);
  return h + ":" + pad2(m) + ":" + pad2(sec);
}

function setupCountdown() {
  var box = $("#timebox");
  if (!box) return;
  var num = function (name) {
    var v = box.getAttribute(name);
    return v ? parseInt(v, 10) : null;
  };
  // The server's clock decides; the browser only counts the seconds since the page loaded.
  var offset = num("data-server-now") - Date.now();
  var windowEnds = num("data-window-ends"), workEnds = num("data-work-ends");
  var deadline = num("data-deadline");
  var label = $("#countdown-label"), counter = $("#countdown"), message = $("#timebox-message");
  var start = $("#start-button");
  var timer = null;

  function phaseAt(now) {
    if (deadline === null) {
      return now <= windowEnds ? ["not_started", windowEnds] : ["expired", null];
    }
    if (now <= workEnds) return ["running", workEnds];
    if (now <= deadline) return ["in_grace", deadline];
    return ["over", null];
  }

  function tick() {
    var now = Date.now() + offset;
    var state = phaseAt(now), phase = state[0], ends = state[1];
    if (box.getAttribute("data-phase") !== phase) {
      box.setAttribute("data-phase", phase);
      box.className = box.className.replace(/\bphase-\S+/, "phase-" + phase);
      message.textContent = box.getAttribute("data-msg-" + phase) || "";
      label.textContent = box.getAttribute("data-label-" + phase) || "";
      if (start && phase === "expired") start.disabled = true;
    }
    if (ends === null) {
      counter.hidden = true;
      if (timer !== null) { clearInterval(timer); timer = null; }
      return;
    }
    counter.hidden = false;
    counter.textContent = formatRemaining(ends - now);
  }
  tick();
  timer = setInterval(tick, 1000);
}

function setupCopy() {
  document.querySelectorAll("input.copy").forEach(function (el) {
    el.addEventListener("focus", function () { el.select(); });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  var main = $("#main");
  if (!main) return;
  setupTimeZone();
  if (main.dataset.page === "task") { setupUpload(main); setupCountdown(); }
  if (main.dataset.page === "status") setupStatus(main);
  if (main.dataset.page === "report") setupReportRefresh(main);
  setupCopy();
});
