// Autosave for the promotion-document editor. Progressive enhancement only:
// without it the Save buttons post the same forms. A changed section is
// posted to its form's data-autosave URL a few seconds after the typing
// stops (and at least every ten seconds while it goes on, and when the tab
// is hidden or closed) with the version it was loaded at; the reply carries
// the new version, which goes back into every form of the section (the
// Save form and the evidence form alike), so the next save is not taken
// for a stale one. On a conflict autosave stops for that section and shows
// the text saved meanwhile beside the typed one; the typed text stays in
// the form, and saving with the button shows the same two texts on the
// page the server renders without JavaScript.
(function () {
  "use strict";
  var status = document.getElementById("autosave-status");
  function say(text, bad) {
    if (!status) return;
    status.textContent = text;
    status.className = "hint " + (bad ? "autosave-error" : "autosaved");
  }
  function words(s) {
    var t = s.trim();
    return t ? t.split(/\s+/).length : 0;
  }
  // showConflict puts both texts above the section's form, built from text
  // nodes only: the texts are the writers' and never markup.
  function showConflict(form, by, current, typed) {
    var section = form.closest("section") || form.parentNode;
    var old = section.querySelector(".autosave-conflict");
    if (old) old.parentNode.removeChild(old);
    var wrap = document.createElement("div");
    wrap.className = "table-wrap autosave-conflict";
    var table = document.createElement("table");
    table.className = "data conflict";
    var head = table.createTHead().insertRow();
    [["Saved now by " + (by || "someone else")], ["You typed (not saved)"]].forEach(function (t) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = t[0];
      head.appendChild(th);
    });
    var row = table.createTBody().insertRow();
    row.className = "row-differs";
    [current, typed].forEach(function (t) {
      var td = row.insertCell();
      td.className = "pre";
      td.textContent = t;
    });
    wrap.appendChild(table);
    section.insertBefore(wrap, form);
  }
  var forms = document.querySelectorAll("form[data-autosave]");
  Array.prototype.forEach.call(forms, function (form) {
    var area = form.querySelector("textarea[name=text]");
    var version = form.querySelector("input[name=version]");
    var count = form.querySelector(".word-count");
    if (!area || !version) return;
    var section = form.closest("section") || form;
    var saved = area.value, busy = false, stopped = false, timer = null;
    function setVersion(v) {
      Array.prototype.forEach.call(section.querySelectorAll("input[name=version]"), function (input) {
        input.value = v;
      });
    }
    function save(leaving) {
      if (busy || stopped || area.value === saved) return;
      busy = true;
      var text = area.value;
      var body = new URLSearchParams();
      body.set("text", text);
      body.set("version", version.value);
      fetch(form.getAttribute("data-autosave"), {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!leaving,
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
        body: body.toString()
      }).then(function (res) {
        return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; },
          function () { return { ok: false, status: res.status, data: { error: "Not saved (the server answered " + res.status + "). Your text is still here; save it with the button." } }; });
      }).then(function (r) {
        busy = false;
        if (r.ok) {
          saved = text;
          setVersion(String(r.data.version));
          say("Saved at " + r.data.saved);
          return;
        }
        if (r.status === 409) {
          stopped = true;
          // A conflict of the section carries the text saved meanwhile; a
          // document that stopped being editable carries no section.
          if (r.data.section) showConflict(form, r.data.by, r.data.current || "", area.value);
        }
        say(r.data.error || "Not saved.", true);
      }).catch(function () {
        busy = false;
        say("Not saved: the server could not be reached. Your text is still here.", true);
      });
    }
    area.addEventListener("input", function () {
      if (count) count.textContent = String(words(area.value));
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () { timer = null; save(false); }, 2000);
    });
    setInterval(function () { save(false); }, 10000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(true);
    });
    form.addEventListener("submit", function () { stopped = true; });
  });
})();
